/**
 * What an Alertmanager notification does to the portal's incidents (pure): each alert of the payload
 * becomes one action — open or update the incident of its key, close it, or nothing.
 *
 * - Key: customer | alertname | part (Alertmanager's grouping: one incident per customer and alert group).
 * - Only disruptions of a part of the service open incidents: components entry, gateway, line, database,
 *   fsb at severity warning or critical. Quota, certificate and error-budget alerts, and info, are
 *   notifications, not outages: accepted and ignored here.
 * - Fleet-wide: an alert carrying `shared_server` (a part of a shared server: every tenant on it is
 *   affected) or `scope="fleet"` also opens a fleet incident keyed by the shared thing, not the customer,
 *   shown on the public page without any customer's name; it closes when the last customer's incident of
 *   that key closes.
 */
import type { AlertmanagerAlert, AlertmanagerPayload } from "../../notifier/src/alertmanagerPayload";
import type { IncidentSeverity } from "./env";

export const DISRUPTION_COMPONENTS = ["entry", "gateway", "line", "database", "fsb"] as const;

export type AlertAction =
  | {
      kind: "fire" | "resolve";
      key: string;
      customer: string;
      alertname: string;
      component: string;
      /** The alert's own part label (line-2, db-3, gateway, entry, fsb-1). */
      part: string;
      /** The part of the customer's page it concerns (entry, line-2, database, fsb-1). */
      pagePart: string;
      severity: IncidentSeverity;
      summary: string | null;
      startsAt: Date;
      /** Resolved alerts: when it ended (Alertmanager's endsAt); null while firing. */
      endsAt: Date | null;
      /** Set when the alert is fleet-wide by nature (see above). */
      fleetKey: string | null;
    }
  | { kind: "ignore"; customer: string; alertname: string; reason: string };

/** Alertmanager's endsAt of an alert that has not ended. */
const NO_END = /^0001-01-01T/;

/** The part of a customer's page an alert's part label belongs to. */
export function pagePartOf(component: string, part: string): string {
  if (component === "entry" || component === "gateway") return "entry";
  if (component === "database") return "database";
  return part;
}

export function alertAction(a: AlertmanagerAlert): AlertAction {
  const l = a.labels;
  if (!(DISRUPTION_COMPONENTS as readonly string[]).includes(l.component)) {
    return { kind: "ignore", customer: l.customer, alertname: l.alertname, reason: `component ${l.component} is not a part of the service` };
  }
  if (l.severity !== "warning" && l.severity !== "critical")
    return { kind: "ignore", customer: l.customer, alertname: l.alertname, reason: `severity ${l.severity}` };
  const pagePart = pagePartOf(l.component, l.part);
  const fleetKey = l.shared_server ? `fleet|${l.shared_server}|${l.alertname}|${l.part}` : l.scope === "fleet" ? `fleet|*|${l.alertname}|${l.part}` : null;
  const endsAt = a.status === "resolved" && a.endsAt && !NO_END.test(a.endsAt) ? new Date(a.endsAt) : null;
  return {
    kind: a.status === "firing" ? "fire" : "resolve",
    key: `${l.customer}|${l.alertname}|${l.part}`,
    customer: l.customer,
    alertname: l.alertname,
    component: l.component,
    part: l.part,
    pagePart,
    severity: l.severity,
    summary: a.annotations?.summary?.trim().slice(0, 1000) || null,
    startsAt: new Date(a.startsAt),
    endsAt,
    fleetKey,
  };
}

export function alertActions(payload: AlertmanagerPayload): AlertAction[] {
  return payload.alerts.map(alertAction);
}
