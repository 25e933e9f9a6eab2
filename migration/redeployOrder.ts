/**
 * The order of a target that deploys the whole stack file (Pulumi on Docker, or this repo's dockerRun
 * stand-in). Two ways through it, both one list of steps with their undos:
 *
 * The new side staged whole (docker-run, every edition change: the stack file gets the next
 * `lchost:generation`, so the new database, FSBs and lines have names of their own — model/naming.ts):
 *
 *   write the stack file -> start the new side beside the old one (database or cluster, FSBs, lines; the
 *   lines start in maintenance) -> maintenance on (old lines) -> wait until no write is in flight -> dump +
 *   source checksums (side by side) -> maintenance on for the new lines -> restore into the new database -> verify every
 *   node -> switch the entry point (HAProxy reloads its new configuration in place; up() of the staged plan)
 *   -> maintenance off on the new lines -> remove the old side (its data volume or schema kept).
 *
 *   A failure before the switch removes the staged side and lifts maintenance on the old one (after checking
 *   its data); a failure after it switches the entry point back (the old side still runs) first.
 *
 * Otherwise (`pulumi up`, which cannot start anything beforehand, or a side that cannot be staged whole):
 *
 *   write the stack file -> (start what can run beside) -> maintenance on -> dump + source checksums (side by side) -> up
 *   (replaces the rest: lines, entry point, database) -> wait until the new lines are ready -> (new
 *   database: maintenance on for the new lines -> restore) -> verify every node -> maintenance off.
 *
 * The maintenance row lives in the customer's database: lines that start against a new, empty database
 * would serve it, so the stack file is deployed with `lchost:startInMaintenance: true`
 * (LC_START_IN_MAINTENANCE on every line): the new lines write maintenance on into it at schema creation and
 * never serve the empty database; the restore then brings the source's row (on) back. The key stays in the
 * stack file afterwards: it only acts where a line meets a database without a maintenance state.
 *
 * The steps inside the window carry the names downtimeEstimate.ts estimates (test/unit/migration checks
 * that the estimate and the order agree, step by step). The old database (volume or schema) is never deleted.
 */
import type { DeploymentView, Redeployment, RedeployTarget } from "./deploymentTarget";
import { setMaintenance, waitUntilReady } from "./maintenanceClient";
import {
  dumpSteps,
  maintenanceOffStep,
  maintenanceOnStep,
  MigrationRun,
  readCurrentStep,
  readyTimeout,
  verifyStep,
  writeOldStackFile,
  writeStackFileStep,
} from "./migrationSteps";
import { withStartInMaintenance } from "./stackFileChange";
import type { Step } from "./stepRunner";
import { endAlertSilenceStep, silenceAlertsStep } from "./alertSilence";
import { WINDOW_STEP } from "./windowSteps";

interface RedeployRun extends MigrationRun<RedeployTarget> {
  /** The whole new side, started before maintenance (the data goes there before the switch). */
  staged?: DeploymentView;
  next?: Redeployment;
}

const next = (c: RedeployRun) => c.next!;
const staged = (c: RedeployRun) => Boolean(c.staged);
/** Where the data goes: the staged side, or what the update deployed. */
const newSide = (c: RedeployRun): DeploymentView => c.staged ?? next(c).view;
/** The data moves to a new database (staged whole: always, a new generation; otherwise when its location changed). */
const dataMoves = (c: RedeployRun) => staged(c) || !next(c).dataInPlace;

function deployStep(): Step<RedeployRun> {
  return {
    name: (c) => (staged(c) ? WINDOW_STEP.switchEntry : WINDOW_STEP.deploy),
    hook: "deploy",
    undoAfterOwnFailure: true, // a half-done up left a mix of old and new containers
    run: async (c) => {
      c.next = await c.target.redeploy(c.plan.to);
      return `${c.target.name}: ${c.next.description}`;
    },
    undo: {
      name: (c) => `write the old stack file back and deploy it again (${c.old!.shape.edition})`,
      run: async (c) => {
        writeOldStackFile(c);
        try {
          c.rollbackView = await c.target.redeployOld(c.old!.shape);
          await waitUntilReady(c.rollbackView.lines, readyTimeout(c));
        } catch (e) {
          c.rollbackBroken = (e as Error).message.split("\n")[0];
          throw e;
        }
      },
    },
  };
}

/** The copy into the new database and its verification, on the new side (staged: before the switch). */
function copySteps(): Step<RedeployRun>[] {
  return [
    {
      // the lines started in maintenance (lchost:startInMaintenance); say so explicitly too, for lines
      // whose image predates LC_START_IN_MAINTENANCE, until the restore brings the row back
      name: WINDOW_STEP.newLinesMaintenance,
      when: dataMoves,
      run: (c) => setMaintenance(newSide(c).lines, newSide(c).adminToken, true, { retryAfterSeconds: 10, reason: `edition change to ${c.plan.to.edition}` }),
    },
    { name: WINDOW_STEP.restore, hook: "restore", when: dataMoves, run: (c) => c.target.restoreDatabase(newSide(c), c.dumpFile!) },
    verifyStep<RedeployRun>((c) => ({ nodes: newSide(c).databaseNodes, galera: newSide(c).galera })),
  ];
}

export function redeploySteps(): Step<RedeployRun>[] {
  const onlyStaged = (s: Step<RedeployRun>): Step<RedeployRun> => ({ ...s, when: (c) => staged(c) && (s.when?.(c) ?? true) });
  const onlyUnstaged = (s: Step<RedeployRun>): Step<RedeployRun> => ({ ...s, when: (c) => !staged(c) && (s.when?.(c) ?? true) });
  return [
    silenceAlertsStep(),
    readCurrentStep(),
    writeStackFileStep<RedeployRun>((c) => withStartInMaintenance(c.plan.stackFile.text)),
    {
      name: "start the new side beside the old one (before maintenance)",
      hook: "stage",
      undoAfterOwnFailure: true, // what started before the failure goes too
      run: async (c) => {
        const s = await c.target.stageNew(c.plan.to);
        c.staged = s.view;
        if (c.staged) await waitUntilReady(c.staged.lines, readyTimeout(c));
        return s.description;
      },
      undo: {
        name: "remove what was started beside the old deployment",
        run: async (c) => {
          c.staged = undefined;
          await c.target.discardStaged();
        },
      },
    },
    maintenanceOnStep(),
    ...dumpSteps<RedeployRun>((c, f) => c.target.dumpDatabase(c.old!, f)),
    // staged: copy and verify on the new side, then switch the entry point to it
    ...copySteps().map(onlyStaged),
    onlyStaged(deployStep()),
    // otherwise: the update first (it creates the new database), then copy and verify there
    onlyUnstaged(deployStep()),
    onlyUnstaged({ name: WINDOW_STEP.waitReady, run: (c) => waitUntilReady(next(c).view.lines, readyTimeout(c)) }),
    ...copySteps().map(onlyUnstaged),
    { ...maintenanceOffStep<RedeployRun>(WINDOW_STEP.maintenanceOff, (c) => next(c).view), hook: "switch" },
    {
      name: "remove the old side (its data kept)",
      run: async (c) => {
        const r = await c.target.retireOld();
        c.retained = r.retained;
        return (
          [r.removed.length ? `removed ${r.removed.join(", ")}` : "", r.retained.length ? `kept ${r.retained.join(", ")}` : ""].filter(Boolean).join("; ") ||
          undefined
        );
      },
    },
    endAlertSilenceStep(),
  ];
}
