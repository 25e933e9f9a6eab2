/**
 * Monthly quotas: activations + deactivations, and web-service calls, per UTC calendar month, as the
 * customer booked them across all its lines (the lines share one database, so one count). Soft mode
 * serves the request and flags it. Hard mode refuses it with 429 naming quota, limit and usage, and is
 * exact under concurrency: admission locks the (month, quota) row, counts usage plus reservations, and
 * the caller reserves (writes its pending row or usage event) in the same transaction.
 */
import type { Logger } from "pino";
import type { QuotaMode } from "./config";
import type { Conn } from "./db";
import { HttpError } from "./httpErrors";
import type { LcMetrics } from "./metrics";
import type { LcStore } from "./store";

/** The part of a (request) logger the use cases need. */
export type WarnLog = Pick<Logger, "warn">;

export type QuotaName = "activations" | "webServiceCalls";

export const QUOTA_VARIABLE: Record<QuotaName, string> = {
  activations: "LC_QUOTA_ACTIVATIONS_PER_MONTH",
  webServiceCalls: "LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH",
};

export class QuotaPolicy {
  constructor(
    readonly mode: QuotaMode,
    private readonly limits: Record<QuotaName, number | null>,
    private readonly metrics: LcMetrics,
    private readonly store: LcStore,
  ) {}

  limit(quota: QuotaName): number | null {
    return this.limits[quota];
  }

  /** True when hard mode refuses over-quota requests of this quota (so it is reserved atomically). */
  isHard(quota: QuotaName): boolean {
    return this.mode === "hard" && this.limits[quota] !== null;
  }

  /**
   * Before the transaction that admits: makes sure hard mode's lock row exists, outside the transaction
   * (admit must not take a second pooled connection while its transaction holds one).
   */
  async prepare(quota: QuotaName, month: string): Promise<void> {
    if (this.isHard(quota)) await this.store.ensureQuotaRow(month, quota);
  }

  /**
   * Admits one more unit of `quota` inside `conn`'s transaction, before the caller writes it. Hard mode:
   * locks (month, quota) until the transaction ends, then `used()` (which must count what is reserved
   * too) decides; over the limit throws 429. Soft mode: see check(). Returns true when soft mode served
   * it over the limit.
   */
  async admit(conn: Conn, quota: QuotaName, month: string, used: () => Promise<number>, log: WarnLog): Promise<boolean> {
    if (this.limits[quota] === null) return false;
    if (this.isHard(quota)) await this.store.lockQuota(conn, month, quota);
    return this.check(quota, await used(), month, log);
  }

  /**
   * Checks `used` (the month's count before this operation). Hard mode over the limit: throws 429.
   * Soft mode over the limit: counts the metric, logs a warning and returns true (the caller flags the
   * reply with X-Quota-Exceeded). Within the limit: false.
   */
  check(quota: QuotaName, used: number, month: string, log: WarnLog): boolean {
    const limit = this.limits[quota];
    if (limit === null || used < limit) return false;
    this.metrics.quotaExceeded.inc({ quota, mode: this.mode });
    if (this.mode === "hard") throw this.exceeded(quota, limit, used, month);
    log.warn({ quota, limit, used, month }, "monthly quota exceeded (soft mode: served)");
    return true;
  }

  exceeded(quota: QuotaName, limit: number, used: number, month: string): HttpError {
    return new HttpError(
      429,
      "quota_exceeded",
      `quota ${quota} exceeded for ${month}: limit ${limit} per month (${QUOTA_VARIABLE[quota]}), used ${used}`,
      undefined,
      {
        "X-Quota-Exceeded": quota,
      },
    );
  }
}
