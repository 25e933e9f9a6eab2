/**
 * Steps both migration orders take the same way (new database first, or redeploy the stack file):
 * putting every old line into maintenance until nothing is in flight, and naming the dump file.
 */
import * as fs from "fs";
import * as path from "path";
import type { DeploymentTarget, DeploymentView } from "./deploymentTarget";
import { setMaintenance, waitUntilQuiet } from "./maintenanceClient";
import type { MigrationPlan } from "./migrationPlan";
import type { ProgressLog } from "./progressLog";

/** What both migration orders are given: the plan, where it runs, where progress and the dump go. */
export interface MigrationOptions {
  plan: MigrationPlan;
  target: DeploymentTarget;
  log: ProgressLog;
  /** Where the dump is written (kept: it is the backup of this migration). */
  workDir: string;
  /** Writes the changed stack file (and writes the old text back on rollback). */
  stackFile?: { path: string; oldText: string };
  /** Test hook: called before each named step; a throw there is a failure at that point. */
  beforeStep?: (step: string) => Promise<void>;
}

/** Maintenance on for the old deployment; `started` gets the moment it began, even if the step then fails. */
export function maintenanceOn(log: ProgressLog, old: DeploymentView, plan: MigrationPlan, started: (at: number) => void): Promise<void> {
  return log.step("maintenance on (503 + Retry-After on every line)", async () => {
    started(Date.now());
    await setMaintenance(old.lines, old.adminToken, true, { retryAfterSeconds: Math.max(5, Math.ceil(plan.downtime.seconds * 2)), reason: `edition change to ${plan.to.edition}` });
    await waitUntilQuiet(old.lines, old.adminToken);
  });
}

/** A new, timestamped dump file in the migration's work directory (kept: it is the migration's backup). */
export function newDumpFile(workDir: string, stackName: string): string {
  fs.mkdirSync(workDir, { recursive: true });
  return path.join(workDir, `${stackName}-${new Date().toISOString().replace(/[:.]/g, "-")}.sql`);
}
