/**
 * The order of a staged target (the sandbox): the new database first (outside maintenance), then
 * maintenance, dump, restore, verify, the stack file, the new lines, the switch, maintenance off, the
 * old lines stopped. Any failure before the switch abandons the new deployment, lifts maintenance on the
 * old one after checking that its data is what it was, and says so. The old database is never deleted.
 */
import { restoreDatabase } from "./databaseCopy";
import type { LineEndpoint, PreparedDatabase, StagedTarget } from "./deploymentTarget";
import { waitUntilReady } from "./maintenanceClient";
import {
  dumpSteps,
  maintenanceOffStep,
  maintenanceOnStep,
  MigrationRun,
  readCurrentStep,
  readyTimeout,
  verifyStep,
  writeStackFileStep,
} from "./migrationSteps";
import type { Step } from "./stepRunner";
import { endAlertSilenceStep, silenceAlertsStep } from "./alertSilence";

interface StagedRun extends MigrationRun<StagedTarget> {
  prepared?: PreparedDatabase;
  lines?: LineEndpoint[];
}

const prepared = (c: StagedRun) => c.prepared!;

export function stagedSteps(): Step<StagedRun>[] {
  return [
    silenceAlertsStep(),
    readCurrentStep(),
    {
      name: "start the new database",
      hook: "prepare",
      undoAfterOwnFailure: true, // a half-started database is stopped too
      run: async (c) => {
        c.prepared = await c.target.prepareDatabase(c.plan.to);
        return c.prepared.description;
      },
      undo: { name: "stop the new deployment", run: (c) => c.target.abandonNew() },
    },
    maintenanceOnStep(),
    ...dumpSteps<StagedRun>(),
    {
      name: "restore into the new database",
      hook: "restore",
      when: (c) => !prepared(c).reused,
      run: async (c) => restoreDatabase(prepared(c).database, c.dumpFile!),
    },
    verifyStep<StagedRun>((c) => ({ nodes: prepared(c).databaseNodes, galera: prepared(c).galera })),
    writeStackFileStep<StagedRun>(),
    {
      name: (c) => `start the new topology (${c.plan.to.edition}, ${c.plan.to.lines} line(s))`,
      hook: "start-lines",
      run: async (c) => {
        c.lines = await c.target.startLines(c.plan.to, prepared(c));
        await waitUntilReady(c.lines, readyTimeout(c, 30_000)); // the sandbox's lines start in a second or two
      },
    },
    {
      name: "switch traffic to the new lines",
      hook: "switch",
      pointOfNoReturn: true, // the new deployment serves; nothing to roll back to
      run: (c) => c.target.switchTraffic(c.lines!),
    },
    maintenanceOffStep<StagedRun>("maintenance off", (c) => ({ lines: c.lines!, adminToken: c.old!.adminToken })),
    {
      name: "stop the old lines (old data kept)",
      run: async (c) => {
        c.retained = (await c.target.retireOld()).retained;
        return c.retained.join(", ") || undefined;
      },
    },
    endAlertSilenceStep(),
  ];
}
