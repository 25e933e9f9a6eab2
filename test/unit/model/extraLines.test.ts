import { monthlyQuotas } from "../../../model/catalog";
import { extraLinesProblems, ExtraLinesRequest, monthBounds, parseUntil, proRataQuotas } from "../../../model/extraLines";

const now = new Date("2026-11-28T12:00:00Z");
const ok: ExtraLinesRequest = { edition: "high-availability", bookedLines: 2, runningExtra: 0, add: 2, until: new Date("2026-11-28T14:00:00Z"), now };

describe("a request for temporary extra lines", () => {
  test("an HA customer may add lines until a time ahead", () => {
    expect(extraLinesProblems(ok)).toEqual([]);
  });

  test("each refusal names its flag", () => {
    expect(extraLinesProblems({ ...ok, edition: "dedicated" }).join()).toMatch(/^--add: extra lines are for high-availability/);
    expect(extraLinesProblems({ ...ok, edition: "high-performance" }).join()).toMatch(/--add/);
    expect(extraLinesProblems({ ...ok, add: 0 }).join()).toMatch(/--add: must be a whole number/);
    expect(extraLinesProblems({ ...ok, add: 1.5 }).join()).toMatch(/--add/);
    expect(extraLinesProblems({ ...ok, until: new Date("2026-11-28T11:59:59Z") }).join()).toMatch(/--until: .* is not in the future/);
    expect(extraLinesProblems({ ...ok, until: new Date("2027-01-15T00:00:00Z") }).join()).toMatch(/--until: more than 31 days/);
    expect(extraLinesProblems({ ...ok, until: new Date(NaN) }).join()).toMatch(/--until: not a date/);
    expect(extraLinesProblems({ ...ok, runningExtra: 1, maxExtraLines: 2 }).join()).toMatch(
      /--add: 1 extra line\(s\) run already; 3 would exceed lchost:autoscale.maxExtraLines \(2\)/,
    );
    expect(extraLinesProblems({ ...ok, runningExtra: 0, maxExtraLines: 2 })).toEqual([]);
  });

  test("--until: relative to now, or an instant with a zone; a zoneless time is not guessed", () => {
    expect(parseUntil("+2min", now).toISOString()).toBe("2026-11-28T12:02:00.000Z");
    expect(parseUntil("+3h", now).toISOString()).toBe("2026-11-28T15:00:00.000Z");
    expect(parseUntil("+1d", now).toISOString()).toBe("2026-11-29T12:00:00.000Z");
    expect(parseUntil("2026-12-01T18:00:00+01:00", now).toISOString()).toBe("2026-12-01T17:00:00.000Z");
    expect(parseUntil("2026-12-01T18:00", now).getTime()).toBeNaN();
    expect(parseUntil("tomorrow", now).getTime()).toBeNaN();
  });
});

describe("the quotas grow with the lines while they run, pro rata", () => {
  test("without extra lines: the booked lines' quotas, as the catalog gives them", () => {
    const q = proRataQuotas("high-availability", 3, [], "2026-11");
    expect({ activationsPerMonth: q.activationsPerMonth, webServiceCallsPerMonth: q.webServiceCallsPerMonth }).toEqual(monthlyQuotas("high-availability", 3));
    expect(q.extraLineMonths).toBe(0);
  });

  test("2 extra lines for 3 of November's 30 days add 2 × 0.1 line-months", () => {
    const q = proRataQuotas("high-availability", 2, [{ count: 2, from: new Date("2026-11-10T00:00:00Z"), until: new Date("2026-11-13T00:00:00Z") }], "2026-11");
    const perLine = monthlyQuotas("high-availability", 1);
    expect(q.extraLineMonths).toBeCloseTo(0.2, 6);
    expect(q.activationsPerMonth).toBe(Math.floor(perLine.activationsPerMonth * 2.2));
    expect(q.webServiceCallsPerMonth).toBe(Math.floor(perLine.webServiceCallsPerMonth * 2.2));
  });

  test("a period across the month's end counts only its part in the month; one outside counts nothing", () => {
    const across = [{ count: 1, from: new Date("2026-11-30T12:00:00Z"), until: new Date("2026-12-01T12:00:00Z") }];
    expect(proRataQuotas("high-availability", 2, across, "2026-11").extraLineMonths).toBeCloseTo(0.5 / 30, 6);
    expect(proRataQuotas("high-availability", 2, across, "2026-12").extraLineMonths).toBeCloseTo(0.5 / 31, 6);
    expect(proRataQuotas("high-availability", 2, across, "2026-10").extraLineMonths).toBe(0);
  });

  test("editions without per-line quotas take no extra lines; bad months and periods are refused", () => {
    expect(() => proRataQuotas("dedicated", 1, [{ count: 1, from: now, until: now }], "2026-11")).toThrow(/no per-line quotas/);
    expect(() => monthBounds("2026-13")).toThrow(/month: '2026-13'/);
    expect(() => proRataQuotas("high-availability", 2, [{ count: 1, from: now, until: new Date(now.getTime() - 1) }], "2026-11")).toThrow(/not valid/);
  });
});
