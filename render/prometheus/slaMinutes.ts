/**
 * Reads a month of SLA minute verdicts per customer from Prometheus (the samples of the SLA recording rule,
 * slaRules.ts). A whole fleet's month is ~6.7 million minutes; fetching them all would move ~140 MB of
 * JSON. Instead one query summarises each customer's day (count of recorded minutes, lowest success ratio):
 * a day with every minute recorded and none down is all up; only the other days are fetched minute by
 * minute. A healthy fleet's month is then two small answers.
 */
import type { SlaRules } from "../../model/catalog";
import { emptyMinuteStates, MINUTE_STATE, MinuteStates, minuteIndex, minuteVerdict, Month } from "../../model/sla";
import { MatrixSeries, PrometheusClient } from "./api";
import { SLA_MINUTE_RECORD, slaMinuteOfSample, slaSampleWindow } from "./slaRules";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What the reader needs of Prometheus (PrometheusClient is one; tests may pass another). */
export type SlaQueries = Pick<PrometheusClient, "queryMatrixAt" | "queryRange">;

export interface SlaMinutesInput {
  month: Month;
  customers: string[];
  /** Minutes from here on are not read (the current month). */
  until: Date;
  rules: Pick<SlaRules, "downMinuteFailedShare">;
  /** Minute-by-minute fetches in flight at once; default 4. */
  concurrency?: number;
}

/** A label value inside a PromQL regex matcher (RE2, anchored). */
const quoteRe2 = (s: string) => s.replace(/[\\.+*?()|[\]{}^$"]/g, "\\$&");
const selector = (customers: string[]) => `${SLA_MINUTE_RECORD}{customer=~"${customers.map(quoteRe2).join("|")}"}`;

/** A day's samples: a range selector ending 1 ms before the window's end, so both ends are exact in Prometheus 2.x (ranges include both ends). */
function dayWindow(month: Month, day: number, until: number): { minuteFrom: number; minuteTo: number; evalAt: number } {
  const minuteFrom = month.start.getTime() + day * DAY_MS;
  const minuteTo = Math.min(minuteFrom + DAY_MS, until);
  const w = slaSampleWindow(minuteFrom, minuteFrom + DAY_MS);
  return { minuteFrom, minuteTo, evalAt: w.toMs - 1 };
}
const DAY_RANGE = `${DAY_MS - 1}ms`;

function customerOf(s: MatrixSeries): string | undefined {
  return s.metric.customer;
}

/** Fills a customer's states from recorded samples (only minutes inside the month and before `until`). */
function applySamples(states: MinuteStates, month: Month, series: MatrixSeries, until: number, rules: SlaMinutesInput["rules"]): void {
  for (const [t, ratio] of series.values) {
    const minute = slaMinuteOfSample(Math.round(t * 1000));
    if (minute >= until) continue;
    const i = minuteIndex(month, minute);
    if (i >= 0 && !Number.isNaN(ratio)) states[i] = minuteVerdict(ratio, rules);
  }
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Per customer, the month's minute verdicts (no data where Prometheus recorded nothing). */
export async function readSlaMinutes(prometheus: SlaQueries, input: SlaMinutesInput): Promise<Map<string, MinuteStates>> {
  const { month, customers, rules } = input;
  const states = new Map(customers.map((c) => [c, emptyMinuteStates(month)]));
  const until = Math.min(input.until.getTime(), month.end.getTime());
  const days = Math.ceil((until - month.start.getTime()) / DAY_MS);
  if (customers.length === 0 || days <= 0) return states;
  const sel = selector(customers);
  const first = dayWindow(month, 0, until);
  const last = dayWindow(month, days - 1, until);
  const [counts, mins] = await Promise.all([
    prometheus.queryRange(`count_over_time(${sel}[${DAY_RANGE}])`, first.evalAt, last.evalAt, DAY_MS),
    prometheus.queryRange(`min_over_time(${sel}[${DAY_RANGE}])`, first.evalAt, last.evalAt, DAY_MS),
  ]);
  const dayOf = (tSeconds: number) => Math.round((tSeconds * 1000 - first.evalAt) / DAY_MS);
  const lowest = new Map<string, number>();
  for (const s of mins) for (const [t, v] of s.values) lowest.set(`${customerOf(s)}/${dayOf(t)}`, v);
  // A day needs its minutes fetched unless every minute was recorded and none was down.
  const detail = new Map<number, Set<string>>();
  for (const s of counts) {
    const c = customerOf(s);
    if (c === undefined || !states.has(c)) continue;
    for (const [t, count] of s.values) {
      const day = dayOf(t);
      if (day < 0 || day >= days) continue;
      const w = dayWindow(month, day, until);
      const expected = (w.minuteTo - w.minuteFrom) / MINUTE_MS;
      const low = lowest.get(`${c}/${day}`);
      const clean = count === expected && w.minuteTo - w.minuteFrom === DAY_MS && low !== undefined && minuteVerdict(low, rules) === MINUTE_STATE.up;
      if (clean) {
        const i = minuteIndex(month, w.minuteFrom);
        states.get(c)!.fill(MINUTE_STATE.up, i, i + expected);
      } else {
        if (!detail.has(day)) detail.set(day, new Set());
        detail.get(day)!.add(c);
      }
    }
  }
  await inBatches([...detail.entries()], input.concurrency ?? 4, async ([day, who]) => {
    const w = dayWindow(month, day, until);
    const series = await prometheus.queryMatrixAt(`${selector([...who])}[${DAY_RANGE}]`, w.evalAt);
    for (const s of series) {
      const c = customerOf(s);
      if (c !== undefined && who.has(c)) applySamples(states.get(c)!, month, s, until, rules);
    }
  });
  return states;
}
