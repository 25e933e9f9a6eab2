/**
 * The heal service's configuration file (`lchost heal serve --config <file>`, JSON). Every problem is a
 * HealConfigError naming the field; secrets are never in the file itself, only the paths of files holding them.
 */
import * as fs from "fs";
import type { BudgetPolicy } from "../actionBudget";
import { checkPolicy } from "../actionBudget";

export class HealConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface HealDatabaseConfig {
  host: string;
  port: number;
  user: string;
  /** File holding the database password (mode 0600); never the password itself. */
  passwordFile: string;
  database: string;
}

export interface HealRuntimeConfig {
  /** Docker deployments (`lchost up --target docker`); the sandbox's seams are in-process only (heal/seams/sandbox*.ts). */
  kind: "docker";
  /** Where `lchost up --target docker` keeps each stack's plan (default .docker-run of the package). */
  stateDir?: string;
  /** docker:host of the deployments (default: the local socket). */
  dockerHost?: string;
}

export interface CrashLoopSettings {
  /** A part the runtime restarted at least this often (since it was created) is crash-looping. */
  restartsAtLeast: number;
  /** A part unhealthy (or down) at least this long, by the alert's startsAt, is acted on. */
  unhealthyForMinutes: number;
  /** After a recreate the part must stay running and healthy this long for the action to count as a success. */
  settleSeconds: number;
}

export interface FsbHangSettings {
  /** A signature slower than this (or none) means the FSB hangs. */
  signTimeoutMs: number;
  /** How long the line stays drained (no new requests) before it goes to maintenance. */
  drainTimeoutMs: number;
  /** How long the restarted FSB has to sign again before the playbook gives up (the line stays out). */
  recoverTimeoutMs: number;
}

export interface GaleraSettings {
  /** Nodes that run but do not serve yet are left to Galera's own recovery this long after the outage began. */
  startGraceSeconds: number;
  /** The founder must be a primary component within this. */
  foundTimeoutSeconds: number;
  /** The joiners must be synced members within this. */
  joinTimeoutSeconds: number;
}

export interface HealConfig {
  listen: { host: string; port: number };
  /** HTTPS with a client certificate requested and verified against clientCaFile. */
  tls: { certFile: string; keyFile: string; clientCaFile: string };
  /** File with the bearer token Alertmanager presents (http_config.authorization.credentials_file). */
  tokenFile: string;
  /** File with the HMAC secret of X-Lchost-Signature (senders other than Alertmanager); absent: the header is not accepted. */
  signatureSecretFile?: string;
  dryRun: boolean;
  bodyLimitBytes: number;
  database: HealDatabaseConfig;
  /** Alertmanager's base URL: HealAction / HealGaveUp are posted to its API v2. */
  alertmanagerUrl: string;
  runtime: HealRuntimeConfig;
  budget: BudgetPolicy;
  crashLoop: CrashLoopSettings;
  fsbHang: FsbHangSettings;
  galera: GaleraSettings;
  /** A database node down this long counts as lost: its lines move to a serving node. */
  lostNode: { lostAfterMinutes: number };
  /**
   * The folder of the stack files `lchost up --target docker` deployed (read-write: extra lines are written there).
   * Absent: no line control — `lchost:extraLines` deadlines and `lchost:autoscale` are not acted on by this service.
   */
  stacksDir?: string;
  /** The service's timer: autoscale ticks, due extra lines, alerts of the playbooks that wait (heal/service/healer.ts recheck). */
  tickSeconds: number;
  logLevel: string;
}

export const HEAL_DEFAULTS = {
  bodyLimitBytes: 1024 * 1024,
  budget: { maxAttempts: 3, windowMs: 60 * 60_000, minIntervalMs: 5 * 60_000 },
  crashLoop: { restartsAtLeast: 3, unhealthyForMinutes: 5, settleSeconds: 30 },
  fsbHang: { signTimeoutMs: 2000, drainTimeoutMs: 1000, recoverTimeoutMs: 60_000 },
  galera: { startGraceSeconds: 120, foundTimeoutSeconds: 90, joinTimeoutSeconds: 150 },
  lostNode: { lostAfterMinutes: 10 },
  tickSeconds: 15,
  logLevel: "info",
} as const;

