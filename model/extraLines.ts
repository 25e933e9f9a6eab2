/**
 * Temporary extra lines of a High Availability customer (issue 12): `lchost lines <stack> --add N --until T`
 * adds lines for a load peak; the stack file records them as `lchost:extraLines: {count, until}`. Pure: the
 * refusals of a request and the quota maths — the monthly quotas grow with the lines while they run, pro
 * rata to the time they run in that month, so a peak line bills like a booked line for its share of it.
 */
import { editionFacts, EditionId } from "./catalog";
import { InputError } from "./inputError";

export interface ExtraLinesRequest {
  edition: EditionId;
  bookedLines: number;
  /** Extra lines already running (lchost:extraLines.count), 0 when none. */
  runningExtra: number;
  add: number;
  until: Date;
  now: Date;
  /** lchost:autoscale.maxExtraLines when set: never more extra lines than that. */
  maxExtraLines?: number;
}

export class ExtraLinesRefused extends InputError {}

/** How far ahead an extra line may be booked: a peak, not a new edition (longer → change lchost:lines). */
export const MAX_EXTRA_LINES_DAYS = 31;

/** The request's refusals, each naming its flag; none → it may run. */
export function extraLinesProblems(r: ExtraLinesRequest): string[] {
  const problems: string[] = [];
  if (r.edition !== "high-availability")
    problems.push(`--add: extra lines are for high-availability customers only (this stack is ${r.edition}; change its edition with lchost migrate)`);
  if (!Number.isInteger(r.add) || r.add < 1) problems.push(`--add: must be a whole number of lines, 1 or more (got ${r.add})`);
  if (Number.isNaN(r.until.getTime())) problems.push("--until: not a date (ISO 8601, e.g. 2026-12-01T18:00:00Z, or +2h / +90min)");
  else if (r.until.getTime() <= r.now.getTime()) problems.push(`--until: ${r.until.toISOString()} is not in the future (now ${r.now.toISOString()})`);
  else if (r.until.getTime() - r.now.getTime() > MAX_EXTRA_LINES_DAYS * 86_400_000)
    problems.push(`--until: more than ${MAX_EXTRA_LINES_DAYS} days ahead; for a lasting need book the lines (lchost:lines) instead`);
  const total = r.runningExtra + (Number.isInteger(r.add) ? r.add : 0);
  if (r.maxExtraLines !== undefined && total > r.maxExtraLines)
    problems.push(`--add: ${r.runningExtra} extra line(s) run already; ${total} would exceed lchost:autoscale.maxExtraLines (${r.maxExtraLines})`);
  return problems;
}

/** `+40s`, `+2min`, `+2h`, `+1d` from now, or an ISO 8601 instant with a zone. Invalid → an Invalid Date (refused by extraLinesProblems). */
export function parseUntil(text: string, now: Date): Date {
  const rel = /^\+(\d+)(s|min|m|h|d)$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1000, min: 60_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "s" | "min" | "m" | "h" | "d"];
    return new Date(now.getTime() + Number(rel[1]) * unit);
  }
  // a date without a zone would mean the machine's zone: refused rather than guessed
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) return new Date(NaN);
  return new Date(text.trim());
}

/** One period of extra lines: `count` lines from `from` until `until`. */
export interface ExtraLinesPeriod {
  count: number;
  from: Date;
  until: Date;
}

/** The UTC bounds of a month `YYYY-MM`. */
export function monthBounds(month: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new ExtraLinesRefused(`month: '${month}' is not YYYY-MM`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: new Date(Date.UTC(y, mo, 1)), end: new Date(Date.UTC(y, mo + 1, 1)) };
}

/**
 * The month's quotas of an HA customer with booked lines and extra-line periods: per line × (booked lines +
 * Σ extra lines × the share of the month they ran), rounded down (a customer is never billed a fraction of
 * an activation it could not use). Periods outside the month count nothing.
 */
