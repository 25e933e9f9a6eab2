import { plainYaml } from "../plainYaml";
import { EDITION_IDS, EditionCatalog, EditionId, editionCatalog, Severity } from "../../model/catalog";
import type { DatabaseKind } from "../../model/databaseKind";
import { slaRuleGroup } from "./slaRules";
import type { Component } from "./targets";

/**
 * The alert rules of issue 9, generated from the edition catalog: one generic rule per alert, matched by
 * labels, never one rule per customer. Editions differ only where the catalog says they do (lines,
 * database kind and size, availability), and there a rule is generated per edition or group of editions.
 */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  /** Rules generated per edition carry it too, so two editions' rules are never duplicates. */
  labels: { severity: Severity; component: Component; part?: string; edition?: EditionId };
  annotations: { summary: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<AlertRule | RecordingRule>;
}

const s = (n: number) => `${n}s`;
const m = (n: number) => `${n}m`;
/** Numbers in expressions without float noise (0.1 * 14.4 -> 1.44, not 1.4400000000000002). */
const num = (x: number) => String(Number(x.toPrecision(10)));
const editionsMatching = (cat: EditionCatalog, pred: (id: EditionId) => boolean) => EDITION_IDS.filter(pred);
const editionMatcher = (ids: readonly EditionId[]) => `edition=~"${ids.join("|")}"`;

/** A window's recording rule name for the entry's probe success ratio. */
export const probeRatioRecord = (minutes: number) => `lchost:entry_probe_success:ratio_${minutes}m`;

/** Keeps only the HAProxy series of the customer's own backend (a shared entry point serves every tenant). */
const ownBackend = (selector: string, window: number) =>
  `rate(${selector}[${s(window)}]) and on (customer, proxy) label_replace(up{job="haproxy"}, "proxy", "$1", "backend", "(.+)")`;

function availabilityRules(cat: EditionCatalog): AlertRule[] {
  const a = cat.monitoring.alerts;
  const down = s(a.downForSeconds);
  const singleLine = editionsMatching(cat, (id) => cat.editions[id].lines.max === 1);
  const multiLine = editionsMatching(cat, (id) => cat.editions[id].lines.max > 1);
  const rules: AlertRule[] = [
    {
      alert: "EntryUnreachable",
      expr: `probe_success{job="blackbox-https"} == 0`,
      for: down,
      labels: { severity: "critical", component: "entry", part: "entry" },
      annotations: { summary: "License Central of {{ $labels.customer }} cannot be reached over HTTPS at {{ $labels.public_host }}." },
    },
    {
      alert: "GatewayDown",
      expr: `up{job="haproxy"} == 0`,
      for: down,
      labels: { severity: "critical", component: "gateway" },
      annotations: { summary: "The HTTPS gateway in front of License Central of {{ $labels.customer }} is not running." },
    },
  ];
  // A line down stops the service of a one-line edition; with several lines the others carry on.
  if (singleLine.length > 0) {
    rules.push({
      alert: "LineDown",
      expr: `up{job="lc-line", ${editionMatcher(singleLine)}} == 0`,
      for: down,
      labels: { severity: "critical", component: "line" },
      annotations: { summary: "License Central of {{ $labels.customer }} ({{ $labels.part }}) is not running." },
    });
  }
  if (multiLine.length > 0) {
    const booked = `count by (customer, edition) (up{job="lc-line", ${editionMatcher(multiLine)}})`;
    const healthy = `count by (customer, edition) (up{job="lc-line", ${editionMatcher(multiLine)}} == 1)`;
    rules.push(
      {
        alert: "LineDown",
        expr: `up{job="lc-line", ${editionMatcher(multiLine)}} == 0`,
        for: down,
        labels: { severity: "warning", component: "line" },
        annotations: { summary: "License Central line {{ $labels.part }} of {{ $labels.customer }} is not running; the other lines carry the load." },
      },
      {
        alert: "FewerLinesThanBooked",
        // with every line down the healthy count is empty: count it as 0
        expr: `(${healthy} or ${booked} * 0) < ${booked}`,
        for: down,
        labels: { severity: "warning", component: "line", part: "lines" },
        annotations: { summary: "Only {{ $value }} of the booked License Central lines of {{ $labels.customer }} are running." },
      },
    );
  }
  return rules;
}

