/**
 * Starts the heal service from its configuration (`lchost heal serve`): the audit table in its MariaDB, the
 * Docker seams, the playbooks, Alertmanager for notifications, and the HTTPS listener.
 */
import * as fs from "fs";
import * as mysql from "mysql2/promise";
import pino from "pino";
import { AlertmanagerClient } from "../../render/alertmanager/api";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { dockerRunStateDir } from "../../dockerRun/stateDir";
import { AutoscalePlaybook } from "../playbooks/autoscale";
import { crashLoopPlaybook } from "../playbooks/crashLoop";
import { fsbHangPlaybook } from "../playbooks/fsbHang";
import { galeraFullRecovery, Pager } from "../playbooks/galeraFullRecovery";
import { lostNodeRepoint } from "../playbooks/lostNodeRepoint";
import type { HealSeams, Playbook } from "../playbook";
import { dockerSeams } from "../seams/dockerSeams";
import { lineControlOf } from "../seams/lines";
import { buildHealApp } from "./app";
import { AuditLog, MariadbAuditLog } from "./auditLog";
import { HealConfig, HealConfigError, readSecretFile } from "./config";
import { Healer } from "./healer";
import { HealNotifier } from "./notifications";
import { HealTimer } from "./timer";

/**
 * The service's playbooks, in the order they look at an alert (a hung FSB is fsb-hang's before crash-loop sees it).
 * galera-full-recovery acts only when no node of the cluster serves, lost-node-repoint only when another node does:
 * one DatabaseDown never starts both.
 */
export function healPlaybooks(config: Pick<HealConfig, "crashLoop" | "fsbHang" | "galera" | "lostNode">): Playbook[] {
  return [
    fsbHangPlaybook(config.fsbHang),
    crashLoopPlaybook(config.crashLoop),
    galeraFullRecovery({
      startGraceMs: config.galera.startGraceSeconds * 1000,
      foundTimeoutMs: config.galera.foundTimeoutSeconds * 1000,
      joinTimeoutMs: config.galera.joinTimeoutSeconds * 1000,
    }),
    lostNodeRepoint({ lostAfterMs: config.lostNode.lostAfterMinutes * 60_000 }),
    new AutoscalePlaybook(),
  ];
}

export function healLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      name: "lchost-heal",
      level,
      redact: {
        paths: ["req.headers.authorization", "req.headers['x-lchost-signature']", "token", "*.token", "password", "*.password", "secret"],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination(2),
  );
}

function readFile(file: string, field: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new HealConfigError(field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

export interface RunningHealService {
  url: string;
  healer: Healer;
  audit: AuditLog;
  /** Its timer (tests call `tick()` instead of waiting for it). */
  timer: HealTimer;
  close(): Promise<void>;
}

export interface HealServiceParts {
  /** Other seams than the configured runtime's (the sandbox, tests). */
  seams?: HealSeams;
  /** Another audit log than the configured database (tests). */
  audit?: AuditLog;
  logger?: pino.Logger;
}

/** Reads every file the configuration names (errors name the field), connects, listens. */
export async function startHealService(config: HealConfig, parts: HealServiceParts = {}): Promise<RunningHealService> {
  const token = readSecretFile(config.tokenFile, "tokenFile");
  const signatureSecret = config.signatureSecretFile ? readSecretFile(config.signatureSecretFile, "signatureSecretFile") : undefined;
  const https = {
    key: readFile(config.tls.keyFile, "tls.keyFile"),
    cert: readFile(config.tls.certFile, "tls.certFile"),
    ca: readFile(config.tls.clientCaFile, "tls.clientCaFile"),
  };
  const logger = parts.logger ?? healLogger(config.logLevel);
  let pool: mysql.Pool | undefined;
  let audit = parts.audit;
  if (!audit) {
    const password = readSecretFile(config.database.passwordFile, "database.passwordFile");
    pool = mysql.createPool({
      host: config.database.host,
      port: config.database.port,
      user: config.database.user,
      password,
      database: config.database.database,
      connectionLimit: 4,
      connectTimeout: 5000,
      timezone: "Z",
    });
    const log = new MariadbAuditLog(pool);
    await log.init();
    audit = log;
  }
  if (config.stacksDir !== undefined && !(fs.existsSync(config.stacksDir) && fs.statSync(config.stacksDir).isDirectory()))
    throw new HealConfigError("stacksDir", `${config.stacksDir} is not a directory`);
  const notifier = new HealNotifier(new AlertmanagerClient(config.alertmanagerUrl, { timeoutMs: 5000 }), (err, n) =>
    logger.warn(
      { customer: n.part.customer, playbook: n.playbook, err: String((err as Error)?.message ?? err) },
      "could not post the notification to Alertmanager",
    ),
  );
  // a playbook that refuses to act (no founder can be chosen safely) pages on-call the way the budget does
  const pager: Pager = {
    page: async (customer, why) => {
      await notifier.notify({
        kind: "gave-up",
        part: { customer, role: "database" },
        playbook: "galera-full-recovery",
        outcome: "refused",
        summary: `the Galera cluster of ${customer} needs a person`,
        detail: why,
        at: new Date(),
        trigger: "DatabaseDown",
      });
    },
  };
  const seams =
    parts.seams ??
    dockerSeams({
      docker: DockerEngine.forHost(config.runtime.dockerHost),
      stateDir: config.runtime.stateDir ?? dockerRunStateDir(),
      stacksDir: config.stacksDir,
      pager,
    });
  const healer = new Healer({
    playbooks: healPlaybooks(config),
    seams,
    audit,
    notifier,
    budget: config.budget,
    dryRun: config.dryRun,
    log: logger,
  });
  const app = buildHealApp({ logger, healer, token, signatureSecret, bodyLimitBytes: config.bodyLimitBytes, https });
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const timer = new HealTimer({
    healer,
    tickMs: config.tickSeconds * 1000,
    stacksDir: config.stacksDir,
    lines: lineControlOf(seams),
    log: logger,
  });
  timer.start();
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.listen.port;
  logger.info({ host: config.listen.host, port, dryRun: config.dryRun, runtime: seams.runtime }, "lchost heal listening");
  return {
    url: `https://${config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host}:${port}`,
    healer,
    audit,
    timer,
    close: async () => {
      await timer.stop();
      await app.close();
      await healer.idle();
      await pool?.end();
    },
  };
}
