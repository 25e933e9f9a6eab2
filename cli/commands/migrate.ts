/**
 * lchost migrate <stack> --to <edition> [--lines N]: the operator's runbook for an edition change as one
 * command. Shows the plan first; runs it only after confirmation (a terminal) or with --yes (pipelines).
 */
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { EDITION_IDS, EditionId } from "../../editions/catalog";
import { packageRoot } from "../../editions/packageRoot";
import { loadStack } from "../../model/stackFile";
import type { DeploymentTarget } from "../../migration/deploymentTarget";
import { estimateRows, readUsage } from "../../migration/databaseCopy";
import { planMigration, renderPlan } from "../../migration/migrationPlan";
import { ProgressLog } from "../../migration/progressLog";
import { monthsToCheck } from "../../migration/quotaCheck";
import { MigrationRolledBack, runMigration } from "../../migration/runMigration";
import { parseArgs, UsageError } from "../args";
import { cleanupSandboxMigration, holdSandboxTarget, startSandboxTarget } from "./migrateOnSandbox";
import { DOCKER_TARGETS, dockerTargetFor } from "./migrateOnDocker";

export const migrateUsage =
  "lchost migrate <stack> --to <edition> [--lines N] [--force] [--yes] [--plan] [--shared-server S] [--target pulumi|docker|sandbox [--exit]] [--stacks-dir D]  |  lchost migrate <stack> --cleanup [--yes] [--target pulumi|docker|sandbox]\n" +
  "    --target pulumi (default): the deployment of 'lchost up' (pulumi up on the stack's docker:host); docker: one deployed on this machine's Docker engine by 'lchost up <stack> --target docker', without Pulumi";

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

export class MigrationTargetUnavailable extends Error {}

async function defaultTarget(_stack: string, kind: string): Promise<DeploymentTarget> {
  throw new MigrationTargetUnavailable(`--target: '${kind}' is not a deployment target (allowed: pulumi (default), docker, sandbox)`);
}

export async function migrateCommand(argv: string[], out: (s: string) => void, io: MigrateIo = defaultIo): Promise<number> {
  const args = parseArgs(argv, { boolean: ["yes", "force", "plan", "cleanup", "exit"], string: ["to", "lines", "shared-server", "target", "stacks-dir"] });
  const [stackName, ...extra] = args.positionals;
  if (!stackName || extra.length) throw new UsageError("give exactly one stack name");
  const stack = loadStack(stackName, typeof args.flags["stacks-dir"] === "string" ? path.resolve(args.flags["stacks-dir"]) : undefined);
  if (stack.config.role !== "customer") throw new UsageError(`${stackName} is a shared-server stack; migrate moves one customer (lchost:role is 'shared-server')`);
  const customerConfig = stack.config;
  const kind = (args.flags.target as string | undefined) ?? "pulumi";
  if (args.flags.exit && kind !== "sandbox") throw new UsageError("--exit: only with --target sandbox (it stops the sandbox after the migration)");
  // a sandbox target's processes belong to this command: shown until Ctrl-C (or --exit), then stopped
  let release = (t: DeploymentTarget) => t.close();
  const getTarget = async (name: string, k: string): Promise<DeploymentTarget> => {
    if ((DOCKER_TARGETS as readonly string[]).includes(k) && !io.target) return dockerTargetFor(stack, k as (typeof DOCKER_TARGETS)[number], out);
    if (k === "sandbox" && !io.target) {
      const sandbox = await startSandboxTarget(stack, { to: args.flags.to as string | undefined, sharedServer: args.flags["shared-server"] as string | undefined, log: out });
      release = () => holdSandboxTarget(sandbox, Boolean(args.flags.exit), out);
      return sandbox;
    }
    try {
      return await (io.target ?? defaultTarget)(name, k);
    } catch (e) {
      if (e instanceof MigrationTargetUnavailable) throw new UsageError(e.message);
      throw e;
    }
  };

  if (args.flags.cleanup) {
    if (args.flags.to) throw new UsageError("--cleanup removes kept data of former deployments; it does not take --to");
    if (!args.flags.yes && !io.isTty) throw new UsageError("--cleanup deletes data: confirm on a terminal or pass --yes");
    if (!args.flags.yes && !(await io.confirm(`Remove the data kept from ${stackName}'s former deployments?`))) return 1;
    let removed: string[];
    if (kind === "sandbox" && !io.target) removed = await cleanupSandboxMigration(stackName);
    else {
      const t = await getTarget(stackName, kind);
      removed = await t.cleanup().finally(() => release(t));
    }
    out(removed.length ? `removed: ${removed.join(", ")}` : "nothing kept from former deployments");
    return 0;
  }

  const to = args.flags.to as string | undefined;
  if (!to) throw new UsageError("--to <edition> is required");
  if (!(EDITION_IDS as readonly string[]).includes(to)) throw new UsageError(`--to: '${to}' is not an edition (allowed: ${EDITION_IDS.join(", ")})`);
  let lines: number | undefined;
  if (args.flags.lines !== undefined) {
    lines = Number(args.flags.lines);
    if (!Number.isInteger(lines)) throw new UsageError(`--lines: '${args.flags.lines}' must be an integer`);
    if (to !== "high-availability") throw new UsageError(`--lines: only with --to high-availability (got --to ${to})`);
  }
  const text = fs.readFileSync(stack.path, "utf8");
  const planOnly = Boolean(args.flags.plan);
  // refuse before touching anything: a pipeline must say --yes
  if (!planOnly && !args.flags.yes && !io.isTty) throw new UsageError("not a terminal: pass --yes to run the migration from a pipeline");
  const target = planOnly ? undefined : await getTarget(stackName, kind);
  try {
    return await planAndRun(target);
  } finally {
    if (target) await release(target);
  }

  async function planAndRun(target: DeploymentTarget | undefined): Promise<number> {
    const view = target ? await target.current() : undefined;
    const plan = planMigration({
      stackName,
      stackFileText: text,
      stackFilePath: stack.path,
      current: customerConfig,
      target: { edition: to as EditionId, lines },
      usage: view ? await readUsage(view.database, monthsToCheck(new Date())) : [],
      rows: view ? await estimateRows(view.database) : 0,
      force: Boolean(args.flags.force),
      sharedServer: args.flags["shared-server"] as string | undefined,
      // the window is the one of the order that runs: the sandbox's, or a whole-stack update on Docker
      order: target?.order ?? (kind === "sandbox" ? "staged" : "redeploy"),
      newDatabaseBeforeMaintenance: kind !== "pulumi", // docker-run starts it beside the old deployment; `pulumi up` cannot
    });
    for (const l of renderPlan(plan)) out(l);
    if (!view) out("(plan only: usage not read, so the quota check and the downtime estimate assume an empty database)");
    if (plan.refusals.length) return 1;
    if (planOnly) return 0;
    if (!args.flags.yes) {
      if (!(await io.confirm(`Run this migration of ${stackName}?`))) {
        out("not confirmed; nothing changed");
        return 1;
      }
    }
    const log = new ProgressLog(out, io.isTty);
    try {
      const r = await runMigration({ plan, target: target!, log, workDir: path.join(packageRoot(), ".migrations", stackName), stackFile: { path: stack.path, oldText: text } });
      out(r.message);
      out(`downtime per step: ${r.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(2)} s`).join("; ")}`);
      return 0;
    } catch (e) {
      if (e instanceof MigrationRolledBack) {
        out(e.message);
        return 3;
      }
      throw e;
    }
  }
}
