/**
 * What both migration orders (stagedOrder.ts: new side first; redeployOrder.ts: the whole stack file
 * deployed) share: the run's context, the steps they take the same way (read the deployment,
 * maintenance on with its undo, dump, source checksums, verify, write the stack file) and how a run
 * ends (migrated, or rolled back with a verdict on the old data).
 */
import * as fs from "fs";
import * as path from "path";
import type { AlertSilencer } from "../render/alertmanager/api";
import { dumpDatabase, tableChecksums } from "./databaseCopy";
import type { DeploymentTarget, DeploymentView } from "./deploymentTarget";
import { setMaintenance, waitUntilQuiet } from "./maintenanceClient";
import { migratedResult, MigrationResult, oldDataVerdict, rolledBack } from "./migrationOutcome";
import type { MigrationPlan } from "./migrationPlan";
import type { ProgressLog } from "./progressLog";
import { AuditFile, runSteps, Step, StepsRolledBack } from "./stepRunner";
import { compareChecksums, TableChecksum } from "./tableChecksums";
import { WINDOW_STEP } from "./windowSteps";

export interface MigrationOptions<T extends DeploymentTarget = DeploymentTarget> {
  plan: MigrationPlan;
  target: T;
  log: ProgressLog;
  /** Where the dump is written (kept: it is the backup of this migration), and the audit lines (`<stack>-audit.jsonl`). */
  workDir: string;
  /** Writes the changed stack file (and writes the old text back on rollback). */
  stackFile?: { path: string; oldText: string };
  /** Test hook: called before each named step; a throw there is a failure at that point. */
  beforeStep?: (step: string) => Promise<void>;
  /** The operations stack's Alertmanager: the customer's alerts are silenced for the run (alertSilence.ts). */
  alertSilencer?: AlertSilencer;
  /**
   * How long new (or rolled-back) lines may take to answer /readyz before the run fails and rolls back
   * (default READY_TIMEOUT_MS: a line starts in seconds; a minute means it will not).
   */
  readyTimeoutMs?: number;
}

export const READY_TIMEOUT_MS = 60_000;

export const readyTimeout = (c: { opts: { readyTimeoutMs?: number } }, fallback = READY_TIMEOUT_MS): number => c.opts.readyTimeoutMs ?? fallback;

/** What the steps of one run read and write. */
export interface MigrationRun<T extends DeploymentTarget = DeploymentTarget> {
  opts: MigrationOptions<T>;
  plan: MigrationPlan;
  target: T;
  /** The deployment before the change (read by the first step). */
  old?: DeploymentView;
  /** The deployment whose data a rollback checks and takes out of maintenance (the old one, or it deployed again). */
  rollbackView?: DeploymentView;
  /** Why a rollback could not bring the old deployment back (its data is then not checked). */
  rollbackBroken?: string;
  maintenanceOnAt: number;
  maintenanceOffAt: number;
  dumpFile?: string;
  source: TableChecksum[];
  verified: TableChecksum[][];
  stackFileWritten: boolean;
  /** The verdict on the old data, taken during the rollback while it is still in maintenance. */
  intact?: string;
  retained: string[];
  /** The alert silence of this run while it lasts (alertSilence.ts). */
  silenceId?: string;
}

export function newRun<T extends DeploymentTarget>(opts: MigrationOptions<T>): MigrationRun<T> {
  return {
    opts,
    plan: opts.plan,
    target: opts.target,
    maintenanceOnAt: 0,
    maintenanceOffAt: 0,
    source: [],
    verified: [],
    stackFileWritten: false,
    retained: [],
  };
}

const old = (c: MigrationRun) => {
  if (!c.old) throw new Error("the current deployment was not read");
  return c.old;
};

export function readCurrentStep<R extends MigrationRun<any>>(): Step<R> {
  return {
    name: "read the current deployment",
    run: async (c) => {
      const view = await c.target.current();
      c.old = view;
      return `${view.shape.edition}, ${view.lines.length} line(s)`;
    },
  };
}

/** The verdict on the old deployment's data (its checksums against the dump's), while it is still in maintenance. */
async function judgeOldData(c: MigrationRun): Promise<string> {
  if (c.rollbackBroken) return `not checked: deploying the old stack again failed (${c.rollbackBroken}); the dump ${c.dumpFile} holds the data`;
  const view = c.rollbackView ?? old(c);
  return oldDataVerdict(c.source, view.database, view.galera);
}

/** Maintenance on for the old deployment until nothing is in flight; its undo checks the old data, then lifts maintenance there. */
export function maintenanceOnStep<R extends MigrationRun<any>>(): Step<R> {
  return {
    name: WINDOW_STEP.maintenanceOn,
    hook: "maintenance",
    undoAfterOwnFailure: true, // some lines may already be in maintenance
    run: async (c) => {
      c.maintenanceOnAt = Date.now();
      const o = old(c);
      await setMaintenance(o.lines, o.adminToken, true, {
        retryAfterSeconds: Math.max(5, Math.ceil(c.plan.downtime.seconds * 2)),
        reason: `edition change to ${c.plan.to.edition}`,
      });
      await waitUntilQuiet(o.lines, o.adminToken);
    },
    undo: {
      name: "check the old data, maintenance off on the old deployment",
      run: async (c) => {
        c.intact = await judgeOldData(c);
        if (c.rollbackBroken) throw new Error(`left in maintenance: ${c.rollbackBroken}`);
        const view = c.rollbackView ?? old(c);
        await setMaintenance(view.lines, view.adminToken, false);
      },
    },
  };
}

