/**
 * The order of a target that deploys the whole stack file at once (Pulumi on Docker, or this repo's
 * dockerRun stand-in): one `up` of the changed stack file replaces the topology, so the order is
 *
 *   write the stack file -> start beside the old deployment what of the new one can run at the same
 *   time (new names, no published port in use: e.g. a new database server or cluster, new FSBs) ->
 *   maintenance on (old lines) -> wait until no write is in flight -> dump + source checksums ->
 *   up (replaces the rest: lines, entry point; keeps what was started) -> (new database: maintenance on
 *   for the new lines -> restore into it) -> verify every node -> maintenance off on the new lines.
 *
 * Container names come from the customer, not the edition (model/naming.ts), so the lines, the entry
 * point and a database that keeps its volume are replaced inside the window; what has a new name (a
 * Datacenter tenant's own server or cluster, FSBs) is up before it. With `pulumi up` nothing is started
 * beforehand (one update does everything).
 *
 * The maintenance row lives in the customer's database: when the data stays in place (same volume or
 * schema: Dedicated <-> High Performance -> High Availability, whose node 1 keeps the volume) the new
 * lines start in maintenance; a restored database gets the row back from the dump. A new database starts
 * empty, without that row: the stack file is deployed with `lchost:startInMaintenance: true`
 * (LC_START_IN_MAINTENANCE on every line), so the new lines write maintenance on into it at schema
 * creation and never serve the empty database; the restore then brings the source's row (on) back.
 * The key stays in the stack file afterwards: it only acts where a line meets a database without a
 * maintenance state, and removing it would take another `up` that replaces every line (or leave the
 * deployment differing from the file until the next one). The maintenance window includes the part of
 * the `up` that was not started beforehand (downtimeEstimate.ts counts it). A failure before maintenance ends writes the old stack file back,
 * deploys it again, checks the old data against the source checksums and lifts maintenance there. The
 * old database (volume or schema) is never deleted.
 */
import type { Redeployment, RedeployTarget } from "./deploymentTarget";
import { setMaintenance, waitUntilReady } from "./maintenanceClient";
import {
  dumpSteps,
  maintenanceOffStep,
  maintenanceOnStep,
  MigrationRun,
  readCurrentStep,
  verifyStep,
  writeOldStackFile,
  writeStackFileStep,
} from "./migrationSteps";
import { withStartInMaintenance } from "./stackFileChange";
import type { Step } from "./stepRunner";
import { endAlertSilenceStep, silenceAlertsStep } from "./alertSilence";

interface RedeployRun extends MigrationRun<RedeployTarget> {
  next?: Redeployment;
}

const next = (c: RedeployRun) => c.next!;

export function redeploySteps(): Step<RedeployRun>[] {
  return [
    silenceAlertsStep(),
    readCurrentStep(),
    writeStackFileStep<RedeployRun>((c) => withStartInMaintenance(c.plan.stackFile.text)),
    {
      name: "start the new side beside the old one (before maintenance)",
      hook: "stage",
      undoAfterOwnFailure: true, // what started before the failure goes too
      run: (c) => c.target.stageNew(c.plan.to),
      undo: { name: "remove what was started beside the old deployment", run: (c) => c.target.discardStaged() },
    },
    maintenanceOnStep(),
    ...dumpSteps<RedeployRun>((c, f) => c.target.dumpDatabase(c.old!, f)),
    {
      name: (c) => `deploy the changed stack (${c.target.name}: ${c.plan.to.edition}, ${c.plan.to.lines} line(s))`,
      hook: "deploy",
      undoAfterOwnFailure: true, // a half-done up left a mix of old and new containers
      run: async (c) => {
        c.next = await c.target.redeploy(c.plan.to);
        return c.next.description;
      },
      undo: {
        name: (c) => `write the old stack file back and deploy it again (${c.old!.shape.edition})`,
        run: async (c) => {
          writeOldStackFile(c);
          try {
            c.rollbackView = await c.target.redeployOld(c.old!.shape);
            await waitUntilReady(c.rollbackView.lines, 60_000);
          } catch (e) {
            c.rollbackBroken = (e as Error).message.split("\n")[0];
            throw e;
          }
        },
      },
    },
    { name: "wait until the new lines are ready", run: (c) => waitUntilReady(next(c).view.lines, 60_000) },
    {
      // the lines started in maintenance (lchost:startInMaintenance); say so explicitly too, for lines
      // whose image predates LC_START_IN_MAINTENANCE, until the restore brings the row back
      name: "maintenance on for the new lines (until the data is verified)",
      when: (c) => !next(c).dataInPlace,
      run: (c) =>
        setMaintenance(next(c).view.lines, next(c).view.adminToken, true, { retryAfterSeconds: 10, reason: `edition change to ${c.plan.to.edition}` }),
    },
    {
      name: "restore into the new database",
      hook: "restore",
      when: (c) => !next(c).dataInPlace,
      run: (c) => c.target.restoreDatabase(next(c).view, c.dumpFile!),
    },
    verifyStep<RedeployRun>((c) => ({ nodes: next(c).view.databaseNodes, galera: next(c).view.galera })),
    { ...maintenanceOffStep<RedeployRun>("maintenance off (the new lines serve)", (c) => next(c).view), hook: "switch" },
    {
      name: "record the old data (kept)",
      run: async (c) => {
        c.retained = (await c.target.retireOld()).retained;
        return c.retained.join(", ") || undefined;
      },
    },
    endAlertSilenceStep(),
  ];
}
