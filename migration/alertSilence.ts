/**
 * The alert silence of a migration's maintenance window: an edition change takes lines, databases and the
 * entry point down on purpose, which must page no one (neither the on-call team nor the customer, who
 * was told). The first step creates an Alertmanager silence for the customer's alerts (its undo expires
 * it); the last step expires it as soon as the new deployment serves. Taken only when an Alertmanager is
 * configured (`lchost migrate --alertmanager` or LCHOST_ALERTMANAGER_URL).
 */
import { AlertmanagerError, SilenceRequest } from "../render/alertmanager/api";
import { maintenanceSilence } from "../render/alertmanager/maintenanceSilence";
import type { MigrationPlan } from "./migrationPlan";
import type { MigrationRun } from "./migrationSteps";
import type { Step } from "./stepRunner";

/**
 * How long the silence lasts at most: the estimated maintenance window doubled plus 15 minutes (what runs
 * before the window, e.g. a new database or cluster started beside the old one, takes minutes). A generous
 * end costs nothing: the migration expires the silence the moment it ends, successful or rolled back; the
 * end only matters when lchost itself dies half way, and then the silence still ends by itself.
 */
export function silenceWindowSeconds(estimatedDowntimeSeconds: number): number {
  return Math.ceil(2 * Math.max(0, estimatedDowntimeSeconds)) + 15 * 60;
}

/** The silence request of a migration starting at `now`. */
export function migrationSilence(plan: MigrationPlan, now: Date): SilenceRequest {
  return maintenanceSilence({
    stack: { kind: "customer", customer: plan.stackName },
    from: now,
    to: new Date(now.getTime() + silenceWindowSeconds(plan.downtime.seconds) * 1000),
    reason: `lchost migrate: edition change ${plan.from.edition} (${plan.from.lines} line(s)) -> ${plan.to.edition} (${plan.to.lines} line(s))`,
    now,
    fields: { from: "migration start", to: "migration window end", reason: "migration" },
  });
}

/** First step: the silence; undo (a rollback): expire it once the old deployment serves again. */
export function silenceAlertsStep<R extends MigrationRun<any>>(): Step<R> {
  return {
    name: (c) => `silence ${c.plan.stackName}'s alerts in Alertmanager`,
    hook: "silence",
    when: (c) => Boolean(c.opts.alertSilencer),
    run: async (c) => {
      const request = migrationSilence(c.plan, new Date());
      try {
        c.silenceId = await c.opts.alertSilencer!.createSilence(request);
      } catch (e) {
        // before anything else: a migration that was asked to keep quiet does not start paging everyone
        const why = String((e as Error)?.message ?? e).split("\n")[0];
        throw new AlertmanagerError(`${why}; the migration did not start, nothing changed (without an Alertmanager URL it runs without a silence)`);
      }
      return `silence ${c.silenceId} until ${request.endsAt.toISOString()} at the latest`;
    },
    undo: {
      name: (c) => `end the alert silence ${c.silenceId}`,
      when: (c) => Boolean(c.silenceId),
      run: async (c) => {
        await c.opts.alertSilencer!.expireSilence(c.silenceId!);
        c.silenceId = undefined;
      },
    },
  };
}

/**
 * Last step, after the point of no return: the silence ends with the migration. The migration is done
 * whatever Alertmanager says now, so a failure here is reported on the step's line, not thrown.
 */
export function endAlertSilenceStep<R extends MigrationRun<any>>(): Step<R> {
  return {
    name: (c) => `end the alert silence ${c.silenceId}`,
    when: (c) => Boolean(c.opts.alertSilencer && c.silenceId),
    run: async (c) => {
      try {
        await c.opts.alertSilencer!.expireSilence(c.silenceId!);
        c.silenceId = undefined;
      } catch (e) {
        const why = String((e as Error)?.message ?? e).split("\n")[0];
        c.opts.log.info(
          `    WARNING: the alert silence ${c.silenceId} could not be expired (${why}); it ends by itself, or: lchost maintenance unsilence ${c.silenceId}`,
        );
        return "NOT expired";
      }
    },
  };
}
