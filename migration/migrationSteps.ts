/**
 * Steps both migration orders take the same way (new database first, or redeploy the stack file):
 * putting every old line into maintenance until nothing is in flight, and naming the dump file.
 */
import * as fs from "fs";
import * as path from "path";
import type { DeploymentView } from "./deploymentTarget";
import { setMaintenance, waitUntilQuiet } from "./maintenanceClient";
import type { MigrationPlan } from "./migrationPlan";
import type { ProgressLog } from "./progressLog";

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