/** A new, timestamped dump file in the migration's work directory (kept: it is the migration's backup). */
export function newDumpFile(workDir: string, stackName: string): string {
  fs.mkdirSync(workDir, { recursive: true });
  return path.join(workDir, `${stackName}-${new Date().toISOString().replace(/[:.]/g, "-")}.sql`);
}

/**
 * The dump (by default mariadb-dump over TCP from this machine) and the source's checksums, side by side:
 * both only read a database that is in maintenance and quiet, so they see the same data, and inside the
 * window their times overlap instead of adding up. (Should a write slip in between, verify fails and the
 * migration rolls back.)
 */
export function dumpSteps<R extends MigrationRun<any>>(
  dump: (c: R, file: string) => Promise<{ bytes: number }> = (c, f) => dumpDatabase(old(c).database, f),
): Step<R>[] {
  return [
    {
      name: WINDOW_STEP.dump,
      hook: "dump",
      run: async (c) => {
        c.dumpFile = newDumpFile(c.opts.workDir, c.plan.stackName);
        // both settle before the step ends, so a failure of one never leaves the other running into the rollback
        const [dumped, checked] = await Promise.allSettled([dump(c, c.dumpFile), tableChecksums(old(c).database, { galera: old(c).galera })]);
        if (checked.status === "fulfilled") c.source = checked.value; // the rollback's verdict on the old data uses them
        if (dumped.status === "rejected") throw dumped.reason;
        if (checked.status === "rejected") throw checked.reason;
        const [r, source] = [dumped.value, checked.value];
        const rows = source.reduce((a, t) => a + t.rows, 0);
        return `${(r.bytes / 1024).toFixed(0)} KiB -> ${c.dumpFile}; source: ${source.length} tables, ${rows} rows`;
      },
    },
  ];
}

/** Every node of the new database against the source's checksums. */
export function verifyStep<R extends MigrationRun<any>>(newDatabase: (c: R) => { nodes: DeploymentView["databaseNodes"]; galera: boolean }): Step<R> {
  return {
    name: WINDOW_STEP.verify,
    hook: "verify",
    run: async (c) => {
      const { nodes, galera } = newDatabase(c);
      // every node at once (each its own server; inside the window the nodes' reads overlap instead of adding up)
      const results = await Promise.all(nodes.map(async (node) => ({ node, got: await tableChecksums(node, { galera }) })));
      const problems = results.flatMap(({ node, got }) => {
        const diff = compareChecksums(c.source, got);
        return diff.length ? [`${node.host}:${node.port}/${node.database}: ${diff.map((d) => d.message).join("; ")}`] : [];
      });
      if (problems.length) throw new Error(problems.join(" | "));
      c.verified.push(...results.map((r) => r.got));
      return `${c.source.length} tables identical on ${nodes.length} node(s)`;
    },
  };
}

export function writeOldStackFile(c: MigrationRun): void {
  fs.writeFileSync(c.opts.stackFile!.path, c.opts.stackFile!.oldText);
  c.stackFileWritten = false;
}

/** Writes the changed stack file (`text`: the plan's, or a variant of it); undo: the old text back. */
export function writeStackFileStep<R extends MigrationRun<any>>(text: (c: R) => string = (c) => c.plan.stackFile.text): Step<R> {
  return {
    name: "write the stack file",
    hook: "stack-file",
    when: (c) => Boolean(c.opts.stackFile),
    run: async (c) => {
      fs.writeFileSync(c.opts.stackFile!.path, text(c));
      c.stackFileWritten = true;
    },
    undo: { name: "write the old stack file back", when: (c) => c.stackFileWritten, run: async (c) => writeOldStackFile(c) },
  };
}

/** Runs an order's steps; answers the result, or throws MigrationRolledBack with the verdict on the old data. */
export async function runOrder<R extends MigrationRun<any>>(run: R, steps: ReadonlyArray<Step<R>>): Promise<MigrationResult> {
  const { opts, plan } = run;
  const evidence = () => ({ plan, steps: opts.log.steps, source: run.source, verified: run.verified, dumpFile: run.dumpFile });
  try {
    await runSteps(steps, run, {
      log: opts.log,
      beforeStep: opts.beforeStep,
      audit: new AuditFile(path.join(opts.workDir, `${plan.stackName}-audit.jsonl`), { stack: plan.stackName, order: run.target.order, to: plan.to.edition }),
    });
  } catch (e) {
    if (!(e instanceof StepsRolledBack) || !run.old) throw e instanceof StepsRolledBack ? e.failure : e;
    const why = e.message.split("\n")[0];
    const intact = run.intact ?? (await judgeOldData(run));
    const maintenanceMs = run.maintenanceOnAt ? Date.now() - run.maintenanceOnAt : 0;
    const rollback = rolledBack({ ...evidence(), maintenanceMs, why, oldEdition: run.old.shape.edition, intact });
    opts.log.info(rollback.message);
    throw rollback;
  }
  return migratedResult({ ...evidence(), maintenanceMs: run.maintenanceOffAt - run.maintenanceOnAt, retained: run.retained });
}

/** Maintenance off on `lines`: the point of no return (the new deployment serves); records when the window ended. */
export function maintenanceOffStep<R extends MigrationRun<any>>(
  name: string,
  view: (c: R) => DeploymentView | { lines: DeploymentView["lines"]; adminToken: string },
): Step<R> {
  return {
    name,
    pointOfNoReturn: true,
    run: async (c) => {
      const v = view(c);
      await setMaintenance(v.lines, v.adminToken, false);
      c.maintenanceOffAt = Date.now();
    },
  };
}
