/**
 * Every action the heal service takes is told to the customer and on-call through the monitoring channels:
 * an alert of its own posted to Alertmanager's API v2, routed by the rendered alertmanager.yml
 * (render/alertmanager/config.ts): HealAction to the customer's receivers and on-call, HealGaveUp to on-call.
 */
import type { AlertPoster } from "../../render/alertmanager/api";
import { HEAL_ACTION_ALERT, HEAL_GAVE_UP_ALERT } from "../../render/alertmanager/config";
import type { PartRef } from "../playbook";

export { HEAL_ACTION_ALERT, HEAL_GAVE_UP_ALERT };
/** How long a posted notification stays firing (Alertmanager then sends it as resolved). */
export const HEAL_NOTICE_MINUTES = 10;

export interface HealNotice {
  kind: "action" | "gave-up";
  part: PartRef;
  playbook: string;
  /** succeeded / failed / dry run … */
  outcome: string;
  summary: string;
  detail: string;
  at: Date;
  /** The alert that triggered it. */
  trigger: string;
}

/** The part label as the monitoring's alerts name it: line-2, fsb-1, gateway. */
export const partLabel = (p: PartRef) => `${p.role}${p.index !== undefined ? `-${p.index}` : ""}`;

export function noticeAlert(n: HealNotice) {
  const gaveUp = n.kind === "gave-up";
  return {
    labels: {
      alertname: gaveUp ? HEAL_GAVE_UP_ALERT : HEAL_ACTION_ALERT,
      customer: n.part.customer,
      playbook: n.playbook,
      severity: gaveUp ? "critical" : n.outcome === "succeeded" ? "info" : "warning",
      component: "heal",
      part: partLabel(n.part),
      outcome: n.outcome,
      // one notification per action, not merged with the previous one on the same part
      heal_at: n.at.toISOString(),
    },
    annotations: {
      summary: gaveUp
        ? `lchost heal gave up on ${partLabel(n.part)} of ${n.part.customer} (${n.playbook}): ${n.summary}. A person must look.`
        : `lchost heal (${n.playbook}) ${n.outcome}: ${n.summary}.`,
      description: n.detail.slice(0, 2000),
      trigger: n.trigger,
    },
    startsAt: n.at,
    endsAt: new Date(n.at.getTime() + HEAL_NOTICE_MINUTES * 60_000),
  };
}

export class HealNotifier {
  constructor(
    private readonly poster: AlertPoster,
    private readonly onError: (err: unknown, n: HealNotice) => void,
  ) {}

  /** Never throws: a notification that could not be posted is logged, the action stands. */
  async notify(n: HealNotice): Promise<boolean> {
    try {
      await this.poster.postAlerts([noticeAlert(n)]);
      return true;
    } catch (err) {
      this.onError(err, n);
      return false;
    }
  }
}
