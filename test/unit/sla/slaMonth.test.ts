import { editionCatalog, SlaCreditBand, SlaRules } from "../../../model/catalog";
import {
  creditBandLabel,
  emptyMinuteStates,
  formatAvailability,
  MaintenanceWindow,
  MINUTE_STATE,
  minuteStatesFromProbes,
  monthOf,
  parseMonth,
  ProbeSample,
  slaMonth,
} from "../../../model/sla";

/*
 * The SLA maths against hand-computed cases (docs/sla.md has the definitions). Probes every 5 s, like the
 * catalog's scrape interval; a minute is down when at least half of its probes failed.
 */

const rules: SlaRules = { downMinuteFailedShare: 0.5, maintenanceNoticeDays: 5 };
const standard: SlaCreditBand[] = [
  { atLeastPercent: 99.5, creditPercent: 0 },
  { atLeastPercent: 99.0, creditPercent: 10 },
  { atLeastPercent: 95.0, creditPercent: 25 },
  { atLeastPercent: 0, creditPercent: 50 },
];
const ha: SlaCreditBand[] = [
  { atLeastPercent: 99.9, creditPercent: 0 },
  { atLeastPercent: 99.5, creditPercent: 10 },
  { atLeastPercent: 99.0, creditPercent: 25 },
  { atLeastPercent: 0, creditPercent: 50 },
];
const t = (iso: string) => Date.parse(iso);

/** Probes every 5 s in [from, to), failing inside any of `outages` ([from, to)) and absent inside `gaps`. */
function probes(from: string, to: string, outages: Array<[string, string]>, gaps: Array<[string, string]> = []): ProbeSample[] {
  const out: ProbeSample[] = [];
  const o = outages.map(([a, b]) => [t(a), t(b)]);
  const g = gaps.map(([a, b]) => [t(a), t(b)]);
  for (let at = t(from); at < t(to); at += 5000) {
    if (g.some(([a, b]) => at >= a && at < b)) continue;
    out.push({ atMs: at, success: !o.some(([a, b]) => at >= a && at < b) });
  }
  return out;
}

/** The synthetic series of the proof: January 31 22:00 to March 1 02:00 with known outages. */
const series = probes(
  "2026-01-31T22:00:00Z",
  "2026-03-01T02:00:00Z",
  [
    ["2026-01-31T23:50:00Z", "2026-02-01T00:20:00Z"], // A: crosses the month boundary: 10 min in January, 20 in February
    ["2026-02-10T10:00:00Z", "2026-02-10T10:43:00Z"], // B: 43 min
    ["2026-02-12T02:10:00Z", "2026-02-12T02:40:00Z"], // C: inside maintenance announced 11 days ahead: excluded
    ["2026-02-20T03:00:00Z", "2026-02-20T03:15:00Z"], // D: inside maintenance announced 2 days ahead: 15 min down
    ["2026-02-22T12:00:00Z", "2026-02-22T12:00:30Z"], // E1: 6 of 12 probes failed: down (half counts)
    ["2026-02-22T12:01:00Z", "2026-02-22T12:01:25Z"], // E2: 5 of 12 failed: up
    ["2026-02-25T00:00:30Z", "2026-02-25T00:43:30Z"], // F: 43 min off the minute grid: 00:00 and 00:43 have 6 of 12 failed each: 44 min
    ["2026-02-27T06:00:00Z", "2026-02-27T10:00:00Z"], // G: 240 min
  ],
  [["2026-02-15T00:00:00Z", "2026-02-15T01:00:00Z"]], // monitoring saw nothing for an hour
);

const maintenance: MaintenanceWindow[] = [
  { from: new Date("2026-02-12T02:00:00Z"), to: new Date("2026-02-12T03:00:00Z"), announcedAt: new Date("2026-02-01T09:00:00Z") },
  { from: new Date("2026-02-20T03:00:00Z"), to: new Date("2026-02-20T04:00:00Z"), announcedAt: new Date("2026-02-18T09:00:00Z") },
];

function month(id: string, credits = standard, guaranteePercent = 99.5, windows = maintenance) {
  const m = parseMonth(id);
  return slaMonth({ month: m, states: minuteStatesFromProbes(m, series, rules), maintenance: windows, guaranteePercent, credits, rules });
}

