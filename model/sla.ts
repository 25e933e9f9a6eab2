/**
 * SLA accounting (issue 10): a customer's month from per-minute probe verdicts, announced maintenance and
 * its edition's guarantee and credit table. Pure; docs/sla.md states every definition used here.
 *
 * - A month is a UTC calendar month (28-31 days), minute by minute.
 * - A minute is *down* when at least `downMinuteFailedShare` of the probes that ran in it failed, *up*
 *   when fewer failed, and has *no data* when no probe ran in it (monitoring was not looking).
 * - A minute is *announced maintenance* when it lies wholly inside a window announced at least
 *   `maintenanceNoticeDays` before the window started; such minutes are excluded whatever the probes say.
 *   Windows announced later exclude nothing: their minutes count like any other.
 * - Availability = (measured - down) / measured, measured = minutes with data outside announced
 *   maintenance. It is unknown (null), never 100 %, when no minute was measured.
 */
import type { SlaCreditBand, SlaRules } from "./catalog";

/** A value given to the SLA maths is not usable; `field` is the flag or key that gave it. */
export class SlaInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A UTC calendar month. */
export interface Month {
  /** YYYY-MM */
  id: string;
  start: Date;
  /** The first instant of the next month. */
  end: Date;
  days: number;
  minutes: number;
}

/** Parses YYYY-MM (months 01-12); the error names `field`. */
export function parseMonth(value: string, field = "--month"): Month {
  const m = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!m) throw new SlaInputError(field, `'${value}' is not a month as YYYY-MM (e.g. 2026-02)`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new SlaInputError(field, `'${value}': month ${m[2]} does not exist (01-12)`);
  if (year < 1970) throw new SlaInputError(field, `'${value}': year ${year} is before 1970`);
  return monthOf(year, month);
}

/** The month `month` (1-12) of `year`. */
export function monthOf(year: number, month: number): Month {
  const start = new Date(Date.UTC(year, month - 1, 1));
  const end = new Date(Date.UTC(year, month, 1));
  const minutes = (end.getTime() - start.getTime()) / MINUTE_MS;
  return { id: `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`, start, end, days: minutes / 1440, minutes };
}

/** Per-minute verdicts of one month, index 0 = the month's first minute. */
export const MINUTE_STATE = { noData: 0, up: 1, down: 2 } as const;
export type MinuteStates = Uint8Array;

/** A fresh month of minutes, all without data. */
export function emptyMinuteStates(month: Month): MinuteStates {
  return new Uint8Array(month.minutes);
}

/** The verdict of a minute from the share of its probes that succeeded (0..1). */
export function minuteVerdict(successRatio: number, rules: Pick<SlaRules, "downMinuteFailedShare">): 1 | 2 {
  // 1e-9: a ratio computed as 6/12 in floating point must still count as exactly half
  return 1 - successRatio >= rules.downMinuteFailedShare - 1e-9 ? MINUTE_STATE.down : MINUTE_STATE.up;
}

/** The minute index in `month` of an instant (ms), or -1 outside the month. */
export function minuteIndex(month: Month, atMs: number): number {
  if (atMs < month.start.getTime() || atMs >= month.end.getTime()) return -1;
  return Math.floor((atMs - month.start.getTime()) / MINUTE_MS);
}

/** One blackbox probe: when it ran and whether it succeeded. */
export interface ProbeSample {
  atMs: number;
  success: boolean;
}

/** Minute verdicts from raw probes (what the recording rule computes in Prometheus; see render/prometheus/slaRules.ts). */
export function minuteStatesFromProbes(month: Month, probes: ProbeSample[], rules: Pick<SlaRules, "downMinuteFailedShare">): MinuteStates {
  const ok = new Uint16Array(month.minutes);
  const all = new Uint16Array(month.minutes);
  for (const p of probes) {
    const i = minuteIndex(month, p.atMs);
    if (i < 0) continue;
    all[i]++;
    if (p.success) ok[i]++;
  }
  const states = emptyMinuteStates(month);
  for (let i = 0; i < month.minutes; i++) if (all[i] > 0) states[i] = minuteVerdict(ok[i] / all[i], rules);
  return states;
}

/** Announced (or late-announced) maintenance on a customer. */
export interface MaintenanceWindow {
  from: Date;
  to: Date;
  /** When the customer was told; a window without one was never announced. */
  announcedAt?: Date;
  reason?: string;
}

/** Whether a window was announced early enough to be excluded from the month. */
export function announcedInTime(w: MaintenanceWindow, rules: Pick<SlaRules, "maintenanceNoticeDays">): boolean {
  return w.announcedAt !== undefined && w.from.getTime() - w.announcedAt.getTime() >= rules.maintenanceNoticeDays * DAY_MS;
}

/** Marks the minutes of `month` lying wholly inside one of the windows. */
function minutesInside(month: Month, windows: MaintenanceWindow[]): Uint8Array {
  const inside = new Uint8Array(month.minutes);
  const t0 = month.start.getTime();
  for (const w of windows) {
    // first minute starting at or after `from`, up to the last minute ending at or before `to`
    const first = Math.max(0, Math.ceil((w.from.getTime() - t0) / MINUTE_MS));
    const endExclusive = Math.min(month.minutes, Math.floor((w.to.getTime() - t0) / MINUTE_MS));
    for (let i = first; i < endExclusive; i++) inside[i] = 1;
  }
  return inside;
}

