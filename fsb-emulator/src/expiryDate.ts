/**
 * A license item's expiry date, read strictly: `YYYY-MM-DD` or an ISO 8601 date-time with a zone
 * (`YYYY-MM-DDThh:mm[:ss[.fraction]](Z|±hh:mm)`), every field within its calendar range. `Date.parse`
 * alone rolls impossible dates over (2025-02-30 becomes 2025-03-02) and accepts year 0000, and what the
 * box signs is binding: such a date is refused, never corrected.
 */
export const EARLIEST_EXPIRY = "1970-01-01";
export const LATEST_EXPIRY = "9999-12-31";

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2})))?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant as `toISOString()` (UTC, milliseconds), or why the text is not a real date in range. */
export function parseExpiryDate(text: string): { iso: string } | { problem: string } {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return { problem: "must be an ISO 8601 date (YYYY-MM-DD) or date-time with a zone (YYYY-MM-DDThh:mm:ssZ)" };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return { problem: `month ${m[2]} does not exist (01-12)` };
  if (day < 1 || day > daysInMonth(year, month))
    return { problem: `day ${m[3]} does not exist in ${m[1]}-${m[2]} (01-${String(daysInMonth(year, month)).padStart(2, "0")})` };
  if (m[4] !== undefined) {
    if (Number(m[4]) > 23) return { problem: `hour ${m[4]} does not exist (00-23)` };
    if (Number(m[5]) > 59) return { problem: `minute ${m[5]} does not exist (00-59)` };
    if (m[6] !== undefined && Number(m[6]) > 59) return { problem: `second ${m[6]} does not exist (00-59)` };
    if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return { problem: `zone offset ${m[8]} does not exist (-23:59 to +23:59)` };
  }
  const instant = new Date(Date.UTC(0, 0, 1)); // setUTCFullYear keeps years 0-99 as written
  instant.setUTCFullYear(year, month - 1, day);
  if (m[4] !== undefined) {
    const fraction = Number(`0.${m[7] ?? "0"}`);
    const offsetMinutes = m[8] === "Z" ? 0 : (m[8].startsWith("-") ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    instant.setUTCHours(Number(m[4]), Number(m[5]) - offsetMinutes, Number(m[6] ?? 0), Math.floor(fraction * 1000));
  }
  const t = instant.getTime();
  if (t < Date.parse(`${EARLIEST_EXPIRY}T00:00:00Z`) || t > Date.parse(`${LATEST_EXPIRY}T23:59:59.999Z`)) {
    return { problem: `must lie between ${EARLIEST_EXPIRY} and ${LATEST_EXPIRY} (UTC)` };
  }
  return { iso: instant.toISOString() };
}