describe("months", () => {
  it.each([
    ["2026-02", 28, 40320],
    ["2024-02", 29, 41760],
    ["2026-04", 30, 43200],
    ["2026-01", 31, 44640],
    ["2026-12", 31, 44640],
  ])("%s has %i days of %i minutes, starting at UTC midnight", (id, days, minutes) => {
    const m = parseMonth(id);
    expect(m).toMatchObject({ id, days, minutes });
    expect(m.start.toISOString()).toBe(`${id}-01T00:00:00.000Z`);
  });

  it.each(["2026-13", "2026-00", "2026-1", "26-02", "february", "2026-02-01"])("refuses --month %s naming the flag", (bad) => {
    expect(() => parseMonth(bad)).toThrow(/^--month: /);
  });
});

describe("a February with known outages (hand-computed)", () => {
  const feb = month("2026-02");

  it("counts the down minutes: 20 (boundary) + 43 + 15 (late maintenance) + 1 (half failed) + 44 (off-grid) + 240", () => {
    expect(feb.minutesDown).toBe(20 + 43 + 15 + 1 + 44 + 240);
  });

  it("excludes the maintenance announced in time, whole window, and counts the late one as ordinary minutes", () => {
    expect(feb.minutesMaintenance).toBe(60);
    expect(feb.minutesLateMaintenance).toBe(60);
  });

  it("counts the hour without probes as no data, neither up nor down", () => {
    expect(feb.minutesNoData).toBe(60);
    expect(feb.minutesMeasured).toBe(40320 - 60 - 60);
  });

  it("gives availability (40200 - 363) / 40200 = 99.097 %: below 99.5 %, band 99.0–99.5 %, 10 % credit", () => {
    expect(feb.availabilityPercent).toBeCloseTo((100 * 39837) / 40200, 10);
    expect(formatAvailability(feb.availabilityPercent)).toBe("99.097 %");
    expect(feb.met).toBe(false);
    expect(feb.credit).toEqual({ band: "99–99.5 %", atLeastPercent: 99, belowPercent: 99.5, creditPercent: 10 });
  });

  it("counts the late window as excluded once it is announced 5 days ahead (the notice rule, not the outage, decides)", () => {
    const early = maintenance.map((w, i) => (i === 1 ? { ...w, announcedAt: new Date("2026-02-15T03:00:00Z") } : w));
    const r = month("2026-02", standard, 99.5, early);
    expect(r.minutesDown).toBe(363 - 15);
    expect(r.minutesMaintenance).toBe(120);
    expect(r.minutesLateMaintenance).toBe(0);
  });

  it("never excludes a window without an announcement time", () => {
    const r = month("2026-02", standard, 99.5, [{ ...maintenance[0], announcedAt: undefined }]);
    expect(r.minutesMaintenance).toBe(0);
    expect(r.minutesDown).toBe(363 + 30);
  });

  it("excludes only the minutes wholly inside a window (a window from 02:00:30 starts excluding at 02:01)", () => {
    const r = month("2026-02", standard, 99.5, [{ ...maintenance[0], from: new Date("2026-02-12T02:00:30Z"), to: new Date("2026-02-12T02:59:30Z") }]);
    expect(r.minutesMaintenance).toBe(58);
  });
});

describe("the outage crossing a month boundary", () => {
  it("counts its 10 January minutes in January (data from 22:00 only: 120 minutes measured)", () => {
    const jan = month("2026-01");
    expect(jan).toMatchObject({ minutesDown: 10, minutesMeasured: 120, minutesNoData: 44640 - 120, met: false });
    expect(jan.availabilityPercent).toBeCloseTo((100 * 110) / 120, 10);
  });

  it("leaves March's first two hours clean", () => {
    expect(month("2026-03")).toMatchObject({ minutesDown: 0, minutesMeasured: 120, availabilityPercent: 100, met: true });
  });
});