export interface SlaCredit {
  /** e.g. "≥ 99.5 %", "99.0–99.5 %", "< 95 %" */
  band: string;
  atLeastPercent: number;
  /** The band above's bound (exclusive), or null for the top band (up to 100 %). */
  belowPercent: number | null;
  creditPercent: number;
}

export interface SlaMonthInput {
  month: Month;
  states: MinuteStates;
  maintenance: MaintenanceWindow[];
  guaranteePercent: number;
  credits: SlaCreditBand[];
  rules: SlaRules;
  /** Minutes from here on are not judged yet (the current month); default: the whole month. */
  until?: Date;
}

export interface SlaMonthResult {
  month: string;
  minutesInMonth: number;
  /** Minutes judged: the whole month, or up to `until`. */
  minutesEvaluated: number;
  /** Down minutes outside announced maintenance. */
  minutesDown: number;
  /** Minutes wholly inside maintenance announced in time (excluded). */
  minutesMaintenance: number;
  /** Minutes inside maintenance announced too late (counted like any other minute). */
  minutesLateMaintenance: number;
  /** Minutes without any probe, outside announced maintenance (excluded: nothing is known of them). */
  minutesNoData: number;
  /** minutesEvaluated - minutesMaintenance - minutesNoData */
  minutesMeasured: number;
  /** 100 * (measured - down) / measured; null when nothing was measured. */
  availabilityPercent: number | null;
  guaranteePercent: number;
  /** null when the availability is unknown. */
  met: boolean | null;
  /** null when the availability is unknown. */
  credit: SlaCredit | null;
}

/** Percent in thousandths, as an integer: comparisons of availability against bands are exact. */
const milli = (percent: number) => Math.round(percent * 1000);

/** Whether up/measured >= percent, exactly (no floating-point rounding at a band's edge). */
function atLeast(up: number, measured: number, percent: number): boolean {
  return up * 100_000 >= milli(percent) * measured;
}

const pct = (x: number) => String(x);

/** The label of band i of a credit table. */
export function creditBandLabel(credits: SlaCreditBand[], i: number): string {
  const b = credits[i];
  if (i === 0) return `≥ ${pct(b.atLeastPercent)} %`;
  if (b.atLeastPercent === 0) return `< ${pct(credits[i - 1].atLeastPercent)} %`;
  return `${pct(b.atLeastPercent)}–${pct(credits[i - 1].atLeastPercent)} %`;
}

/** The credit band of an availability of up/measured (the first band whose bound it reaches). */
export function creditFor(credits: SlaCreditBand[], up: number, measured: number): SlaCredit {
  const i = credits.findIndex((b) => atLeast(up, measured, b.atLeastPercent));
  // the catalog's last band starts at 0 %, so every availability has one; guard against a hand-made table
  const k = i < 0 ? credits.length - 1 : i;
  return {
    band: creditBandLabel(credits, k),
    atLeastPercent: credits[k].atLeastPercent,
    belowPercent: k === 0 ? null : credits[k - 1].atLeastPercent,
    creditPercent: credits[k].creditPercent,
  };
}

/** One customer's month: minutes down, maintenance, no data; availability against the guarantee; the credit. */
export function slaMonth(input: SlaMonthInput): SlaMonthResult {
  const { month, states, rules } = input;
  if (states.length !== month.minutes) throw new SlaInputError("states", `holds ${states.length} minutes, month ${month.id} has ${month.minutes}`);
  for (const [i, w] of input.maintenance.entries())
    if (w.to.getTime() <= w.from.getTime()) throw new SlaInputError(`maintenance[${i}].to`, `${w.to.toISOString()} must be after from ${w.from.toISOString()}`);
  const evaluated =
    input.until === undefined ? month.minutes : Math.max(0, Math.min(month.minutes, Math.floor((input.until.getTime() - month.start.getTime()) / MINUTE_MS)));
  const inTime = minutesInside(
    month,
    input.maintenance.filter((w) => announcedInTime(w, rules)),
  );
  const late = minutesInside(
    month,
    input.maintenance.filter((w) => !announcedInTime(w, rules)),
  );
  let down = 0;
  let maintenance = 0;
  let lateMaintenance = 0;
  let noData = 0;
  for (let i = 0; i < evaluated; i++) {
    if (inTime[i]) {
      maintenance++;
      continue;
    }
    if (late[i]) lateMaintenance++;
    if (states[i] === MINUTE_STATE.noData) noData++;
    else if (states[i] === MINUTE_STATE.down) down++;
  }
  const measured = evaluated - maintenance - noData;
  const known = measured > 0;
  const up = measured - down;
  return {
    month: month.id,
    minutesInMonth: month.minutes,
    minutesEvaluated: evaluated,
    minutesDown: down,
    minutesMaintenance: maintenance,
    minutesLateMaintenance: lateMaintenance,
    minutesNoData: noData,
    minutesMeasured: measured,
    availabilityPercent: known ? (100 * up) / measured : null,
    guaranteePercent: input.guaranteePercent,
    met: known ? atLeast(up, measured, input.guaranteePercent) : null,
    credit: known ? creditFor(input.credits, up, measured) : null,
  };
}

/** An availability for people: truncated (never rounded up past a band's edge) to `digits` decimals, or "unknown". */
export function formatAvailability(percent: number | null, digits = 3): string {
  if (percent === null) return "unknown";
  const f = 10 ** digits;
  return `${(Math.floor(percent * f + 1e-9) / f).toFixed(digits)} %`;
}