export function proRataQuotas(
  edition: EditionId,
  bookedLines: number,
  periods: ExtraLinesPeriod[],
  month: string,
): { activationsPerMonth: number; webServiceCallsPerMonth: number; extraLineMonths: number } {
  const q = editionFacts(edition).quotas;
  if (!q.perLine && periods.length) throw new ExtraLinesRefused(`extra lines: ${edition} has no per-line quotas`);
  const { start, end } = monthBounds(month);
  const monthMs = end.getTime() - start.getTime();
  let extraLineMonths = 0;
  for (const p of periods) {
    if (!(p.count >= 0) || p.until.getTime() < p.from.getTime())
      throw new ExtraLinesRefused(`extra lines: period ${p.from.toISOString()}–${p.until.toISOString()} with ${p.count} line(s) is not valid`);
    const overlap = Math.max(0, Math.min(p.until.getTime(), end.getTime()) - Math.max(p.from.getTime(), start.getTime()));
    extraLineMonths += (p.count * overlap) / monthMs;
  }
  const lines = q.perLine ? bookedLines + extraLineMonths : 1;
  return {
    activationsPerMonth: Math.floor(q.activationsPerMonth * lines),
    webServiceCallsPerMonth: Math.floor(q.webServiceCallsPerMonth * lines),
    extraLineMonths: Math.round(extraLineMonths * 1e6) / 1e6,
  };
}

/** `YYYY-MM` of an instant, in UTC (the quotas' month). */
export function monthOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** What a customer stack runs at an instant: the booked lines, the extra lines still ahead of their deadline, and the month's quotas. */
export interface LinePlan {
  booked: number;
  /** Extra lines that run now: lchost:extraLines.count while its `until` is ahead, else 0. */
  extra: number;
  total: number;
  /** The running extra lines' deadline. */
  extraUntil?: Date;
  /** The month's quotas every line enforces (usage is counted in the one database across the lines). */
  quotas: { activationsPerMonth: number; webServiceCallsPerMonth: number };
  /** Extra line-months of the month (0 without extra lines). */
  extraLineMonths: number;
}

/**
 * The lines and quotas of a customer stack at `now` (the program deploys `total` lines): an expired
 * lchost:extraLines plans the booked lines only. The quotas follow proRataQuotas for the month of `now`:
 * the extra lines' period runs from `since` (absent: the start of the month) to `until`, so the month keeps
 * the share of a period that ended in it as long as the key is there.
 */
export function linePlan(cfg: { edition: EditionId; lines: number; extraLines?: { count: number; until: string; since?: string } }, now: Date): LinePlan {
  const booked = cfg.lines;
  const x = cfg.extraLines;
  if (!x || !editionFacts(cfg.edition).quotas.perLine) {
    const q = proRataQuotas(cfg.edition, booked, [], monthOf(now));
    return {
      booked,
      extra: 0,
      total: booked,
      quotas: { activationsPerMonth: q.activationsPerMonth, webServiceCallsPerMonth: q.webServiceCallsPerMonth },
      extraLineMonths: 0,
    };
  }
  const until = new Date(x.until);
  const month = monthOf(now);
  const from = x.since ? new Date(x.since) : monthBounds(month).start;
  const q = proRataQuotas(cfg.edition, booked, [{ count: x.count, from: from.getTime() < until.getTime() ? from : until, until }], month);
  const extra = until.getTime() > now.getTime() ? x.count : 0;
  return {
    booked,
    extra,
    total: booked + extra,
    ...(extra ? { extraUntil: until } : {}),
    quotas: { activationsPerMonth: q.activationsPerMonth, webServiceCallsPerMonth: q.webServiceCallsPerMonth },
    extraLineMonths: q.extraLineMonths,
  };
}

/** "3 lines" or "2 booked + 2 extra until 2026-12-01T18:00:00.000Z" (lchost plan's summary). */
export function describeLinePlan(p: LinePlan): string {
  return p.extra ? `${p.booked} booked + ${p.extra} extra until ${p.extraUntil!.toISOString()}` : `${p.booked} line(s)`;
}
