import * as fs from "fs";
import * as path from "path";
import { lazyValidator } from "./schemaValidator";
import * as YAML from "yaml";
import { catalogSchema } from "./catalogSchema";
import type { DatabaseKind } from "./databaseKind";
import { packageRoot } from "./packageRoot";

export const EDITION_IDS = ["datacenter", "dedicated", "high-performance", "high-availability"] as const;
export type EditionId = (typeof EDITION_IDS)[number];

export interface EditionFacts {
  id: EditionId;
  title: string;
  component: string;
  infrastructure: string;
  quotas: { activationsPerMonth: number; webServiceCallsPerMonth: number; perLine: boolean };
  /** The monthly availability guaranteed (announced maintenance excluded). */
  availabilityPercent: number;
  /** What a month below the guarantee credits, highest band first (see SlaCreditBand). */
  slaCredits: SlaCreditBand[];
  includes: { webServices: boolean; dedicatedServer: boolean; dedicatedFsb: boolean; sharedServer: boolean };
  lines: { min: number; max: number; default: number };
  database: { kind: DatabaseKind; nodes: number };
  resources: { memoryMb: number; cpuShares: number };
  /** The HTTPS gateway's connection limits (haproxy maxconn and per-source stick-table limits). */
  gateway: { maxConnections: number; connectionsPerSource: number; requestsPerSourcePer10s: number };
}

/**
 * One band of an edition's SLA credit table: a month whose availability is at least `atLeastPercent` and
 * below the next higher band's bound (the first band: up to 100 %) credits `creditPercent` of the monthly fee.
 */
export interface SlaCreditBand {
  atLeastPercent: number;
  creditPercent: number;
}

/** The catalog's `sla:` section: how a month's availability is measured (docs/sla.md). */
export interface SlaRules {
  /** A minute is down when at least this share of its probes failed. */
  downMinuteFailedShare: number;
  /** Maintenance announced fewer days ahead than this is not excluded from the month. */
  maintenanceNoticeDays: number;
}

/** Severities of alerts, lowest first: a minimum severity lets through that one and every one after it. */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Scrape, evaluation and grouping intervals of the operations stack (an operations stack may override them). */
export interface MonitoringIntervals {
  scrapeSeconds: number;
  scrapeTimeoutSeconds: number;
  evaluationSeconds: number;
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
  repeatIntervalMinutes: number;
}

export interface BurnRateWindow {
  severity: Severity;
  longWindowMinutes: number;
  shortWindowMinutes: number;
  /** How many times faster than sustainable the error budget burns in both windows. */
  factor: number;
}

/** The catalog's `monitoring:` section: defaults and thresholds of every alert (see the comment in catalog.yaml). */
export interface MonitoringCatalog {
  intervals: MonitoringIntervals;
  alerts: {
    downForSeconds: number;
    slowForSeconds: number;
    errorRate5xx: { fraction: number; windowSeconds: number };
    latencyP99: { seconds: number; windowSeconds: number };
    fsbQueueSaturation: { fraction: number; forSeconds: number };
    quota: { warnFraction: number; limitFraction: number };
    certificateDays: number;
  };
  slo: { burnRates: BurnRateWindow[] };
}

export interface OperationsImages {
  prometheus: string;
  alertmanager: string;
  blackboxExporter: string;
  notifier: string;
  statusPortal: string;
  /** The toolkit itself (`lchost heal serve`): the heal service (docs/self-healing.md). */
  heal: string;
}

/** The catalog's `placement:` section: what `lchost fleet place` reserves on a host and sizes a shared server with. */
export interface PlacementCatalog {
  /** Share of every host's capacity never handed out (the unsized small containers, bursts, the host itself). */
  headroomPercent: number;
  /** A shared server's own sized container (its MariaDB); its tenants' lines come on top. */
  sharedServerResources: { memoryMb: number; cpuShares: number };
}

export interface EditionCatalog {
  editions: Record<EditionId, EditionFacts>;
  monitoring: MonitoringCatalog;
  sla: SlaRules;
  placement: PlacementCatalog;
  common: {
    minutesPerMonth: number;
    balancerDeadLineDetectionSeconds: number;
    /** How long `pulumi up` waits for a container to turn healthy (Docker provider `wait`/`waitTimeout`). */
    containerHealthyWithinSeconds: number;
    images: { licenseCentral: string; fsbEmulator: string; database: string; balancer: string; mysqldExporter: string };
    /** How long the operations stack's Prometheus keeps its series. */
    prometheusRetentionDays: number;
    /** The operations stack's images (lchost:role: operations). */
    operationsImages: OperationsImages;
    /** High Availability on lchost:hosts (docs/hosts.md): keepalived of the balancer pair, garbd of 2 hosts + arbitrator. */
    haImages: { keepalived: string; galeraArbitrator: string };
    /** The operations stack's status portal: its database's size and its HTTPS entry's limits. */
    statusPortal: {
      database: { memoryMb: number; cpuShares: number };
      gateway: { maxConnections: number; connectionsPerSource: number; requestsPerSourcePer10s: number };
    };
  };
}

const catalogValidator = lazyValidator(catalogSchema, { allErrors: true });