function databaseRules(cat: EditionCatalog): AlertRule[] {
  const down = s(cat.monitoring.alerts.downForSeconds);
  const byKind = (kinds: DatabaseKind[]) => editionsMatching(cat, (id) => kinds.includes(cat.editions[id].database.kind));
  const alone = byKind(["single", "shared-tenant"]);
  const cluster = byKind(["cluster"]);
  const rules: AlertRule[] = [];
  if (alone.length > 0) {
    rules.push({
      alert: "DatabaseDown",
      expr: `mysql_up{job="mysqld", ${editionMatcher(alone)}} == 0`,
      for: down,
      labels: { severity: "critical", component: "database" },
      annotations: { summary: "The database of License Central of {{ $labels.customer }} does not answer." },
    });
  }
  if (cluster.length > 0) {
    rules.push(
      {
        alert: "DatabaseDown",
        expr: `mysql_up{job="mysqld", ${editionMatcher(cluster)}} == 0`,
        for: down,
        labels: { severity: "warning", component: "database" },
        annotations: { summary: "Database node {{ $labels.part }} of {{ $labels.customer }} does not answer; the cluster carries on with the other nodes." },
      },
      ...cluster.map((id): AlertRule => ({
        alert: "DatabaseClusterSmaller",
        expr: `min by (customer, edition) (mysql_global_status_wsrep_cluster_size{job="mysqld", edition="${id}"}) < ${cat.editions[id].database.nodes}`,
        for: down,
        labels: { severity: "warning", component: "database", part: "cluster", edition: id },
        annotations: { summary: `The database cluster of {{ $labels.customer }} has {{ $value }} of its ${cat.editions[id].database.nodes} nodes.` },
      })),
      {
        alert: "DatabaseNodeNotSynced",
        // local_state 4 = Synced; `or on` keeps one series per node when both signals agree. Only cluster editions:
        // a single MariaDB server reports wsrep_local_state 0 and wsrep_ready 0 too (seen on the sandbox's hooli).
        expr: `(mysql_global_status_wsrep_local_state{job="mysqld", ${editionMatcher(cluster)}} != 4) or on (customer, part) (mysql_global_status_wsrep_ready{job="mysqld", ${editionMatcher(cluster)}} == 0)`,
        for: down,
        labels: { severity: "warning", component: "database" },
        annotations: { summary: "Database node {{ $labels.part }} of {{ $labels.customer }} is not in sync with its cluster." },
      },
    );
  }
  rules.push({
    alert: "DatabaseMonitoringDown",
    expr: `up{job="mysqld"} == 0`,
    for: down,
    labels: { severity: "info", component: "database" },
    annotations: { summary: "The database monitor of {{ $labels.customer }} ({{ $labels.part }}) does not answer: the database's state is unknown." },
  });
  return rules;
}

