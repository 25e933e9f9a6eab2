/** Metering: the month's usage as reported to the customer and operator, and counting web-service calls. */
import type { LcMetrics } from "./metrics";
import type { QuotaName, QuotaPolicy, WarnLog } from "./quota";
import type { LcStore, MonthlyUsage } from "./store";
import { monthOf } from "./validation";

export interface UsageView extends MonthlyUsage {
  month: string;
  quotas: { activationsPerMonth: number | null; webServiceCallsPerMonth: number | null; mode: string };
}

export class Metering {
  constructor(
    private readonly store: LcStore,
    private readonly quota: QuotaPolicy,
    private readonly metrics: LcMetrics,
    private readonly now: () => Date,
  ) {}

  async usageView(month: string | undefined): Promise<UsageView> {
    const m = month ?? monthOf(this.now());
    return {
      month: m,
      ...(await this.store.usage(m)),
      quotas: { activationsPerMonth: this.quota.limit("activations"), webServiceCallsPerMonth: this.quota.limit("webServiceCalls"), mode: this.quota.mode },
    };
  }

  /**
   * What counts against each monthly quota this month, customer total (every line shares the database):
   * activations + deactivations, and web-service calls; read within `totalMs` (the metrics' scrape).
   */
  async quotaUsage(totalMs: number): Promise<Record<QuotaName, number>> {
    const u = await this.store.usageWithin(monthOf(this.now()), totalMs);
    return { activations: u.activations + u.deactivations, webServiceCalls: u.webServiceCalls };
  }

  /** The booked monthly totals that apply (null: no limit). */
  quotaLimits(): Record<QuotaName, number | null> {
    return { activations: this.quota.limit("activations"), webServiceCalls: this.quota.limit("webServiceCalls") };
  }

  /** Counts one web-service call (hard mode over the quota: 429, not counted). Returns the quota a soft mode exceeded. */
  async countWebServiceCall(ref: string, log: WarnLog): Promise<QuotaName | undefined> {
    const at = this.now();
    const month = monthOf(at);
    await this.quota.prepare("webServiceCalls", month);
    const exceeded = await this.store.transaction(async (conn) => {
      const over = await this.quota.admit(conn, "webServiceCalls", month, () => this.store.countUsage(conn, month, ["ws_call"]), log);
      await this.store.recordUsage(conn, "ws_call", at, ref);
      return over;
    });
    this.metrics.wsCallsTotal.inc();
    return exceeded ? "webServiceCalls" : undefined;
  }
}