type Obj = Record<string, unknown>;

function obj(v: unknown, field: string, optional = false): Obj | undefined {
  if (v === undefined && optional) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new HealConfigError(field, "must be an object");
  return v as Obj;
}

function known(o: Obj, field: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new HealConfigError(field ? `${field}.${k}` : k, `unknown field (allowed: ${keys.join(", ")})`);
}

function str(o: Obj, k: string, field: string, optional = false): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v.length === 0) throw new HealConfigError(`${field}${k}`, "is required and must be a non-empty string");
  return v;
}

function int(o: Obj, k: string, field: string, min: number, max: number, dflt?: number): number {
  const v = o[k];
  if (v === undefined && dflt !== undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    throw new HealConfigError(`${field}${k}`, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v as number;
}

export function parseHealConfig(raw: unknown, overrides: { dryRun?: boolean } = {}): HealConfig {
  const top = obj(raw, "(config)")!;
  known(top, "", [
    "listen",
    "tls",
    "tokenFile",
    "signatureSecretFile",
    "dryRun",
    "bodyLimitBytes",
    "database",
    "alertmanagerUrl",
    "runtime",
    "budget",
    "crashLoop",
    "fsbHang",
    "galera",
    "lostNode",
    "stacksDir",
    "tickSeconds",
    "logLevel",
  ]);
  const listen = obj(top.listen, "listen")!;
  known(listen, "listen", ["host", "port"]);
  const tls = obj(top.tls, "tls")!;
  known(tls, "tls", ["certFile", "keyFile", "clientCaFile"]);
  const db = obj(top.database, "database")!;
  known(db, "database", ["host", "port", "user", "passwordFile", "database"]);
  const runtime = obj(top.runtime, "runtime")!;
  known(runtime, "runtime", ["kind", "stateDir", "dockerHost"]);
  if (runtime.kind !== "docker")
    throw new HealConfigError("runtime.kind", `must be "docker" (the sandbox's seams run in-process with the sandbox; got ${JSON.stringify(runtime.kind)})`);
  if (top.dryRun !== undefined && typeof top.dryRun !== "boolean") throw new HealConfigError("dryRun", "must be true or false");
  const am = str(top, "alertmanagerUrl", "")!;
  try {
    const u = new URL(am);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new HealConfigError("alertmanagerUrl", `must be an http(s) URL (got ${JSON.stringify(am)})`);
  }
  const b = obj(top.budget, "budget", true) ?? {};
  known(b, "budget", ["maxAttempts", "windowMinutes", "minIntervalSeconds"]);
  const budget: BudgetPolicy = {
    maxAttempts: int(b, "maxAttempts", "budget.", 1, 100, HEAL_DEFAULTS.budget.maxAttempts),
    windowMs: int(b, "windowMinutes", "budget.", 1, 7 * 24 * 60, HEAL_DEFAULTS.budget.windowMs / 60_000) * 60_000,
    minIntervalMs: int(b, "minIntervalSeconds", "budget.", 0, 24 * 3600, HEAL_DEFAULTS.budget.minIntervalMs / 1000) * 1000,
  };
  checkPolicy(budget);
  const c = obj(top.crashLoop, "crashLoop", true) ?? {};
  known(c, "crashLoop", ["restartsAtLeast", "unhealthyForMinutes", "settleSeconds"]);
  const f = obj(top.fsbHang, "fsbHang", true) ?? {};
  known(f, "fsbHang", ["signTimeoutMs", "drainTimeoutMs", "recoverTimeoutMs"]);
  const g = obj(top.galera, "galera", true) ?? {};
  known(g, "galera", ["startGraceSeconds", "foundTimeoutSeconds", "joinTimeoutSeconds"]);
  const ln = obj(top.lostNode, "lostNode", true) ?? {};
  known(ln, "lostNode", ["lostAfterMinutes"]);
  return {
    listen: { host: str(listen, "host", "listen.")!, port: int(listen, "port", "listen.", 1, 65535) },
    tls: { certFile: str(tls, "certFile", "tls.")!, keyFile: str(tls, "keyFile", "tls.")!, clientCaFile: str(tls, "clientCaFile", "tls.")! },
    tokenFile: str(top, "tokenFile", "")!,
    signatureSecretFile: str(top, "signatureSecretFile", "", true),
    dryRun: overrides.dryRun === true || top.dryRun === true,
    bodyLimitBytes: int(top, "bodyLimitBytes", "", 1024, 16 * 1024 * 1024, HEAL_DEFAULTS.bodyLimitBytes),
    database: {
      host: str(db, "host", "database.")!,
      port: int(db, "port", "database.", 1, 65535, 3306),
      user: str(db, "user", "database.")!,
      passwordFile: str(db, "passwordFile", "database.")!,
      database: str(db, "database", "database.")!,
    },
    alertmanagerUrl: am,
    runtime: { kind: "docker", stateDir: str(runtime, "stateDir", "runtime.", true), dockerHost: str(runtime, "dockerHost", "runtime.", true) },
    budget,
    crashLoop: {
      restartsAtLeast: int(c, "restartsAtLeast", "crashLoop.", 1, 1000, HEAL_DEFAULTS.crashLoop.restartsAtLeast),
      unhealthyForMinutes: int(c, "unhealthyForMinutes", "crashLoop.", 0, 24 * 60, HEAL_DEFAULTS.crashLoop.unhealthyForMinutes),
      settleSeconds: int(c, "settleSeconds", "crashLoop.", 0, 3600, HEAL_DEFAULTS.crashLoop.settleSeconds),
    },
    fsbHang: {
      signTimeoutMs: int(f, "signTimeoutMs", "fsbHang.", 50, 120_000, HEAL_DEFAULTS.fsbHang.signTimeoutMs),
      drainTimeoutMs: int(f, "drainTimeoutMs", "fsbHang.", 0, 600_000, HEAL_DEFAULTS.fsbHang.drainTimeoutMs),
      recoverTimeoutMs: int(f, "recoverTimeoutMs", "fsbHang.", 1000, 600_000, HEAL_DEFAULTS.fsbHang.recoverTimeoutMs),
    },
    galera: {
      startGraceSeconds: int(g, "startGraceSeconds", "galera.", 0, 3600, HEAL_DEFAULTS.galera.startGraceSeconds),
      foundTimeoutSeconds: int(g, "foundTimeoutSeconds", "galera.", 5, 3600, HEAL_DEFAULTS.galera.foundTimeoutSeconds),
      joinTimeoutSeconds: int(g, "joinTimeoutSeconds", "galera.", 5, 3 * 3600, HEAL_DEFAULTS.galera.joinTimeoutSeconds),
    },
    lostNode: { lostAfterMinutes: int(ln, "lostAfterMinutes", "lostNode.", 1, 7 * 24 * 60, HEAL_DEFAULTS.lostNode.lostAfterMinutes) },
    stacksDir: str(top, "stacksDir", "", true),
    tickSeconds: int(top, "tickSeconds", "", 1, 3600, HEAL_DEFAULTS.tickSeconds),
    logLevel: typeof top.logLevel === "string" ? top.logLevel : HEAL_DEFAULTS.logLevel,
  };
}

/** Reads a secret file (token, HMAC secret, password): trimmed, non-empty; the error names the config field, never the content. */
export function readSecretFile(file: string, field: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new HealConfigError(field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const v = text.trim();
  if (v.length < 16) throw new HealConfigError(field, `${file} must hold a secret of at least 16 characters`);
  return v;
}

export function loadHealConfig(file: string, overrides: { dryRun?: boolean } = {}): HealConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new HealConfigError("--config", `${file}: ${(e as Error).message}`);
  }
  return parseHealConfig(raw, overrides);
}
