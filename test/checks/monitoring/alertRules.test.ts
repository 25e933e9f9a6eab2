import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { alertRuleGroups, renderAlertRules } from "../../../render/prometheus";
import { runTool, tempDir } from "./support";

/*
 * `promtool test rules` on the rendered rules.yml: synthetic series of a small fleet (wayne: High
 * Availability with 3 lines; hooli: High Performance; acme and initech: Datacenter tenants of shared-dc1,
 * whose shared parts are scraped once per tenant). Every alert fires at the right time with the right
 * labels and summary, stays quiet on healthy series, and a second customer's series never produce the
 * first customer's alert (promtool compares the exact list of firing alerts).
 */

// promtool evaluates these in about a second; the 3-day SLO case in a few. Generous for a loaded 2-core machine.
const PROMTOOL_TIMEOUT_MS = 90_000;
jest.setTimeout(120_000);

type Labels = Record<string, string>;
const EDITION: Record<string, string> = { wayne: "high-availability", hooli: "high-performance", acme: "datacenter", initech: "datacenter" };
const COMPONENT: Record<string, string> = { "lc-line": "line", fsb: "fsb", haproxy: "gateway", mysqld: "database", "blackbox-https": "entry" };
const TENANTS = new Set(["acme", "initech"]);

/** The labels prometheus.yml puts on a target of this customer's part (see render/prometheus/targets.ts). */
function target(job: string, customer: string, part: string, extra: Labels = {}): Labels {
  return {
    job,
    instance: `${customer}-${part}`,
    customer,
    edition: EDITION[customer],
    component: COMPONENT[job],
    part,
    ...(TENANTS.has(customer) ? { shared_server: "shared-dc1" } : {}),
    ...extra,
  };
}
const entry = (customer: string) =>
  target("blackbox-https", customer, "entry", { public_host: `${customer}.${TENANTS.has(customer) ? "dc1." : ""}lchost.local` });

interface Series {
  metric: string;
  labels: Labels;
  values: string;
}
const series = (metric: string, labels: Labels, values: string): Series => ({ metric, labels, values });
interface Expected {
  labels: Labels;
  summary: string;
}
interface Check {
  at: string;
  alert: string;
  expect: Expected[];
}
interface Case {
  name: string;
  interval?: string;
  /** The scrape interval the rules are rendered for (SLO windows count probes): the series' interval. */
  scrapeSeconds?: number;
  evaluationInterval?: string;
  series: Series[];
  checks: Check[];
}

