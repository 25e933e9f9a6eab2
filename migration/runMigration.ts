/**
 * Runs a planned edition change on a deployment target: new database first (outside maintenance), then
 * maintenance, dump, restore, verify, new lines, switch, maintenance off, old lines stopped. Any failure
 * before the switch abandons the new deployment, lifts maintenance on the old one, checks that its data
 * is what it was, and says so. The old database is never deleted here.
 */
import * as fs from "fs";
import { dumpDatabase, restoreDatabase, tableChecksums } from "./databaseCopy";
import type { DeploymentTarget, DeploymentView, PreparedDatabase } from "./deploymentTarget";
import { setMaintenance, waitUntilReady } from "./maintenanceClient";
import { maintenanceOn, MigrationOptions, newDumpFile } from "./migrationSteps";
import type { MigrationPlan } from "./migrationPlan";
import { ProgressLog } from "./progressLog";
import { compareChecksums, TableChecksum } from "./tableChecksums";
import { runRedeployMigration } from "./runRedeployMigration";
import { migratedResult, MigrationResult, MigrationRolledBack, oldDataVerdict, rolledBack } from "./migrationOutcome";

export { MigrationOptions, MigrationResult, MigrationRolledBack };

export async function runMigration(opts: MigrationOptions): Promise<MigrationResult> {
  const { plan, target, log } = opts;
  const hook = async (s: string) => opts.beforeStep?.(s);
  if (plan.refusals.length) throw new Error(`the plan is refused:\n${plan.refusals.map((r) => `  - ${r}`).join("\n")}`);

  if (plan.kind === "scale-lines") {
    await log.step(`scale HA lines ${plan.from.lines} -> ${plan.to.lines} (no maintenance)`, () => target.scaleLines(plan.to.lines, (s) => log.info(`    ${s}`)));
    if (opts.stackFile) await log.step("write the stack file", async () => fs.writeFileSync(opts.stackFile!.path, plan.stackFile.text));
    return { outcome: "scaled", maintenanceMs: 0, steps: log.steps, sourceChecksums: [], targetChecksums: [], retained: [], message: `${plan.stackName}: ${plan.to.lines} lines, no downtime` };
  }

  // Pulumi-like targets deploy the whole changed stack file at once: another order (runRedeployMigration.ts)
  if (target.redeploy) return runRedeployMigration(opts);

  const old: DeploymentView = await log.step("read the current deployment", () => target.current(), (v) => `${v.shape.edition}, ${v.lines.length} line(s)`);
  let prepared: PreparedDatabase | undefined;
  let maintenanceOnAt = 0;
  let source: TableChecksum[] = [];
  const verified: TableChecksum[][] = [];
  let dumpFile: string | undefined;
  let stackFileWritten = false;
  let switched = false;
  try {
    await hook("prepare");
    prepared = await log.step("start the new database", () => target.prepareDatabase(plan.to), (p) => p.description);

    await hook("maintenance");
    await maintenanceOn(log, old, plan, (at) => (maintenanceOnAt = at));

    await hook("dump");
    dumpFile = newDumpFile(opts.workDir, plan.stackName);
    await log.step("dump (mariadb-dump --single-transaction)", () => dumpDatabase(old.database, dumpFile!), (r) => `${(r.bytes / 1024).toFixed(0)} KiB -> ${dumpFile}`);
    source = await log.step("checksum the source tables", () => tableChecksums(old.database, { galera: old.galera }), (c) => `${c.length} tables, ${c.reduce((a, t) => a + t.rows, 0)} rows`);

    if (!prepared.reused) {
      await hook("restore");
      await log.step("restore into the new database", () => restoreDatabase(prepared!.database, dumpFile!));
    }

    await hook("verify");
    await log.step(
      "verify row counts and SHA-256 per table",
      async () => {
        for (const node of prepared!.databaseNodes) {
          const got = await tableChecksums(node, { galera: prepared!.galera });
          const diff = compareChecksums(source, got);
          if (diff.length) throw new Error(`${node.host}:${node.port}/${node.database}: ${diff.map((d) => d.message).join("; ")}`);
          verified.push(got);
        }
      },
      () => `${source.length} tables identical on ${prepared!.databaseNodes.length} node(s)`,
    );

    if (opts.stackFile) {
      await hook("stack-file");
      await log.step("write the stack file", async () => {
        fs.writeFileSync(opts.stackFile!.path, plan.stackFile.text);
        stackFileWritten = true;
      });
    }

    await hook("start-lines");
    const lines = await log.step(`start the new topology (${plan.to.edition}, ${plan.to.lines} line(s))`, async () => {
      const l = await target.startLines(plan.to, prepared!);
      await waitUntilReady(l);
      return l;
    });

    await hook("switch");
    await log.step("switch traffic to the new lines", () => target.switchTraffic(lines));
    switched = true;
    await log.step("maintenance off", () => setMaintenance(lines, old.adminToken, false));
    const maintenanceMs = Date.now() - maintenanceOnAt;
    const { retained } = await log.step("stop the old lines (old data kept)", () => target.retireOld(), (r) => r.retained.join(", ") || undefined);
    return migratedResult({ plan, maintenanceMs, steps: log.steps, source, verified, dumpFile, retained });
  } catch (err) {
    if (switched) throw err; // after the switch the new deployment serves; nothing to roll back to
    const why = (err as Error).message.split("\n")[0];
    log.info(`rolling back: ${why}`);
    await log.step("stop the new deployment", () => target.abandonNew()).catch(() => undefined);
    if (stackFileWritten && opts.stackFile) await log.step("write the old stack file back", async () => fs.writeFileSync(opts.stackFile!.path, opts.stackFile!.oldText));
    const intact = await oldDataVerdict(source, old.database, old.galera);
    if (maintenanceOnAt) await log.step("maintenance off on the old deployment", () => setMaintenance(old.lines, old.adminToken, false));
    const maintenanceMs = maintenanceOnAt ? Date.now() - maintenanceOnAt : 0;
    const rollback = rolledBack({ plan, maintenanceMs, steps: log.steps, source, verified, dumpFile, why, oldEdition: old.shape.edition, intact });
    log.info(rollback.message);
    throw rollback;
  }
}
