/**
 * lchost migrate <stack> --to <edition> [--lines N]: the operator's runbook for an edition change as one
 * command. Shows the plan first; runs it only after confirmation (a terminal) or with --yes (pipelines).
 */
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { EDITION_IDS, EditionId, editionFacts } from "../../model/catalog";
import { packageRoot } from "../../model/packageRoot";
import { loadStack } from "../../model/stackFile";
import { InputError } from "../../model/inputError";
import type { DeploymentTarget } from "../../migration/deploymentTarget";
import { estimateRows, readUsage } from "../../migration/databaseCopy";
import { planMigration, renderPlan } from "../../migration/migrationPlan";
import { ProgressLog } from "../../migration/progressLog";
import { monthsToCheck } from "../../migration/quotaCheck";
import { MigrationRolledBack, runMigration } from "../../migration/runMigration";
import { CommandSpec, integerIn, Out, ParsedArgs, runCommand, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { cleanupSandboxMigration, holdSandboxTarget, startSandboxTarget } from "./migrateOnSandbox";
import { DOCKER_TARGETS, dockerTargetFor } from "./migrateOnDocker";
import { ALERTMANAGER_URL_ENV, configuredAlertmanagerUrl } from "./maintenance";
import { AlertmanagerClient } from "../../render/alertmanager/api";

export interface MigrateIo {
  isTty: boolean;
  confirm(question: string): Promise<boolean>;
  /** Builds the deployment target the customer runs on; absent: the default (Pulumi through the Automation API). */
  target?: (stack: string, kind: string) => Promise<DeploymentTarget>;
}

const defaultIo: MigrateIo = {
  isTty: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  confirm: (question) =>
    new Promise((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      rl.question(`${question} [y/N] `, (a) => {
        rl.close();
        resolve(/^y(es)?$/i.test(a.trim()));
      });
    }),
};

export class MigrationTargetUnavailable extends InputError {}

async function defaultTarget(_stack: string, kind: string): Promise<DeploymentTarget> {
  throw new MigrationTargetUnavailable(`--target: '${kind}' is not a deployment target (allowed: pulumi (default), docker, sandbox)`);
}

export const migrateSpec: CommandSpec<MigrateIo> = {
  name: "migrate",
  summary: "change a customer's edition (or HA lines) without losing data; --cleanup removes kept old data",
  define: (cmd) => {
    const ha = editionFacts("high-availability").lines; // the catalog's range, not a copy of it
    cmd
      .argument("<stack>", "the customer's stack")
      .option("--to <edition>", `the new edition: ${EDITION_IDS.join(", ")}`)
      .option("--lines <n>", `High Availability lines (${ha.min}-${ha.max})`, integerIn(ha.min, ha.max))
      .option("--force", "move down although usage exceeds the target's quotas")
      .option("--yes", "run without asking (pipelines)")
      .option("--plan", "print the plan and stop")
      .option("--cleanup", "remove the data kept from former deployments")
      .option("--exit", "--target sandbox: stop the sandbox right after the migration")
      .option("--shared-server <stack>", "the shared server of a move to Datacenter")
      .option(
        "--target <target>",
        "pulumi (default): the deployment of 'lchost up'; docker: one of 'lchost up --target docker'; sandbox: run it for real on this machine",
      )
      .option("--stacks-dir <dir>", "work on the stack files in this folder (default: stacks/)")
      .option(
        "--alertmanager <url>",
        `silence the customer's alerts in this Alertmanager during the migration (default: $${ALERTMANAGER_URL_ENV}; none: no silence)`,
      );
  },
  run: (parsed, out, io) => migrate(parsed, out, io ?? defaultIo),
};

/** `lchost migrate` with its arguments (without the command name); tests pass their own io. */
export function migrateCommand(argv: string[], out: Out, io: MigrateIo = defaultIo): Promise<ExitCode> {
  return runCommand(migrateSpec, argv, out, io);
}

async function migrate({ args: positionals, opts }: ParsedArgs, out: Out, io: MigrateIo): Promise<ExitCode> {
  const stackName = positionals[0];
  const stacksDirOpt = stringOpt(opts, "stacksDir");
  const stack = loadStack(stackName, stacksDirOpt !== undefined ? path.resolve(stacksDirOpt) : undefined);
  if (stack.config.role !== "customer")
    throw new UsageError(`${stackName} is a shared-server stack; migrate moves one customer (lchost:role is 'shared-server')`);
  const customerConfig = stack.config;
  const kind = (opts.target as string | undefined) ?? "pulumi";
  if (opts.exit && kind !== "sandbox") throw new UsageError("--exit: only with --target sandbox (it stops the sandbox after the migration)");
  // a sandbox target's processes belong to this command: shown until Ctrl-C (or --exit), then stopped
  let release = (t: DeploymentTarget) => t.close();
  const getTarget = async (name: string, k: string): Promise<DeploymentTarget> => {
    if ((DOCKER_TARGETS as readonly string[]).includes(k) && !io.target) return dockerTargetFor(stack, k as (typeof DOCKER_TARGETS)[number], out);
    if (k === "sandbox" && !io.target) {
      const sandbox = await startSandboxTarget(stack, { to: opts.to as string | undefined, sharedServer: opts.sharedServer as string | undefined, log: out });
      release = () => holdSandboxTarget(sandbox, Boolean(opts.exit), out);
      return sandbox;
    }
    try {
      return await (io.target ?? defaultTarget)(name, k);
    } catch (e) {
      if (e instanceof MigrationTargetUnavailable) throw new UsageError(e.message);
      throw e;
    }
  };

  if (opts.cleanup) {
    if (opts.to) throw new UsageError("--cleanup removes kept data of former deployments; it does not take --to");
    if (!opts.yes && !io.isTty) throw new UsageError("--cleanup deletes data: confirm on a terminal or pass --yes");
    if (!opts.yes && !(await io.confirm(`Remove the data kept from ${stackName}'s former deployments?`))) return EXIT.notConfirmed;
    let removed: string[];
    if (kind === "sandbox" && !io.target) removed = await cleanupSandboxMigration(stackName);
    else {
      const t = await getTarget(stackName, kind);
      removed = await t.cleanup().finally(() => release(t));
    }
    out(removed.length ? `removed: ${removed.join(", ")}` : "nothing kept from former deployments");
    return EXIT.ok;
  }

  const to = opts.to as string | undefined;
  if (!to) throw new UsageError("--to <edition> is required");
  if (!(EDITION_IDS as readonly string[]).includes(to)) throw new UsageError(`--to: '${to}' is not an edition (allowed: ${EDITION_IDS.join(", ")})`);
  const lines = opts.lines as number | undefined; // parsed and range-checked by integerIn
  if (lines !== undefined && to !== "high-availability") throw new UsageError(`--lines: only with --to high-availability (got --to ${to})`);
  const alertmanager = configuredAlertmanagerUrl(opts, process.env);
  const text = fs.readFileSync(stack.path, "utf8");
  const planOnly = Boolean(opts.plan);
  // refuse before touching anything: a pipeline must say --yes
  if (!planOnly && !opts.yes && !io.isTty) throw new UsageError("not a terminal: pass --yes to run the migration from a pipeline");
  const target = planOnly ? undefined : await getTarget(stackName, kind);
  try {
    return await planAndRun(target);
  } finally {
    if (target) await release(target);
  }

  async function planAndRun(target: DeploymentTarget | undefined): Promise<ExitCode> {
    const view = target ? await target.current() : undefined;
    const plan = planMigration({
      stackName,
      stackFileText: text,
      stackFilePath: stack.path,
      current: customerConfig,
      target: { edition: to as EditionId, lines },
      usage: view ? await readUsage(view.database, monthsToCheck(new Date())) : [],
      rows: view ? await estimateRows(view.database) : 0,
      force: Boolean(opts.force),
      sharedServer: opts.sharedServer as string | undefined,
      // the window is the one of the order that runs: the sandbox's, or a whole-stack update on Docker
      order: target?.order ?? (kind === "sandbox" ? "staged" : "redeploy"),
      stagesGeneration: kind !== "pulumi", // docker-run starts a new generation beside the old deployment; `pulumi up` cannot
    });
    for (const l of renderPlan(plan)) out(l);
    if (!view) out("(plan only: usage not read, so the quota check and the downtime estimate assume an empty database)");
    if (plan.refusals.length) return EXIT.findings;
    if (planOnly) return EXIT.ok;
    if (!opts.yes) {
      if (!(await io.confirm(`Run this migration of ${stackName}?`))) {
        out("not confirmed; nothing changed");
        return EXIT.notConfirmed;
      }
    }
    const log = new ProgressLog(out, io.isTty);
    try {
      const r = await runMigration({
        plan,
        target: target!,
        log,
        workDir: path.join(packageRoot(), ".migrations", stackName),
        stackFile: { path: stack.path, oldText: text },
        alertSilencer: alertmanager ? new AlertmanagerClient(alertmanager) : undefined,
      });
      out(r.message);
      out(`downtime per step: ${r.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(2)} s`).join("; ")}`);
      return EXIT.ok;
    } catch (e) {
      // the rollback report (what failed, that the old edition serves its intact data) is the answer: on stdout
      if (e instanceof MigrationRolledBack) {
        out(e.message);
        throw new RuntimeFailure(`migration of ${stackName} rolled back; ${stackName} stays on ${customerConfig.edition}`);
      }
      throw e;
    }
  }
}
