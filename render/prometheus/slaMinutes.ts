/**
 * Reads a month of SLA minute verdicts per customer from Prometheus (the samples of the SLA recording rule,
 * slaRules.ts). A whole fleet's month is ~6.7 million minutes; fetching them all would move ~140 MB of
 * JSON. Instead one query summarises each customer's day (count of recorded minutes, lowest success ratio):
 * a day with every minute recorded and none down is all up. The other days are summarised by the hour the
 * same way, and only the hours with a gap or a down minute are fetched minute by minute. A healthy fleet's
 * month is then two small answers; an hour-long Prometheus restart adds one hour of minutes per customer.
 */
import type { SlaRules } from "../../model/catalog";
import { emptyMinuteStates, MINUTE_STATE, MinuteStates, minuteIndex, minuteVerdict, Month } from "../../model/sla";
import { MatrixSeries, PrometheusClient } from "./api";
import { SLA_MINUTE_RECORD, slaMinuteOfSample, slaSampleWindow } from "./slaRules";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
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

/** A label value inside a PromQL regex matcher: RE2-quoted, then escaped for PromQL's double-quoted string. */
const quoteRe2 = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
const promqlString = (s: string) => s.replace(/[\\"]/g, "\\$&");
const customerOf = (s: MatrixSeries): string | undefined => s.metric.customer;
const selector = (customers: string[]) => `${SLA_MINUTE_RECORD}{customer=~"${promqlString(customers.map(quoteRe2).join("|"))}"}`;

/**
 * The samples of the minutes [from, from + len): a range selector evaluated 1 ms before the samples' window
 * ends, so both ends are exact in Prometheus 2.x (ranges include both ends).
 */
const evalAtOf = (minuteFrom: number, len: number) => slaSampleWindow(minuteFrom, minuteFrom + len).toMs - 1;
const rangeOf = (len: number) => `${len - 1}ms`;

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

/** Windows whose minutes must be looked at more closely: window start (ms) -> customers. */
type Unclear = Map<number, Set<string>>;

const add = (m: Unclear, start: number, customer: string) => {
  if (!m.has(start)) m.set(start, new Set());
  m.get(start)!.add(customer);
};

/**
 * Summarises `n` windows of `len` from `from` for `customers` (recorded minutes, lowest success share): a
 * window with every minute recorded and none down is filled as up; the others are returned. Customers
 * without any sample in a window had no data there and are left as they are.
 */
async function summarise(
  prometheus: SlaQueries,
  ctx: { month: Month; states: Map<string, MinuteStates>; until: number; rules: SlaMinutesInput["rules"] },
  customers: string[],
  from: number,
  n: number,
  len: number,
): Promise<Unclear> {
  const sel = selector(customers);
  const first = evalAtOf(from, len);
  const last = evalAtOf(from + (n - 1) * len, len);
  const [counts, mins] = await Promise.all([
    prometheus.queryRange(`count_over_time(${sel}[${rangeOf(len)}])`, first, last, len),
    prometheus.queryRange(`min_over_time(${sel}[${rangeOf(len)}])`, first, last, len),
  ]);
  const windowOf = (tSeconds: number) => Math.round((tSeconds * 1000 - first) / len);
  const lowest = new Map<string, number>();
  for (const s of mins) for (const [t, v] of s.values) lowest.set(`${customerOf(s)}/${windowOf(t)}`, v);
  const unclear: Unclear = new Map();
  for (const s of counts) {
    const c = customerOf(s);
    if (c === undefined || !ctx.states.has(c) || !customers.includes(c)) continue;
    for (const [t, count] of s.values) {
      const k = windowOf(t);
      if (k < 0 || k >= n) continue;
      const start = from + k * len;
      if (start >= ctx.until) continue;
      const whole = start + len <= ctx.until;
      const low = lowest.get(`${c}/${k}`);
      if (whole && count === len / MINUTE_MS && low !== undefined && minuteVerdict(low, ctx.rules) === MINUTE_STATE.up) {
        const i = minuteIndex(ctx.month, start);
        ctx.states.get(c)!.fill(MINUTE_STATE.up, i, i + len / MINUTE_MS);
      } else add(unclear, start, c);
    }
  }
  return unclear;
}

/** Per customer, the month's minute verdicts (no data where Prometheus recorded nothing). */
export async function readSlaMinutes(prometheus: SlaQueries, input: SlaMinutesInput): Promise<Map<string, MinuteStates>> {
  const { month, customers, rules } = input;
  const states = new Map(customers.map((c) => [c, emptyMinuteStates(month)]));
  const until = Math.min(input.until.getTime(), month.end.getTime());
  const days = Math.ceil((until - month.start.getTime()) / DAY_MS);
  if (customers.length === 0 || days <= 0) return states;
  const ctx = { month, states, until, rules };
  const limit = input.concurrency ?? 4;
  // days, then the hours of the unclear days, then the minutes of the unclear hours
  const unclearDays = await summarise(prometheus, ctx, customers, month.start.getTime(), days, DAY_MS);
  const unclearHours: Unclear = new Map();
  await inBatches([...unclearDays.entries()], limit, async ([day, who]) => {
    const hours = await summarise(prometheus, ctx, [...who], day, 24, HOUR_MS);
    for (const [hour, whoInHour] of hours) for (const c of whoInHour) add(unclearHours, hour, c);
  });
  await inBatches([...unclearHours.entries()], limit, async ([hour, who]) => {
    const series = await prometheus.queryMatrixAt(`${selector([...who])}[${rangeOf(HOUR_MS)}]`, evalAtOf(hour, HOUR_MS));
    for (const s of series) {
      const c = customerOf(s);
      if (c !== undefined && who.has(c)) applySamples(states.get(c)!, month, s, until, rules);
    }
  });
  return states;
}
