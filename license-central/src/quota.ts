/**
 * Monthly quotas: activations + deactivations, and web-service calls, per UTC calendar month. Soft mode
 * serves the request and flags it; hard mode refuses it with 429 naming quota, limit and usage.
 */
import type { Logger } from "pino";
import type { QuotaMode } from "./config";
import { HttpError } from "./httpErrors";
import type { LcMetrics } from "./metrics";

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
  ) {}

  limit(quota: QuotaName): number | null {
    return this.limits[quota];
  }

  /** True when hard mode refuses over-quota requests of this quota (so it must be reserved atomically). */
  isHard(quota: QuotaName): boolean {
    return this.mode === "hard" && this.limits[quota] !== null;
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
    return new HttpError(429, "quota_exceeded", `quota ${quota} exceeded for ${month}: limit ${limit} per month (${QUOTA_VARIABLE[quota]}), used ${used}`, undefined, {
      "X-Quota-Exceeded": quota,
    });
  }
}