function loadRules(cat: EditionCatalog): AlertRule[] {
  const a = cat.monitoring.alerts;
  const slow = s(a.slowForSeconds);
  const sum5xx = `sum by (customer, edition) (${ownBackend(`haproxy_backend_http_responses_total{job="haproxy", code="5xx"}`, a.errorRate5xx.windowSeconds)})`;
  const sumAll = `sum by (customer, edition) (${ownBackend(`haproxy_backend_http_responses_total{job="haproxy"}`, a.errorRate5xx.windowSeconds)})`;
  return [
    {
      alert: "FsbDown",
      expr: `up{job="fsb"} == 0`,
      for: s(a.downForSeconds),
      labels: { severity: "critical", component: "fsb" },
      annotations: { summary: "The FSB signing box {{ $labels.part }} used by {{ $labels.customer }} does not answer: licenses cannot be signed." },
    },
    {
      alert: "FsbQueueSaturated",
      expr: `fsb_queue_depth{job="fsb"} / (fsb_queue_capacity{job="fsb"} > 0) >= ${num(a.fsbQueueSaturation.fraction)}`,
      for: s(a.fsbQueueSaturation.forSeconds),
      labels: { severity: "warning", component: "fsb" },
      annotations: { summary: "The FSB signing queue {{ $labels.part }} of {{ $labels.customer }} is {{ $value | humanizePercentage }} full: a load peak." },
    },
    {
      // A box that answers its scrapes (so FsbDown stays quiet) but does not sign: requests wait and no signature
      // came in the last minute, or signatures take on average longer than the activations' p99 limit (far above
      // any box's signLatencyMs). The hung-but-alive case the heal service's fsb-hang playbook acts on.
      alert: "FsbNotSigning",
      expr: `(fsb_queue_depth{job="fsb"} > 0 unless on (customer, part) (sum by (customer, part) (increase(fsb_signatures_total{job="fsb"}[1m])) > 0)) or (rate(fsb_sign_duration_seconds_sum{job="fsb"}[1m]) / rate(fsb_sign_duration_seconds_count{job="fsb"}[1m]) > ${num(a.latencyP99.seconds)})`,
      for: s(a.fsbQueueSaturation.forSeconds),
      labels: { severity: "critical", component: "fsb" },
      annotations: {
        summary: "The FSB signing box {{ $labels.part }} used by {{ $labels.customer }} answers but does not sign: requests wait and no signature comes.",
      },
    },
    {
      alert: "HighErrorRate",
      expr: `${sum5xx} / ${sumAll} > ${num(a.errorRate5xx.fraction)}`,
      for: slow,
      labels: { severity: "warning", component: "entry", part: "entry" },
      annotations: { summary: "{{ $value | humanizePercentage }} of the requests to License Central of {{ $labels.customer }} fail with a server error." },
    },
    {
      alert: "HighLatency",
      expr: `histogram_quantile(0.99, sum by (customer, edition, le) (rate(lc_activation_duration_seconds_bucket{job="lc-line"}[${s(a.latencyP99.windowSeconds)}]))) > ${num(a.latencyP99.seconds)}`,
      for: slow,
      labels: { severity: "warning", component: "line", part: "lines" },
      annotations: { summary: "The slowest 1 % of activations of {{ $labels.customer }} take longer than {{ $value | humanizeDuration }}." },
    },
  ];
}

function quotaAndCertificateRules(cat: EditionCatalog): AlertRule[] {
  const a = cat.monitoring.alerts;
  // Every line reports the customer's month total; the quota name becomes the part (activations, webServiceCalls).
  const used = `label_replace(max by (customer, edition, quota) (lc_quota_used{job="lc-line"}) / max by (customer, edition, quota) (lc_quota_limit{job="lc-line"} > 0), "part", "$1", "quota", "(.+)")`;
  return [
    {
      alert: "QuotaNearlyUsed",
      expr: `${used} >= ${num(a.quota.warnFraction)}`,
      for: s(a.downForSeconds),
      labels: { severity: "warning", component: "quota" },
      annotations: { summary: "{{ $labels.customer }} has used {{ $value | humanizePercentage }} of this month's booked {{ $labels.quota }}." },
    },
    {
      alert: "QuotaUsedUp",
      expr: `${used} >= ${num(a.quota.limitFraction)}`,
      for: s(a.downForSeconds),
      labels: { severity: "critical", component: "quota" },
      annotations: { summary: "{{ $labels.customer }} has used up this month's booked {{ $labels.quota }} ({{ $value | humanizePercentage }})." },
    },
    {
      alert: "CertificateExpiresSoon",
      expr: `probe_ssl_earliest_cert_expiry{job="blackbox-https"} - time() < ${a.certificateDays * 86400}`,
      for: s(a.slowForSeconds),
      labels: { severity: "warning", component: "certificate", part: "entry" },
      annotations: { summary: `The TLS certificate of {{ $labels.public_host }} expires in less than ${a.certificateDays} days.` },
    },
  ];
}