const text = (s: Series) =>
  `${s.metric}{${Object.entries(s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;
/** An alert's labels: the series' (or the aggregation's) plus the rule's. */
const fired = (labels: Labels, rule: Labels, summary: string): Expected => {
  const { job, instance, ...rest } = labels;
  return { labels: { ...(job ? { job } : {}), ...(instance ? { instance } : {}), ...rest, ...rule }, summary };
};

function promtoolTest(c: Case): unknown {
  return {
    interval: c.interval ?? "5s",
    input_series: c.series.map((s) => ({ series: text(s), values: s.values })),
    alert_rule_test: c.checks.map((k) => ({
      eval_time: k.at,
      alertname: k.alert,
      exp_alerts: k.expect.map((e) => ({ exp_labels: e.labels, exp_annotations: { summary: e.summary } })),
    })),
  };
}

// 5 s samples: "1x9 0x40" is up for 0-45 s and down from 50 s on (the alert's `for: 5s` makes it fire at 55 s).
const UP = "1x60";
const DIES_AT_50S = "1x9 0x50";

const availabilityCases: Case[] = [
  {
    name: "EntryUnreachable fires for the customer whose probe fails, 5 s after the failure is first seen",
    series: [series("probe_success", entry("wayne"), DIES_AT_50S), series("probe_success", entry("hooli"), UP)],
    checks: [
      { at: "45s", alert: "EntryUnreachable", expect: [] },
      { at: "50s", alert: "EntryUnreachable", expect: [] },
      {
        at: "55s",
        alert: "EntryUnreachable",
        expect: [
          fired(
            entry("wayne"),
            { severity: "critical", component: "entry", part: "entry" },
            "License Central of wayne cannot be reached over HTTPS at wayne.lchost.local.",
          ),
        ],
      },
    ],
  },
  {
    name: "GatewayDown fires for the dead gateway only",
    series: [
      series("up", target("haproxy", "wayne", "gateway", { backend: "license_central" }), DIES_AT_50S),
      series("up", target("haproxy", "hooli", "gateway", { backend: "license_central" }), UP),
    ],
    checks: [
      { at: "50s", alert: "GatewayDown", expect: [] },
      {
        at: "55s",
        alert: "GatewayDown",
        expect: [
          fired(
            target("haproxy", "wayne", "gateway", { backend: "license_central" }),
            { severity: "critical", component: "gateway" },
            "The HTTPS gateway in front of License Central of wayne is not running.",
          ),
        ],
      },
    ],
  },
  {
    name: "LineDown is critical for a one-line edition and a warning with HA's other lines, which also report fewer lines than booked",
    series: [
      series("up", target("lc-line", "hooli", "line-1"), DIES_AT_50S),
      series("up", target("lc-line", "wayne", "line-1"), UP),
      series("up", target("lc-line", "wayne", "line-2"), DIES_AT_50S),
      series("up", target("lc-line", "wayne", "line-3"), UP),
      series("up", target("lc-line", "initech", "line-1"), UP),
    ],
    checks: [
      { at: "50s", alert: "LineDown", expect: [] },
      { at: "50s", alert: "FewerLinesThanBooked", expect: [] },
      {
        at: "55s",
        alert: "LineDown",
        expect: [
          fired(target("lc-line", "hooli", "line-1"), { severity: "critical", component: "line" }, "License Central of hooli (line-1) is not running."),
          fired(
            target("lc-line", "wayne", "line-2"),
            { severity: "warning", component: "line" },
            "License Central line line-2 of wayne is not running; the other lines carry the load.",
          ),
        ],
      },
      {
        at: "55s",
        alert: "FewerLinesThanBooked",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability" },
            { severity: "warning", component: "line", part: "lines" },
            "Only 2 of the booked License Central lines of wayne are running.",
          ),
        ],
      },
    ],
  },
  {
    name: "FewerLinesThanBooked counts 0 when every HA line is down",
    series: ["line-1", "line-2", "line-3"].map((p) => series("up", target("lc-line", "wayne", p), DIES_AT_50S)),
    checks: [
      {
        at: "55s",
        alert: "FewerLinesThanBooked",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability" },
            { severity: "warning", component: "line", part: "lines" },
            "Only 0 of the booked License Central lines of wayne are running.",
          ),
        ],
      },
    ],
  },
  {
    name: "database alerts: a single server down, a Galera node down, the cluster smaller, a node out of sync, a tenant's monitor down",
    series: [
      series("mysql_up", target("mysqld", "hooli", "db-1"), DIES_AT_50S),
      series("up", target("mysqld", "hooli", "db-1"), UP),
      series("mysql_up", target("mysqld", "wayne", "db-1"), UP),
      series("mysql_up", target("mysqld", "wayne", "db-2"), DIES_AT_50S),
      series("mysql_up", target("mysqld", "wayne", "db-3"), UP),
      series("mysql_global_status_wsrep_cluster_size", target("mysqld", "wayne", "db-1"), "3x9 2x50"),
      series("mysql_global_status_wsrep_cluster_size", target("mysqld", "wayne", "db-3"), "3x9 2x50"),
      series("mysql_global_status_wsrep_local_state", target("mysqld", "wayne", "db-1"), "4x60"),
      series("mysql_global_status_wsrep_local_state", target("mysqld", "wayne", "db-3"), "4x9 1x50"),
      series("mysql_global_status_wsrep_ready", target("mysqld", "wayne", "db-1"), "1x60"),
      series("mysql_global_status_wsrep_ready", target("mysqld", "wayne", "db-3"), "1x9 0x50"),
      // a single MariaDB server (no Galera) reports these as 0 as well: no "not in sync" for it (seen on the sandbox)
      series("mysql_global_status_wsrep_local_state", target("mysqld", "hooli", "db-1"), "0x60"),
      series("mysql_global_status_wsrep_ready", target("mysqld", "hooli", "db-1"), "0x60"),
      // the shared server's exporter, scraped once per tenant: only acme's scrape fails
      series("up", target("mysqld", "acme", "db-1"), DIES_AT_50S),
      series("up", target("mysqld", "initech", "db-1"), UP),
      series("mysql_up", target("mysqld", "initech", "db-1"), UP),
    ],
    checks: [
      { at: "50s", alert: "DatabaseDown", expect: [] },
      {
        at: "55s",
        alert: "DatabaseDown",
        expect: [
          fired(
            target("mysqld", "hooli", "db-1"),
            { severity: "critical", component: "database" },
            "The database of License Central of hooli does not answer.",
          ),
          fired(
            target("mysqld", "wayne", "db-2"),
            { severity: "warning", component: "database" },
            "Database node db-2 of wayne does not answer; the cluster carries on with the other nodes.",
          ),
        ],
      },
      {
        at: "55s",
        alert: "DatabaseClusterSmaller",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability" },
            { severity: "warning", component: "database", part: "cluster" },
            "The database cluster of wayne has 2 of its 3 nodes.",
          ),
        ],
      },
      {
        at: "55s",
        alert: "DatabaseNodeNotSynced",
        expect: [
          fired(
            target("mysqld", "wayne", "db-3"),
            { severity: "warning", component: "database" },
            "Database node db-3 of wayne is not in sync with its cluster.",
          ),
        ],
      },
      {
        at: "55s",
        alert: "DatabaseMonitoringDown",
        expect: [
          fired(
            target("mysqld", "acme", "db-1"),
            { severity: "info", component: "database" },
            "The database monitor of acme (db-1) does not answer: the database's state is unknown.",
          ),
        ],
      },
    ],
  },
  {
    name: "FsbDown at once, FsbQueueSaturated after 30 s at 80 % or more of the queue",
    series: [
      series("up", target("fsb", "wayne", "fsb-1"), UP),
      series("up", target("fsb", "wayne", "fsb-2"), DIES_AT_50S),
      series("fsb_queue_depth", target("fsb", "wayne", "fsb-1"), "10x60"),
      series("fsb_queue_capacity", target("fsb", "wayne", "fsb-1"), "100x60"),
      series("up", target("fsb", "hooli", "fsb-1"), UP),
      series("fsb_queue_depth", target("fsb", "hooli", "fsb-1"), "0x9 90x50"),
      series("fsb_queue_capacity", target("fsb", "hooli", "fsb-1"), "100x60"),
    ],
    checks: [
      {
        at: "55s",
        alert: "FsbDown",
        expect: [
          fired(
            target("fsb", "wayne", "fsb-2"),
            { severity: "critical", component: "fsb" },
            "The FSB signing box fsb-2 used by wayne does not answer: licenses cannot be signed.",
          ),
        ],
      },
      { at: "75s", alert: "FsbQueueSaturated", expect: [] },
      {
        at: "80s",
        alert: "FsbQueueSaturated",
        expect: [
          fired(target("fsb", "hooli", "fsb-1"), { severity: "warning", component: "fsb" }, "The FSB signing queue fsb-1 of hooli is 90% full: a load peak."),
        ],
      },
    ],
  },
];

/** HAProxy response counters of one backend as seen through one target, rising per 5 s sample. */
function responses(customer: string, backend: string, proxy: string, okPer5s: number, errorsPer5s: number): Series[] {
  const t = target("haproxy", customer, "gateway", { backend });
  return [
    series("haproxy_backend_http_responses_total", { ...t, proxy, code: "2xx" }, `0+${okPer5s}x60`),
    series("haproxy_backend_http_responses_total", { ...t, proxy, code: "5xx" }, `0+${errorsPer5s}x60`),
  ];
}

const loadCases: Case[] = [
  {
    name: "FsbNotSigning: requests wait and no signature for a minute, or signatures far too slow; a busy box that signs stays quiet",
    series: [
      // wayne fsb-1 hangs at 45 s: requests queue from 50 s, the signature count stays where it was
      series("up", target("fsb", "wayne", "fsb-1"), "1x60"),
      series("fsb_queue_depth", target("fsb", "wayne", "fsb-1"), "0x9 3x50"),
      series("fsb_signatures_total", { ...target("fsb", "wayne", "fsb-1"), firm: "F1" }, "0+5x9 45x50"),
      // wayne fsb-2 signs, but each signature takes 3 s on average (far above its signLatencyMs)
      series("fsb_sign_duration_seconds_sum", target("fsb", "wayne", "fsb-2"), "0+15x60"),
      series("fsb_sign_duration_seconds_count", target("fsb", "wayne", "fsb-2"), "0+5x60"),
      // hooli's box is busy (a queue all along) and signs quickly
      series("fsb_queue_depth", target("fsb", "hooli", "fsb-1"), "2x60"),
      series("fsb_signatures_total", { ...target("fsb", "hooli", "fsb-1"), firm: "F2" }, "0+5x60"),
      series("fsb_sign_duration_seconds_sum", target("fsb", "hooli", "fsb-1"), "0+0.25x60"),
      series("fsb_sign_duration_seconds_count", target("fsb", "hooli", "fsb-1"), "0+5x60"),
    ],
    checks: [
      { at: "20s", alert: "FsbNotSigning", expect: [] },
      {
        at: "125s",
        alert: "FsbNotSigning",
        expect: [
          fired(
            target("fsb", "wayne", "fsb-2"),
            { severity: "critical", component: "fsb" },
            "The FSB signing box fsb-2 used by wayne answers but does not sign: requests wait and no signature comes.",
          ),
        ],
      },
      {
        at: "140s",
        alert: "FsbNotSigning",
        expect: [
          fired(
            target("fsb", "wayne", "fsb-1"),
            { severity: "critical", component: "fsb" },
            "The FSB signing box fsb-1 used by wayne answers but does not sign: requests wait and no signature comes.",
          ),
          fired(
            target("fsb", "wayne", "fsb-2"),
            { severity: "critical", component: "fsb" },
            "The FSB signing box fsb-2 used by wayne answers but does not sign: requests wait and no signature comes.",
          ),
        ],
      },
    ],
  },
  {
    name: "HighErrorRate counts only the customer's own backend, also on a shared entry point",
    series: [
      series("up", target("haproxy", "wayne", "gateway", { backend: "license_central" }), UP),
      ...responses("wayne", "license_central", "license_central", 90, 10),
      series("up", target("haproxy", "hooli", "gateway", { backend: "license_central" }), UP),
      ...responses("hooli", "license_central", "license_central", 100, 0),
      // a backend that is not hooli's (the fallback for unknown hosts) may fail without paging hooli
      ...responses("hooli", "license_central", "unknown_host", 0, 100),
      // the shared entry point is scraped once per tenant; each scrape holds both tenants' backends
      series("up", target("haproxy", "acme", "gateway", { backend: "tenant_acme" }), UP),
      series("up", target("haproxy", "initech", "gateway", { backend: "tenant_initech" }), UP),
      ...responses("acme", "tenant_acme", "tenant_acme", 100, 0),
      ...responses("acme", "tenant_acme", "tenant_initech", 50, 50),
      ...responses("initech", "tenant_initech", "tenant_acme", 100, 0),
      ...responses("initech", "tenant_initech", "tenant_initech", 50, 50),
    ],
    checks: [
      { at: "100s", alert: "HighErrorRate", expect: [] },
      {
        at: "130s",
        alert: "HighErrorRate",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability" },
            { severity: "warning", component: "entry", part: "entry" },
            "10% of the requests to License Central of wayne fail with a server error.",
          ),
          fired(
            { customer: "initech", edition: "datacenter" },
            { severity: "warning", component: "entry", part: "entry" },
            "50% of the requests to License Central of initech fail with a server error.",
          ),
        ],
      },
    ],
  },
  {
    name: "HighLatency fires when the activations' p99 stays above 2 s for 2 minutes",
    series: [
      ...[
        ["1", "0+0x60"],
        ["5", "0+10x60"],
        ["+Inf", "0+10x60"],
      ].map(([le, v]) => series("lc_activation_duration_seconds_bucket", { ...target("lc-line", "wayne", "line-1"), le }, v)),
      ...[
        ["0.5", "0+10x60"],
        ["1", "0+10x60"],
        ["5", "0+10x60"],
        ["+Inf", "0+10x60"],
      ].map(([le, v]) => series("lc_activation_duration_seconds_bucket", { ...target("lc-line", "hooli", "line-1"), le }, v)),
    ],
    checks: [
      { at: "100s", alert: "HighLatency", expect: [] },
      {
        at: "130s",
        alert: "HighLatency",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability" },
            { severity: "warning", component: "line", part: "lines" },
            "The slowest 1 % of activations of wayne take longer than 4.96s.",
          ),
        ],
      },
    ],
  },
  {
    name: "quota alerts at 80 % and at 100 % of the month's booked quota; a quota of 0 (no web services) never alerts",
    series: [
      ...["line-1", "line-2"].flatMap((line) => [
        series("lc_quota_used", { ...target("lc-line", "wayne", line), quota: "activations" }, "20000x20"),
        series("lc_quota_limit", { ...target("lc-line", "wayne", line), quota: "activations" }, "25000x20"),
        series("lc_quota_used", { ...target("lc-line", "wayne", line), quota: "webServiceCalls" }, "250000x20"),
        series("lc_quota_limit", { ...target("lc-line", "wayne", line), quota: "webServiceCalls" }, "250000x20"),
      ]),
      series("lc_quota_used", { ...target("lc-line", "acme", "line-1"), quota: "activations" }, "100x20"),
      series("lc_quota_limit", { ...target("lc-line", "acme", "line-1"), quota: "activations" }, "1500x20"),
      series("lc_quota_used", { ...target("lc-line", "acme", "line-1"), quota: "webServiceCalls" }, "0x20"),
      series("lc_quota_limit", { ...target("lc-line", "acme", "line-1"), quota: "webServiceCalls" }, "0x20"),
    ],
    checks: [
      {
        at: "10s",
        alert: "QuotaNearlyUsed",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability", quota: "activations", part: "activations" },
            { severity: "warning", component: "quota" },
            "wayne has used 80% of this month's booked activations.",
          ),
          fired(
            { customer: "wayne", edition: "high-availability", quota: "webServiceCalls", part: "webServiceCalls" },
            { severity: "warning", component: "quota" },
            "wayne has used 100% of this month's booked webServiceCalls.",
          ),
        ],
      },
      {
        at: "10s",
        alert: "QuotaUsedUp",
        expect: [
          fired(
            { customer: "wayne", edition: "high-availability", quota: "webServiceCalls", part: "webServiceCalls" },
            { severity: "critical", component: "quota" },
            "wayne has used up this month's booked webServiceCalls (100%).",
          ),
        ],
      },
    ],
  },
  {
    name: "CertificateExpiresSoon fires for a certificate that expires within 21 days",
    series: [
      series("probe_ssl_earliest_cert_expiry", entry("wayne"), `${10 * 86400}x60`),
      series("probe_ssl_earliest_cert_expiry", entry("hooli"), `${100 * 86400}x60`),
    ],
    checks: [
      {
        at: "125s",
        alert: "CertificateExpiresSoon",
        expect: [
          fired(
            entry("wayne"),
            { severity: "warning", component: "certificate", part: "entry" },
            "The TLS certificate of wayne.lchost.local expires in less than 21 days.",
          ),
        ],
      },
    ],
  },
];

const every = (n: number, failEvery: number) => Array.from({ length: n }, (_, i) => (i % failEvery === failEvery - 1 ? "0" : "1")).join(" ");

const sloCases: Case[] = [
  {
    name: "ErrorBudgetBurnCritical: a third of the probes failing burns HA's 99.9 % budget fast; the healthy customer stays quiet",
    interval: "1m",
    scrapeSeconds: 60,
    series: [series("probe_success", entry("wayne"), every(120, 3)), series("probe_success", entry("hooli"), "1x120")],
    checks: [
      {
        at: "60m",
        alert: "ErrorBudgetBurnCritical",
        expect: [
          fired(
            entry("wayne"),
            { severity: "critical", component: "slo", part: "availability", edition: "high-availability" },
            "License Central of wayne fails its probes so often that the month's 99.9 % availability is at risk (burning the error budget 14.4x / 6x too fast).",
          ),
        ],
      },
    ],
  },
  {
    name: "ErrorBudgetBurnWarning: 2 % of failed probes over hours burns High Performance's 99.5 % budget slowly, without paging",
    interval: "5m",
    scrapeSeconds: 300,
    evaluationInterval: "5m",
    // the 3-day window is judged once it is half full (36 h)
    series: [series("probe_success", entry("hooli"), every(460, 50)), series("probe_success", entry("wayne"), "1x460")],
    checks: [
      { at: "35h", alert: "ErrorBudgetBurnWarning", expect: [] },
      {
        at: "37h",
        alert: "ErrorBudgetBurnWarning",
        expect: [
          fired(
            entry("hooli"),
            { severity: "warning", component: "slo", part: "availability", edition: "high-performance" },
            "License Central of hooli fails its probes so often that the month's 99.5 % availability is at risk (burning the error budget 1x too fast).",
          ),
        ],
      },
      { at: "37h", alert: "ErrorBudgetBurnCritical", expect: [] },
    ],
  },
  {
    name: "a failed first probe of a new Prometheus raises no burn alert (a window is judged once half full)",
    interval: "1m",
    scrapeSeconds: 60,
    series: [series("probe_success", entry("wayne"), "0 0 1x60")],
    checks: ["3m", "4m", "40m"].flatMap((at) => [
      { at, alert: "ErrorBudgetBurnCritical", expect: [] },
      { at, alert: "ErrorBudgetBurnWarning", expect: [] },
    ]),
  },
];

/** Healthy series for every input of every alert: nothing may fire. */
const cleanCase: Case = {
  name: "a healthy fleet raises no alert at all",
  series: [
    ...["wayne", "hooli", "acme"].flatMap((c) => [
      series("probe_success", entry(c), UP),
      series("probe_ssl_earliest_cert_expiry", entry(c), `${300 * 86400}x60`),
      series("up", target("haproxy", c, "gateway", { backend: "license_central" }), UP),
      ...responses(c, "license_central", "license_central", 100, 0),
      series("up", target("mysqld", c, "db-1"), UP),
      series("mysql_up", target("mysqld", c, "db-1"), UP),
      series("up", target("fsb", c, "fsb-1"), UP),
      series("fsb_queue_depth", target("fsb", c, "fsb-1"), "3x60"),
      series("fsb_queue_capacity", target("fsb", c, "fsb-1"), "100x60"),
      // a queue that is being worked off: signatures keep coming (FsbNotSigning stays quiet)
      series("fsb_signatures_total", { ...target("fsb", c, "fsb-1"), firm: "F1" }, "0+5x60"),
      series("lc_quota_used", { ...target("lc-line", c, "line-1"), quota: "activations" }, "100x60"),
      series("lc_quota_limit", { ...target("lc-line", c, "line-1"), quota: "activations" }, "1500x60"),
    ]),
    ...["line-1", "line-2", "line-3"].map((p) => series("up", target("lc-line", "wayne", p), UP)),
    series("up", target("lc-line", "hooli", "line-1"), UP),
    series("up", target("lc-line", "acme", "line-1"), UP),
    ...["db-1", "db-2", "db-3"].flatMap((p) => [
      series("mysql_global_status_wsrep_cluster_size", target("mysqld", "wayne", p), "3x60"),
      series("mysql_global_status_wsrep_local_state", target("mysqld", "wayne", p), "4x60"),
      series("mysql_global_status_wsrep_ready", target("mysqld", "wayne", p), "1x60"),
    ]),
  ],
  checks: [],
};

function allAlertNames(): string[] {
  return [...new Set(alertRuleGroups().flatMap((g) => g.rules.flatMap((r) => ("alert" in r ? [r.alert] : []))))].sort();
}
cleanCase.checks = allAlertNames().flatMap((alert) => ["1m", "4m"].map((at) => ({ at, alert, expect: [] })));

describe("promtool test rules on the rendered rules.yml", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("lchost-rules-");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function promtoolPasses(c: Case, evaluationInterval: string): Promise<void> {
    const file = path.join(dir, `${c.name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60)}.test.yml`);
    const rules = `rules-${c.scrapeSeconds ?? 5}s.yml`;
    fs.writeFileSync(path.join(dir, rules), renderAlertRules(undefined, c.scrapeSeconds ?? 5));
    fs.writeFileSync(
      file,
      YAML.stringify({ rule_files: [rules], evaluation_interval: c.evaluationInterval ?? evaluationInterval, tests: [promtoolTest(c)] }, { lineWidth: 0 }),
    );
    const r = await runTool("promtool", ["test", "rules", file], { cwd: dir, timeoutMs: PROMTOOL_TIMEOUT_MS });
    if (r.code !== 0) throw new Error(`promtool test rules failed for '${c.name}':\n${r.out}`);
    expect(r.out).toContain("SUCCESS");
  }

  it("tests every alert the rules define", () => {
    const tested = new Set([...availabilityCases, ...loadCases, ...sloCases].flatMap((c) => c.checks.filter((k) => k.expect.length > 0).map((k) => k.alert)));
    expect([...tested].sort()).toEqual(allAlertNames());
  });

  it.each([...availabilityCases, ...loadCases, cleanCase].map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await promtoolPasses(c, "5s");
  });

  it.each(sloCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await promtoolPasses(c, "1m");
  });

  it("fails when an alert is expected that does not fire (the harness can fail)", async () => {
    const wrong: Case = { ...availabilityCases[0], checks: [{ ...availabilityCases[0].checks[2], at: "45s" }] };
    await expect(promtoolPasses(wrong, "5s")).rejects.toThrow(/promtool test rules failed/);
  });
});
