/**
 * Runs a planned change on a deployment target with the order that target takes: a staged target
 * (stagedOrder.ts: new side first, then maintenance) or a target that deploys the whole stack file
 * (redeployOrder.ts). Both are lists of steps with their undos, run by one runner (stepRunner.ts);
 * changing the number of High Availability lines is a list of its own, without maintenance.
 */
import * as fs from "fs";
import * as path from "path";
import type { DeploymentTarget, StagedTarget } from "./deploymentTarget";
import { MigrationResult, MigrationRolledBack } from "./migrationOutcome";
import { MigrationOptions, newRun, runOrder } from "./migrationSteps";
import { redeploySteps } from "./redeployOrder";
import { stagedSteps } from "./stagedOrder";
import { AuditFile, runSteps } from "./stepRunner";

export { MigrationOptions, MigrationResult, MigrationRolledBack };

export async function runMigration(opts: MigrationOptions): Promise<MigrationResult> {
  const { plan, target } = opts;
  if (plan.refusals.length) throw new Error(`the plan is refused:\n${plan.refusals.map((r) => `  - ${r}`).join("\n")}`);
  if (plan.kind === "scale-lines") return scaleLines(opts, target);
  switch (target.order) {
    case "staged":
      return runOrder(newRun({ ...opts, target }), stagedSteps());
    case "redeploy":
      if (!opts.stackFile) throw new Error(`${target.name} deploys the stack file: runMigration needs stackFile`);
      return runOrder(newRun({ ...opts, target }), redeploySteps());
  }
}

async function scaleLines(opts: MigrationOptions, target: DeploymentTarget): Promise<MigrationResult> {
  const { plan, log } = opts;
  if (target.order !== "staged") {
    throw new Error(
      `${target.name}: changing the number of High Availability lines is not offered on this target yet; set lchost:lines and run 'lchost up' (the balancer container is recreated: a few seconds without service)`,
    );
  }
  const staged: StagedTarget = target;
  await runSteps(
    [
      {
        name: `scale HA lines ${plan.from.lines} -> ${plan.to.lines} (no maintenance)`,
        run: () => staged.scaleLines(plan.to.lines, (s) => log.info(`    ${s}`)),
      },
      { name: "write the stack file", when: () => Boolean(opts.stackFile), run: async () => fs.writeFileSync(opts.stackFile!.path, plan.stackFile.text) },
    ],
    undefined,
    {
      log,
      audit: new AuditFile(path.join(opts.workDir, `${plan.stackName}-audit.jsonl`), { stack: plan.stackName, order: "scale-lines", to: plan.to.edition }),
    },
  );
  return {
    outcome: "scaled",
    maintenanceMs: 0,
    steps: log.steps,
    sourceChecksums: [],
    targetChecksums: [],
    retained: [],
    message: `${plan.stackName}: ${plan.to.lines} lines, no downtime`,
  };
}
