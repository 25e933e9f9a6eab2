import { EditionCatalog, editionCatalog } from "../../model/catalog";
import { AlertRule, alertRuleGroups } from "./rules";

/** What each alert means, in words (the rule's summary says it per customer; this says it for the README). */
const MEANING: Record<string, string> = {
  EntryUnreachable: "the customer's public HTTPS entry does not answer License Central's health path with 200 over TLS",
  GatewayDown: "the gateway's HAProxy (its metrics listener) does not answer",
  LineDown: "a License Central line does not answer its metrics scrape",
  FewerLinesThanBooked: "an HA package runs fewer lines than booked",
  DatabaseDown: "a database node does not answer its exporter",
  DatabaseClusterSmaller: "the Galera cluster has fewer members than the edition's nodes",
  DatabaseNodeNotSynced: "a Galera node is not Synced (wsrep_local_state ≠ 4 or wsrep_ready = 0)",
  DatabaseMonitoringDown: "a database's exporter does not answer: the database's state is unknown",
  FsbDown: "an FSB signing box does not answer",
  FsbNotSigning: "an FSB answers but does not sign: requests wait and no signature came in a minute, or signatures take over the p99 limit",
  FsbQueueSaturated: "an FSB's signing queue is nearly full: the load-peak signal",
  HighErrorRate: "too many 5xx answers from the customer's backend at the gateway",
  HighLatency: "the activations' p99 latency is above the threshold",
  QuotaNearlyUsed: "the month's activations or web-service calls reached the warning share of the booked quota",
  QuotaUsedUp: "the month's booked quota is used up",
  CertificateExpiresSoon: "the entry's TLS certificate expires soon",
  ErrorBudgetBurnCritical: "failed probes burn the month's error budget fast (multi-window)",
  ErrorBudgetBurnWarning: "failed probes burn the month's error budget slowly (multi-window)",
};

/** The alerts as a Markdown table, from the rules the catalog generates (one row per alert and severity). */
export function renderAlertTable(cat: EditionCatalog = editionCatalog()): string {
  const rules = alertRuleGroups(cat).flatMap((g) => g.rules.filter((r): r is AlertRule => "alert" in r));
  const rows = new Map<string, { alert: string; severity: string; component: string; for: string; editions: Set<string> }>();
  for (const r of rules) {
    const key = `${r.alert}/${r.labels.severity}`;
    const editions = /edition=~?"([^"]+)"/.exec(r.expr)?.[1].split("|") ?? (r.labels.edition ? [r.labels.edition] : ["all"]);
    const row = rows.get(key) ?? { alert: r.alert, severity: r.labels.severity, component: r.labels.component, for: r.for, editions: new Set<string>() };
    editions.forEach((e) => row.editions.add(e));
    rows.set(key, row);
  }
  const missing = [...rows.values()].filter((r) => !MEANING[r.alert]).map((r) => r.alert);
  if (missing.length > 0) throw new Error(`renderAlertTable: say what ${missing.join(", ")} means`);
  return [
    "| alert | severity | component | fires when | after | editions |",
    "|---|---|---|---|---|---|",
    ...[...rows.values()].map((r) => `| \`${r.alert}\` | ${r.severity} | ${r.component} | ${MEANING[r.alert]} | ${r.for} | ${[...r.editions].join(", ")} |`),
  ].join("\n");
}