/** Every window the burn-rate alerts read, each recorded once. */
function sloWindows(cat: EditionCatalog): number[] {
  return [...new Set(cat.monitoring.slo.burnRates.flatMap((w) => [w.longWindowMinutes, w.shortWindowMinutes]))].sort((x, y) => x - y);
}

/**
 * The probe success ratio per window, recorded only once half the window holds probes: a Prometheus that
 * just started (or an entry probed for the first time) would otherwise read one failed first probe as a
 * 50 % failure rate over hours and page for a burn that never happened. The price: a new Prometheus judges
 * a window pair only once its long window is half full (30 min for 1 h, 36 h for 3 days).
 */
function sloRecordingRules(cat: EditionCatalog, scrapeSeconds: number): RecordingRule[] {
  const probes = `probe_success{job="blackbox-https"}`;
  return sloWindows(cat).map((w) => ({
    record: probeRatioRecord(w),
    expr: `avg_over_time(${probes}[${m(w)}]) and count_over_time(${probes}[${m(w)}]) >= ${Math.max(1, Math.floor((w * 60) / scrapeSeconds / 2))}`,
  }));
}

/** Multi-window burn-rate alerts per edition, from its availabilityPercent; pairs of one severity are one alert. */
function sloAlertRules(cat: EditionCatalog): AlertRule[] {
  const rules: AlertRule[] = [];
  const severities = [...new Set(cat.monitoring.slo.burnRates.map((w) => w.severity))];
  for (const id of EDITION_IDS) {
    const pct = cat.editions[id].availabilityPercent;
    const budget = 1 - pct / 100;
    for (const severity of severities) {
      const pairs = cat.monitoring.slo.burnRates.filter((w) => w.severity === severity);
      const expr = pairs
        .map((w) => {
          const limit = num(w.factor * budget);
          const sel = `{edition="${id}"}`;
          return `((1 - ${probeRatioRecord(w.longWindowMinutes)}${sel}) > ${limit} and (1 - ${probeRatioRecord(w.shortWindowMinutes)}${sel}) > ${limit})`;
        })
        .join(" or ");
      rules.push({
        alert: `ErrorBudgetBurn${severity[0].toUpperCase()}${severity.slice(1)}`,
        expr,
        for: s(cat.monitoring.alerts.slowForSeconds),
        labels: { severity, component: "slo", part: "availability", edition: id },
        annotations: {
          summary: `License Central of {{ $labels.customer }} fails its probes so often that the month's ${pct} % availability is at risk (burning the error budget ${pairs.map((w) => `${num(w.factor)}x`).join(" / ")} too fast).`,
        },
      });
    }
  }
  return rules;
}

/**
 * The rule groups of rules.yml, evaluated at the stack's evaluation interval. `scrapeSeconds` (the
 * operations stack's) says how many probes a window holds.
 */
export function alertRuleGroups(cat: EditionCatalog = editionCatalog(), scrapeSeconds = cat.monitoring.intervals.scrapeSeconds): RuleGroup[] {
  return [
    { name: "lchost-availability", rules: [...availabilityRules(cat), ...databaseRules(cat)] },
    { name: "lchost-load", rules: loadRules(cat) },
    { name: "lchost-quota-certificate", rules: quotaAndCertificateRules(cat) },
    { name: "lchost-slo", rules: [...sloRecordingRules(cat, scrapeSeconds), ...sloAlertRules(cat)] },
    // SLA accounting (issue 10): minute-level probe success, read by lchost sla report
    slaRuleGroup(),
  ];
}

/** rules.yml for Prometheus (promtool check rules validates it). */
export function renderAlertRules(cat: EditionCatalog = editionCatalog(), scrapeSeconds = cat.monitoring.intervals.scrapeSeconds): string {
  return `# Rendered by lchost (render/prometheus/rules.ts) from model/catalog.yaml; do not edit.\n${plainYaml({ groups: alertRuleGroups(cat, scrapeSeconds) })}`;
}
