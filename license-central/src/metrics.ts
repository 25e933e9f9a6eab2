import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const QUOTA_NAMES = ["activations", "webServiceCalls"] as const;
export type MeteredQuota = (typeof QUOTA_NAMES)[number];

/** How long a scrape waits for the month's usage before it answers without the lc_quota_used series. */
export const QUOTA_READ_TIMEOUT_MS = 1000;

/** What the gauges read at scrape time (wired by buildLcApps; fakes in the unit tests). */
export interface ScrapeSources {
  /** This month's usage per quota, customer total; may reject or time out (the database is down). */
  quotaUsage(): Promise<Record<MeteredQuota, number>>;
  /** The booked monthly totals that apply; null = no limit (no lc_quota_limit series then). */
  quotaLimits(): Record<MeteredQuota, number | null>;
  /** The /readyz check: `database` true when the pool answered `SELECT 1` in time. */
  readiness(): Promise<{ ready: boolean; database: boolean }>;
}

/** License Central's Prometheus metrics, all labelled with the edition; served on the admin port only. */
export class LcMetrics {
  readonly registry = new Registry();
  readonly activationsTotal: Counter<"result">;
  readonly deactivationsTotal: Counter;
  readonly wsCallsTotal: Counter;
  readonly quotaExceeded: Counter<"quota" | "mode">;
  readonly fsbErrors: Counter;
  readonly activationSeconds: Histogram;
  readonly quotaUsed: Gauge<"quota">;
  readonly quotaLimit: Gauge<"quota">;
  readonly databaseUp: Gauge;
  readonly ready: Gauge;
  readonly scrapeReadErrors: Counter<"read">;

  constructor(edition: string, defaultMetrics = false) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ edition });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.activationsTotal = new Counter({ name: "lc_activations_total", help: "Activation requests by outcome", labelNames: ["result"], registers });
    this.deactivationsTotal = new Counter({ name: "lc_deactivations_total", help: "Deactivations", registers });
    this.wsCallsTotal = new Counter({ name: "lc_web_service_calls_total", help: "Web-service calls served", registers });
    this.quotaExceeded = new Counter({
      name: "lc_quota_exceeded_total",
      help: "Requests over a monthly quota (soft: served; hard: refused)",
      labelNames: ["quota", "mode"],
      registers,
    });
    this.fsbErrors = new Counter({ name: "lc_fsb_errors_total", help: "Failed calls to the FSB", registers });
    this.activationSeconds = new Histogram({
      name: "lc_activation_duration_seconds",
      help: "Activation request duration (database + FSB)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.quotaUsed = new Gauge({
      name: "lc_quota_used",
      help: "This UTC month's usage of a monthly quota, customer total over all lines (read from the database at scrape time; absent when the read failed)",
      labelNames: ["quota"],
      registers,
    });
    this.quotaLimit = new Gauge({
      name: "lc_quota_limit",
      help: "The booked monthly total of a quota that applies (absent: no limit)",
      labelNames: ["quota"],
      registers,
    });
    this.databaseUp = new Gauge({ name: "lc_database_up", help: "1 when this line's database pool answered SELECT 1 within 1 s at scrape time", registers });
    this.ready = new Gauge({ name: "lc_ready", help: "1 when /readyz would answer 200 (database and FSB answer)", registers });
    this.scrapeReadErrors = new Counter({
      name: "lc_scrape_read_errors_total",
      help: "Scrape-time reads that failed or timed out (their series are left out of that scrape)",
      labelNames: ["read"],
      registers,
    });
  }

  /**
   * Sets the scrape-time gauges from their sources, each read on its own: a failing or slow read leaves its
   * series out (or reports 0 for up/ready) but never fails the scrape. Bounded by the sources' own deadlines.
   */
  async refresh(src: ScrapeSources): Promise<void> {
    const [usage, readiness] = await Promise.allSettled([src.quotaUsage(), src.readiness()]);
    const limits = src.quotaLimits();
    for (const quota of QUOTA_NAMES) {
      const limit = limits[quota];
      if (limit === null) this.quotaLimit.remove({ quota });
      else this.quotaLimit.set({ quota }, limit);
    }
    if (usage.status === "fulfilled") {
      for (const quota of QUOTA_NAMES) this.quotaUsed.set({ quota }, usage.value[quota]);
    } else {
      // a stale count could fire (or hide) a quota alert: rather no series than a wrong one
      this.quotaUsed.reset();
      this.scrapeReadErrors.inc({ read: "quota" });
    }
    if (readiness.status === "fulfilled") {
      this.databaseUp.set(readiness.value.database ? 1 : 0);
      this.ready.set(readiness.value.ready ? 1 : 0);
    } else {
      this.databaseUp.set(0);
      this.ready.set(0);
      this.scrapeReadErrors.inc({ read: "readiness" });
    }
  }
}