describe("a month without data", () => {
  it("is unknown, never 100 %, and has no credit band", () => {
    const r = month("2026-05");
    expect(r).toMatchObject({ minutesNoData: 44640, minutesMeasured: 0, availabilityPercent: null, met: null, credit: null });
    expect(formatAvailability(r.availabilityPercent)).toBe("unknown");
  });

  it("is unknown when its only data lies inside announced maintenance", () => {
    const m = monthOf(2026, 6);
    const states = emptyMinuteStates(m);
    states.fill(MINUTE_STATE.up, 0, 60);
    const r = slaMonth({
      month: m,
      states,
      rules,
      guaranteePercent: 99.5,
      credits: standard,
      maintenance: [{ from: m.start, to: new Date(m.start.getTime() + 3_600_000), announcedAt: new Date("2026-05-01T00:00:00Z") }],
    });
    expect(r.availabilityPercent).toBeNull();
  });
});

describe("band edges, exactly", () => {
  const withDown = (id: string, down: number, credits: SlaCreditBand[], guarantee: number) => {
    const m = parseMonth(id);
    const states = emptyMinuteStates(m).fill(MINUTE_STATE.up);
    states.fill(MINUTE_STATE.down, 0, down);
    return slaMonth({ month: m, states, maintenance: [], guaranteePercent: guarantee, credits, rules });
  };

  it("a 30-day month with 216 minutes down is exactly 99.5 %: met, no credit", () => {
    const r = withDown("2026-04", 216, standard, 99.5);
    expect(r).toMatchObject({ met: true, credit: { creditPercent: 0, band: "≥ 99.5 %" } });
    expect(formatAvailability(r.availabilityPercent)).toBe("99.500 %");
  });

  it("a 30-day month with 217 minutes down misses 99.5 % (shown truncated as 99.497 %, never rounded up)", () => {
    const r = withDown("2026-04", 217, standard, 99.5);
    expect(r).toMatchObject({ met: false, credit: { creditPercent: 10 } });
    expect(formatAvailability(r.availabilityPercent)).toBe("99.497 %");
  });

  it("a 31-day month allows 223 minutes at 99.5 % (223.2), not 224", () => {
    expect(withDown("2026-01", 223, standard, 99.5).met).toBe(true);
    expect(withDown("2026-01", 224, standard, 99.5).met).toBe(false);
  });

  it("a 28-day February allows 201 minutes at 99.5 % (201.6), not 202", () => {
    expect(withDown("2026-02", 201, standard, 99.5).met).toBe(true);
    expect(withDown("2026-02", 202, standard, 99.5).met).toBe(false);
  });

  it("High Availability: 43 minutes of a 30-day month meet 99.9 %, 44 fall in 99.5–99.9 % (10 %)", () => {
    expect(withDown("2026-04", 43, ha, 99.9)).toMatchObject({ met: true, credit: { creditPercent: 0 } });
    expect(withDown("2026-04", 44, ha, 99.9)).toMatchObject({ met: false, credit: { creditPercent: 10, band: "99.5–99.9 %" } });
  });

  it("the lowest band takes everything below the one above", () => {
    expect(withDown("2026-04", 43200, standard, 99.5)).toMatchObject({ availabilityPercent: 0, credit: { creditPercent: 50, band: "< 95 %" } });
    expect(withDown("2026-04", 2160, standard, 99.5).credit?.creditPercent).toBe(25); // exactly 95 %
    expect(withDown("2026-04", 2161, standard, 99.5).credit?.creditPercent).toBe(50);
  });
});

describe("the current month", () => {
  it("judges only the minutes before `until`", () => {
    const m = parseMonth("2026-02");
    const r = slaMonth({
      month: m,
      states: minuteStatesFromProbes(m, series, rules),
      maintenance,
      guaranteePercent: 99.5,
      credits: standard,
      rules,
      until: new Date("2026-02-10T12:00:00Z"),
    });
    expect(r).toMatchObject({ minutesEvaluated: 9 * 1440 + 720, minutesDown: 20 + 43, minutesNoData: 0 });
  });
});

describe("the catalog's tables", () => {
  it("label every band of every edition, from the guarantee down to 0 %", () => {
    const cat = editionCatalog();
    expect(cat.editions["high-availability"].slaCredits.map((_, i, all) => creditBandLabel(all, i))).toEqual([
      "≥ 99.9 %",
      "99.5–99.9 %",
      "99–99.5 %",
      "< 99 %",
    ]);
    expect(cat.editions.dedicated.slaCredits.map((_, i, all) => creditBandLabel(all, i))).toEqual(["≥ 99.5 %", "99–99.5 %", "95–99 %", "< 95 %"]);
  });
});
