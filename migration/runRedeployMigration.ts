/**
 * An edition change on a target that deploys the whole stack file at once (Pulumi on Docker, or this
 * repo's dockerRun stand-in): one `up` of the changed stack file replaces the topology, so the order is
 *
 *   maintenance on (old lines) -> wait until no write is in flight -> dump + source checksums ->
 *   write the stack file -> up -> (new database: maintenance on for the new lines -> restore into it)
 *   -> verify every node -> maintenance off on the new lines.
 *
 * The maintenance row lives in the customer's database: when the data stays in place (same volume or
 * schema: Dedicated <-> High Performance -> High Availability, whose node 1 keeps the volume) the new
 * lines start in maintenance; a restored database gets the row back from the dump. A new database starts
 * empty, without that row: the stack file is deployed with `lchost:startInMaintenance: true`
 * (LC_START_IN_MAINTENANCE on every line), so the new lines write maintenance on into it at schema
 * creation and never serve the empty database; the restore then brings the source's row (on) back.
 * The key stays in the stack file afterwards: it only acts where a line meets a database without a
 * maintenance state, and removing it would take another `up` that replaces every line (or leave the
 * deployment differing from the file until the next one). The maintenance window includes the whole
 * `up` (containers, Galera sync). A failure before
 * maintenance ends writes the old stack file back, deploys it again, checks the old data against the
 * source checksums and lifts maintenance there. The old database (volume or schema) is never deleted.
 */
import * as fs from "fs";
import { dumpDatabase, restoreDatabase, tableChecksums } from "./databaseCopy";
import type { DeploymentView, Redeployment } from "./deploymentTarget";
import { setMaintenance, waitUntilReady } from "./maintenanceClient";
import { maintenanceOn, MigrationOptions, newDumpFile } from "./migrationSteps";
import { migratedResult, MigrationResult, oldDataVerdict, rolledBack } from "./migrationOutcome";
import { withStartInMaintenance } from "./stackFileChange";
import { compareChecksums, TableChecksum } from "./tableChecksums";

export async function runRedeployMigration(opts: MigrationOptions): Promise<MigrationResult> {
  const { plan, target, log } = opts;
  const hook = async (s: string) => opts.beforeStep?.(s);
  if (!target.redeploy || !target.redeployOld) throw new Error(`${target.name}: redeploy and redeployOld are both needed`);
  if (!opts.stackFile) throw new Error(`${target.name} deploys the stack file: runMigration needs stackFile`);
  const stackFile = opts.stackFile;

  const old: DeploymentView = await log.step("read the current deployment", () => target.current(), (v) => `${v.shape.edition}, ${v.lines.length} line(s)`);
  let maintenanceOnAt = 0;
  let source: TableChecksum[] = [];
  const verified: TableChecksum[][] = [];
  let dumpFile: string | undefined;
  let stackFileWritten = false;
  let deployStarted = false;
  let next: Redeployment | undefined;
  let switched = false;
  try {
    await hook("maintenance");
    await maintenanceOn(log, old, plan, (at) => (maintenanceOnAt = at));

    await hook("dump");
    dumpFile = newDumpFile(opts.workDir, plan.stackName);
    const dump = target.dumpDatabase ? (f: string) => target.dumpDatabase!(old, f) : (f: string) => dumpDatabase(old.database, f);
    await log.step("dump (mariadb-dump --single-transaction)", () => dump(dumpFile!), (r) => `${(r.bytes / 1024).toFixed(0)} KiB -> ${dumpFile}`);
    source = await log.step("checksum the source tables", () => tableChecksums(old.database, { galera: old.galera }), (c) => `${c.length} tables, ${c.reduce((a, t) => a + t.rows, 0)} rows`);

    await hook("stack-file");
    await log.step("write the stack file", async () => {
      fs.writeFileSync(stackFile.path, withStartInMaintenance(plan.stackFile.text));
      stackFileWritten = true;
    });

    await hook("deploy");
    deployStarted = true;
    next = await log.step(`deploy the changed stack (${target.name}: ${plan.to.edition}, ${plan.to.lines} line(s))`, () => target.redeploy!(plan.to), (r) => r.description);
    const lines = next.view.lines;
    await log.step("wait until the new lines are ready", () => waitUntilReady(lines, 60_000));
    if (!next.dataInPlace) {
      // the lines started in maintenance (lchost:startInMaintenance); say so explicitly too, for lines
      // whose image predates LC_START_IN_MAINTENANCE, until the restore brings the row back
      await log.step("maintenance on for the new lines (until the data is verified)", () =>
        setMaintenance(lines, next!.view.adminToken, true, { retryAfterSeconds: 10, reason: `edition change to ${plan.to.edition}` }),
      );
      await hook("restore");
      const restore = target.restoreDatabase ? (f: string) => target.restoreDatabase!(next!.view, f) : (f: string) => restoreDatabase(next!.view.database, f);
      await log.step("restore into the new database", () => restore(dumpFile!));
    } else log.info("    the data stayed in place (same volume or schema), its maintenance row too: nothing to restore, verifying");

    await hook("verify");
    await log.step(
      "verify row counts and SHA-256 per table",
      async () => {
        for (const node of next!.view.databaseNodes) {
          const got = await tableChecksums(node, { galera: next!.view.galera });
          const diff = compareChecksums(source, got);
          if (diff.length) throw new Error(`${node.host}:${node.port}/${node.database}: ${diff.map((d) => d.message).join("; ")}`);
          verified.push(got);
        }
      },
      () => `${source.length} tables identical on ${next!.view.databaseNodes.length} node(s)`,
    );

    await hook("switch");
    await log.step("maintenance off (the new lines serve)", () => setMaintenance(lines, next!.view.adminToken, false));
    switched = true;
    const maintenanceMs = Date.now() - maintenanceOnAt;
    const { retained } = await log.step("record the old data (kept)", () => target.retireOld(), (r) => r.retained.join(", ") || undefined);
    return migratedResult({ plan, maintenanceMs, steps: log.steps, source, verified, dumpFile, retained });
  } catch (err) {
    if (switched) throw err;
    const why = (err as Error).message.split("\n")[0];
    log.info(`rolling back: ${why}`);
    let view = old;
    let redeployError: string | undefined;
    if (stackFileWritten) await log.step("write the old stack file back", async () => fs.writeFileSync(stackFile.path, stackFile.oldText));
    if (deployStarted) {
      try {
        view = await log.step(`deploy the old stack again (${old.shape.edition})`, () => target.redeployOld!(old.shape));
        await waitUntilReady(view.lines, 60_000);
      } catch (e) {
        redeployError = (e as Error).message.split("\n")[0];
      }
    }
    const intact = redeployError
      ? `not checked: deploying the old stack again failed (${redeployError}); the dump ${dumpFile} holds the data`
      : await oldDataVerdict(source, view.database, view.galera);
    if (maintenanceOnAt && !redeployError) await log.step("maintenance off on the old deployment", () => setMaintenance(view.lines, view.adminToken, false));
    const maintenanceMs = maintenanceOnAt ? Date.now() - maintenanceOnAt : 0;
    const rollback = rolledBack({ plan, maintenanceMs, steps: log.steps, source, verified, dumpFile, why, oldEdition: old.shape.edition, intact });
    log.info(rollback.message);
    throw rollback;
  }
}
