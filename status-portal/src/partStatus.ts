/**
 * A customer's page from its incidents (pure): the state of each part in plain words, the overall state,
 * and the 90-day history, one bar per calendar day of the customer's time zone.
 */
import type { IncidentSeverity } from "./env";
import type { DayLevel, PartState } from "./i18n";
import { addDays, startOfZonedDay, zonedDate } from "./timeFormat";

export interface IncidentSpan {
  severity: IncidentSeverity;
  /** The parts of the customer's page it concerns (empty: the service as a whole). */
  parts: string[];
  startedAt: Date;
  resolvedAt: Date | null;
}

const STATE_RANK: Record<PartState, number> = { operational: 0, degraded: 1, disrupted: 2 };
const stateOf = (s: IncidentSeverity): PartState => (s === "critical" ? "disrupted" : "degraded");
export const worse = (a: PartState, b: PartState): PartState => (STATE_RANK[b] > STATE_RANK[a] ? b : a);

/** Does an incident's part concern a page part? (`fsb` on the page stands for a shared FSB, alerts call it fsb-1.) */
export function concerns(pagePart: string, incidentPart: string): boolean {
  return incidentPart === pagePart || (pagePart === "fsb" && /^fsb(-\d+)?$/.test(incidentPart));
}

/** Each page part with its state from the open incidents; an incident without parts affects the overall state only. */
export function partStates(parts: string[], open: IncidentSpan[]): Array<{ part: string; state: PartState }> {
  return parts.map((part) => ({
    part,
    state: open
      .filter((i) => i.resolvedAt === null && i.parts.some((p) => concerns(part, p)))
      .reduce<PartState>((s, i) => worse(s, stateOf(i.severity)), "operational"),
  }));
}

export function overallState(open: IncidentSpan[]): PartState {
  return open.filter((i) => i.resolvedAt === null).reduce<PartState>((s, i) => worse(s, stateOf(i.severity)), "operational");
}

export interface DayBar {
  /** YYYY-MM-DD in the time zone */
  date: string;
  level: DayLevel;
  disruptedMinutes: number;
  degradedMinutes: number;
}

/** Minutes of the union of intervals clipped to [from, to). */
function unionMinutes(intervals: Array<[number, number]>, from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -1;
  let curB = -1;
  for (const [a, b] of clipped) {
    if (a > curB) {
      total += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  total += curB - curA;
  return Math.round(total / 60_000);
}

/**
 * One bar per calendar day (the customer's time zone) of the last `days` days, today included: the worst
 * that happened that day and for how many minutes (overlapping incidents counted once; an impairment while
 * disrupted counts as disrupted). Days before `since` (the customer was not yet watched) have no data.
 */
export function dailyHistory(input: { incidents: IncidentSpan[]; now: Date; timeZone: string; days?: number; since?: Date }): DayBar[] {
  const days = input.days ?? 90;
  const today = zonedDate(input.now, input.timeZone);
  const nowMs = input.now.getTime();
  const spans = (sev: IncidentSeverity) =>
    input.incidents.filter((i) => i.severity === sev).map((i) => [i.startedAt.getTime(), (i.resolvedAt ?? input.now).getTime()] as [number, number]);
  const critical = spans("critical");
  const all = [...critical, ...spans("warning")];
  const out: DayBar[] = [];
  let date = addDays(today, -(days - 1));
  let start = startOfZonedDay(date, input.timeZone).getTime();
  for (let k = days - 1; k >= 0; k--) {
    // a day ends where the next begins
    const next = addDays(date, 1);
    const nextStart = startOfZonedDay(next, input.timeZone).getTime();
    const from = start;
    const to = Math.min(nextStart, nowMs);
    const day = date;
    date = next;
    start = nextStart;
    if (input.since && to <= input.since.getTime()) {
      out.push({ date: day, level: "nodata", disruptedMinutes: 0, degradedMinutes: 0 });
      continue;
    }
    const disruptedMinutes = unionMinutes(critical, from, to);
    const degradedMinutes = unionMinutes(all, from, to) - disruptedMinutes;
    const touched = (list: Array<[number, number]>) => list.some(([a, b]) => a < to && b > from);
    const level: DayLevel = touched(critical) ? "disrupted" : touched(all) ? "degraded" : "ok";
    out.push({ date: day, level, disruptedMinutes, degradedMinutes: Math.max(0, degradedMinutes) });
  }
  return out;
}
