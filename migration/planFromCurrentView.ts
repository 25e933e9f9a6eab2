/**
 * Plans an edition change of a running deployment: the stack file as it is on disk, the usage and the
 * row count read from the customer's database through the target, and the order that target runs (its
 * window is the one estimated). One helper for the bench, the tests and anything else that migrates a
 * deployment it holds a target for.
 */
import * as fs from "fs";
import type { EditionId } from "../model/catalog";
import { parseStackFileText } from "../model/stackFile";
import type { CustomerConfig } from "../model/stackConfig";
import { estimateRows, readUsage } from "./databaseCopy";
import type { DeploymentTarget } from "./deploymentTarget";
import { MigrationPlan, planMigration } from "./migrationPlan";
import { monthsToCheck } from "./quotaCheck";

export interface PlanFromCurrentViewInput {
  stackName: string;
  /** The stack file (read now; the migration writes the changed one there). */
  stackPath: string;
  target: DeploymentTarget;
  to: { edition: EditionId; lines?: number };
  force?: boolean;
  sharedServer?: string;
  now?: Date;
}

export interface PlannedChange {
  plan: MigrationPlan;
  /** The stack file's text the plan started from (runMigration's stackFile.oldText). */
  text: string;
  current: CustomerConfig;
}

export async function planFromCurrentView(input: PlanFromCurrentViewInput): Promise<PlannedChange> {
  const text = fs.readFileSync(input.stackPath, "utf8");
  const config = parseStackFileText(text, input.stackPath).config;
  if (config.role !== "customer") throw new Error(`${input.stackPath}: a shared-server stack; an edition change moves one customer`);
  const view = await input.target.current();
  const plan = planMigration({
    stackName: input.stackName,
    stackFileText: text,
    stackFilePath: input.stackPath,
    current: config,
    target: input.to,
    usage: await readUsage(view.database, monthsToCheck(input.now ?? new Date())),
    rows: await estimateRows(view.database),
    force: input.force,
    sharedServer: input.sharedServer,
    order: input.target.order,
    stagesGeneration: input.target.order === "redeploy" ? input.target.stagesGeneration : undefined,
  });
  return { plan, text, current: config };
}
