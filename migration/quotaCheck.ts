/**
 * A move to a smaller edition must not silently put a customer over its new quotas: the usage of the
 * last month (and of the current one so far) is compared with the target's monthly quotas from the
 * catalog (High Availability: per line, so fewer lines means less).
 */
import { EditionId, editionFacts, monthlyQuotas } from "../model/catalog";

export interface MonthUsage {
  month: string;
  activations: number;
  deactivations: number;
  webServiceCalls: number;
}

export interface QuotaExcess {
  quota: "activationsPerMonth" | "webServiceCallsPerMonth";
  month: string;
  used: number;
  limit: number;
  message: string;
}

/** "2026-03" -> "2026-02"; "2026-01" -> "2025-12" */
export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/** The months a quota check looks at: the last full month and the current one. */
export function monthsToCheck(now: Date): string[] {
  const current = now.toISOString().slice(0, 7);
  return [previousMonth(current), current];
}

export function quotaExcesses(usage: MonthUsage[], target: { edition: EditionId; lines?: number }): QuotaExcess[] {
  const lines = target.lines ?? editionFacts(target.edition).lines.default;
  const q = monthlyQuotas(target.edition, lines);
  const title = editionFacts(target.edition).title + (editionFacts(target.edition).quotas.perLine ? ` with ${lines} lines` : "");
  const out: QuotaExcess[] = [];
  for (const u of usage) {
    const acts = u.activations + u.deactivations;
    if (acts > q.activationsPerMonth) {
      out.push({
        quota: "activationsPerMonth",
        month: u.month,
        used: acts,
        limit: q.activationsPerMonth,
        message: `activations + deactivations in ${u.month}: ${acts} (${u.activations} + ${u.deactivations}) exceed ${title}'s quota activationsPerMonth of ${q.activationsPerMonth}`,
      });
    }
    if (u.webServiceCalls > q.webServiceCallsPerMonth) {
      out.push({
        quota: "webServiceCallsPerMonth",
        month: u.month,
        used: u.webServiceCalls,
        limit: q.webServiceCallsPerMonth,
        message: `web-service calls in ${u.month}: ${u.webServiceCalls} exceed ${title}'s quota webServiceCallsPerMonth of ${q.webServiceCallsPerMonth}`,
      });
    }
  }
  return out;
}
