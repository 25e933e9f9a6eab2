/**
 * What `lchost maintenance announce` sends Alertmanager besides the silence (pure): one MaintenanceAnnounced
 * alert per customer, which the customer's existing route delivers through the notifier in its language
 * (notifier/src/env.ts MAINTENANCE_*), and the silence of the window widened so it can never swallow an
 * announcement (one posted while an earlier window of the same customer is silenced).
 */
import { MAINTENANCE_ANNOTATIONS, MAINTENANCE_ANNOUNCED_ALERT, MAINTENANCE_COMPONENT, NotificationLanguage } from "../../notifier/src/env";
import type { PostableAlert, SilenceMatcher, SilenceRequest } from "./api";

/**
 * How long an announcement alert fires after it was posted. Alertmanager sends it after group_wait and retries
 * a failed delivery at each group_interval while it fires: minutes of retries, far below the repeat interval
 * (4 h), so it is sent once. When it ends Alertmanager sends "resolved", which the notifier drops.
 */
export const ANNOUNCEMENT_ALERT_MINUTES = 15;

export interface AnnouncedCustomer {
  customer: string;
  /** Catalog edition id, for the message's words ("High Availability Package"). */
  edition: string;
}

export interface AnnouncementAlertsInput {
  customers: AnnouncedCustomer[];
  from: Date;
  to: Date;
  reason: string;
  /** The language the reason is written in. */
  reasonLanguage: NotificationLanguage;
  /** Announced early enough to be excluded from the month's availability (model/sla.ts announcedInTime). */
  inTime: boolean;
  now: Date;
}

const utc = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

/**
 * One alert per customer. The `window` label makes each announcement its own alert: without it a second
 * announcement within minutes would be the same alert to Alertmanager (same labels) and never be sent.
 */
export function announcementAlerts(input: AnnouncementAlertsInput): PostableAlert[] {
  return input.customers.map((c) => ({
    labels: {
      alertname: MAINTENANCE_ANNOUNCED_ALERT,
      customer: c.customer,
      edition: c.edition,
      severity: "info",
      component: MAINTENANCE_COMPONENT,
      part: MAINTENANCE_COMPONENT,
      window: `${utc(input.from)}/${utc(input.to)}`,
    },
    annotations: {
      [MAINTENANCE_ANNOTATIONS.from]: utc(input.from),
      [MAINTENANCE_ANNOTATIONS.to]: utc(input.to),
      [MAINTENANCE_ANNOTATIONS.reason]: input.reason,
      [MAINTENANCE_ANNOTATIONS.language]: input.reasonLanguage,
      [MAINTENANCE_ANNOTATIONS.sla]: input.inTime ? "excluded" : "counted",
      summary: `announced maintenance ${utc(input.from)} to ${utc(input.to)}: ${input.reason}`,
    },
    startsAt: input.now,
    endsAt: new Date(input.now.getTime() + ANNOUNCEMENT_ALERT_MINUTES * 60_000),
  }));
}

/** The matcher that keeps announcements audible under a maintenance silence. */
export const NOT_AN_ANNOUNCEMENT: SilenceMatcher = { name: "alertname", value: MAINTENANCE_ANNOUNCED_ALERT, isRegex: false, isEqual: false };

/** The window's silence, except for announcements. */
export function announcedWindowSilence(silence: SilenceRequest): SilenceRequest {
  return { ...silence, matchers: [...silence.matchers, NOT_AN_ANNOUNCEMENT] };
}