/** Parses and validates catalog YAML text; every schema error is listed with its path. */
export function parseCatalog(text: string, source = "model/catalog.yaml"): EditionCatalog {
  const raw = YAML.parse(text);
  const validate = catalogValidator();
  if (!validate(raw)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new Error(`invalid edition catalog ${source}: ${errors}`);
  }
  const catalog = raw as unknown as EditionCatalog;
  for (const id of EDITION_IDS) {
    const e = catalog.editions[id];
    e.id = id;
    if (e.lines.min > e.lines.max || e.lines.default < e.lines.min || e.lines.default > e.lines.max) {
      throw new Error(`invalid edition catalog ${source}: /editions/${id}/lines must satisfy min <= default <= max`);
    }
  }
  const creditProblems = EDITION_IDS.flatMap((id) => slaCreditProblems(catalog.editions[id], `/editions/${id}`));
  if (creditProblems.length > 0) throw new Error(`invalid edition catalog ${source}: ${creditProblems.join("; ")}`);
  const iv = catalog.monitoring.intervals;
  if (iv.scrapeTimeoutSeconds > iv.scrapeSeconds) {
    throw new Error(`invalid edition catalog ${source}: /monitoring/intervals/scrapeTimeoutSeconds must be <= scrapeSeconds`);
  }
  const q = catalog.monitoring.alerts.quota;
  if (q.warnFraction >= q.limitFraction) throw new Error(`invalid edition catalog ${source}: /monitoring/alerts/quota/warnFraction must be < limitFraction`);
  for (const [i, w] of catalog.monitoring.slo.burnRates.entries()) {
    if (w.shortWindowMinutes >= w.longWindowMinutes) {
      throw new Error(`invalid edition catalog ${source}: /monitoring/slo/burnRates/${i}: shortWindowMinutes must be < longWindowMinutes`);
    }
  }
  return catalog;
}

/**
 * What is wrong with an edition's credit table, each naming its path: the bands must start at the
 * guarantee with no credit, fall strictly (so they neither overlap nor leave a gap: each band ends where
 * the one above starts), end at 0 % (so every availability has a band), and credit more the lower they go.
 */
export function slaCreditProblems(e: Pick<EditionFacts, "availabilityPercent" | "slaCredits">, at: string): string[] {
  const bands = e.slaCredits;
  const problems: string[] = [];
  const first = bands[0];
  if (first.atLeastPercent !== e.availabilityPercent)
    problems.push(`${at}/slaCredits/0/atLeastPercent must be the guarantee availabilityPercent ${e.availabilityPercent} (is ${first.atLeastPercent})`);
  if (first.creditPercent !== 0)
    problems.push(`${at}/slaCredits/0/creditPercent must be 0: a month that meets the guarantee credits nothing (is ${first.creditPercent})`);
  for (let i = 1; i < bands.length; i++) {
    if (bands[i].atLeastPercent >= bands[i - 1].atLeastPercent)
      problems.push(
        `${at}/slaCredits/${i}/atLeastPercent ${bands[i].atLeastPercent} must be below the band above (${bands[i - 1].atLeastPercent}): bands are listed highest first and must not overlap`,
      );
    if (bands[i].creditPercent <= bands[i - 1].creditPercent)
      problems.push(
        `${at}/slaCredits/${i}/creditPercent ${bands[i].creditPercent} must be more than the band above (${bands[i - 1].creditPercent}): a worse month credits more`,
      );
  }
  const last = bands[bands.length - 1];
  if (last.atLeastPercent !== 0)
    problems.push(`${at}/slaCredits/${bands.length - 1}/atLeastPercent must be 0 so that every availability has a band (is ${last.atLeastPercent})`);
  return problems;
}

let cached: EditionCatalog | undefined;

/** The catalog shipped with lchost, loaded once per process. */
export function editionCatalog(): EditionCatalog {
  if (!cached) {
    const file = path.join(packageRoot(), "model", "catalog.yaml");
    cached = parseCatalog(fs.readFileSync(file, "utf8"), file);
  }
  return cached;
}

export function editionFacts(id: EditionId): EditionFacts {
  return editionCatalog().editions[id];
}

/** Monthly limits of an edition for a given number of lines (HA quotas are per line). */
export function monthlyQuotas(id: EditionId, lines = 1): { activationsPerMonth: number; webServiceCallsPerMonth: number } {
  const q = editionFacts(id).quotas;
  const factor = q.perLine ? lines : 1;
  return { activationsPerMonth: q.activationsPerMonth * factor, webServiceCallsPerMonth: q.webServiceCallsPerMonth * factor };
}

/** The catalog's SLA rules (minute verdict, maintenance notice). */
export function slaRules(): SlaRules {
  return editionCatalog().sla;
}

/** An edition's guarantee and credit table. */
export function slaTerms(id: EditionId): { guaranteePercent: number; credits: SlaCreditBand[] } {
  const e = editionFacts(id);
  return { guaranteePercent: e.availabilityPercent, credits: e.slaCredits };
}

/** Allowed downtime per month from the availability target, in minutes (99.9 % -> 43.2 min). */
export function allowedDowntimeMinutesPerMonth(id: EditionId): number {
  const pct = editionFacts(id).availabilityPercent;
  return Math.round(editionCatalog().common.minutesPerMonth * (100 - pct) * 10) / 1000;
}
