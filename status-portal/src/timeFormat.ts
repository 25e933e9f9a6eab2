/**
 * Dates as a customer reads them (pure): stored in UTC, shown in the customer's time zone and language,
 * and calendar days of that time zone for the 90-day history.
 */
import type { PortalLanguage } from "./env";

// Building an Intl.DateTimeFormat costs far more than using one: one per (use, language, zone), kept. The key is
// spelled out by each caller (a JSON.stringify of the options per call showed in the bench:portal profile).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, locale: string, options: () => Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options());
    formatters.set(key, f);
  }
  return f;
}

const LOCALE: Record<PortalLanguage, string> = { de: "de-DE", en: "en-GB" };

/** `28.11.2026, 08:41 MEZ` (de) / `28 Nov 2026, 07:41 UTC` (en, time zone UTC). */
export function formatDateTime(at: Date, language: PortalLanguage, timeZone: string): string {
  return formatter(`dateTime|${language}|${timeZone}`, LOCALE[language], () => ({
    timeZone,
    year: "numeric",
    month: language === "de" ? "2-digit" : "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  })).format(at);
}

/** `28.11.2026` / `28 Nov 2026` in the time zone. */
export function formatDay(at: Date, language: PortalLanguage, timeZone: string): string {
  return formatter(`day|${language}|${timeZone}`, LOCALE[language], () => ({
    timeZone,
    year: "numeric",
    month: language === "de" ? "2-digit" : "short",
    day: "2-digit",
  })).format(at);
}

/** A duration in whole minutes as people say it: `3 h 12 min` / `45 min` / `2 d 4 h`. */
export function formatDuration(ms: number, language: PortalLanguage): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const day = language === "de" ? "T" : "d";
  if (d > 0) return `${d} ${day}${h ? ` ${h} h` : ""}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ""}`;
  return `${m} min`;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function zonedDate(at: Date, timeZone: string): string {
  const parts = formatter(`date|${timeZone}`, "en-CA", () => ({ timeZone, year: "numeric", month: "2-digit", day: "2-digit" })).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** How far the time zone's wall clock is ahead of UTC at an instant (ms). */
function offsetMs(at: number, timeZone: string): number {
  const parts = formatter(`offset|${timeZone}`, "en-US", () => ({
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  })).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(at / 1000) * 1000;
}

// When a day begins in a zone does not change: remembered, so the 90-day bars of every page view (182 days'
// starts, two formatToParts each) cost a lookup after the first view. Bounded: cleared when it grows past the
// days of a few hundred zones.
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 50_000;

/** The instant a calendar day (YYYY-MM-DD) begins in a time zone (DST days included: 23 or 25 hours long). */
export function startOfZonedDay(date: string, timeZone: string): Date {
  const key = `${timeZone}|${date}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    const [y, m, d] = date.split("-").map(Number);
    const guess = Date.UTC(y, m - 1, d);
    const first = guess - offsetMs(guess, timeZone);
    start = guess - offsetMs(first, timeZone);
    if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.clear();
    dayStarts.set(key, start);
  }
  return new Date(start);
}

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The UTC month (YYYY-MM) of an instant: SLA months are UTC months. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}
