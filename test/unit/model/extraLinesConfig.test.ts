/** lchost:extraLines and lchost:autoscale in the stack file, and the lines and quotas the program deploys from them. */
import { monthlyQuotas } from "../../../model/catalog";
import { describeLinePlan, linePlan } from "../../../model/extraLines";
import { CustomerConfig, durationMs, StackConfigError } from "../../../model/stackConfig";
import { dedicatedValues, haValues, parse } from "../stackFixtures";

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parse(values);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

const ha = (extra: Record<string, unknown>) => ({ ...haValues(), ...extra });

describe("lchost:extraLines and lchost:autoscale", () => {
  test("an HA stack takes both, durations in milliseconds with defaults filled", () => {
    const cfg = parse(
      ha({ extraLines: { count: 2, until: "2026-12-01T18:00:00Z", since: "2026-11-28T12:00:00Z" }, autoscale: { maxExtraLines: 3, scaleUpAfter: "90s" } }),
    ) as CustomerConfig;
    expect(cfg.extraLines).toEqual({ count: 2, until: "2026-12-01T18:00:00Z", since: "2026-11-28T12:00:00Z" });
    expect(cfg.autoscale).toEqual({ maxExtraLines: 3, scaleUpAfterMs: 90_000, scaleDownAfterMs: 30 * 60_000 });
    expect(cfg.lines).toBe(3); // the booked lines stay what lchost:lines says
  });

  test("both are absent by default", () => {
    const cfg = parse(haValues()) as CustomerConfig;
    expect(cfg).not.toHaveProperty("extraLines");
    expect(cfg).not.toHaveProperty("autoscale");
  });

  test("another edition is refused naming each key", () => {
    const p = problemsOf({ ...dedicatedValues(), extraLines: { count: 1, until: "2026-12-01T18:00:00Z" }, autoscale: { maxExtraLines: 1 } });
    expect(p).toContain(
      "lchost:extraLines: not allowed for edition 'dedicated': only high-availability runs extra lines (change the edition with lchost migrate)",
    );
    expect(p).toContain(
      "lchost:autoscale: not allowed for edition 'dedicated': only high-availability runs extra lines (change the edition with lchost migrate)",
    );
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    [
      "a zoneless until",
      { extraLines: { count: 1, until: "2026-12-01T18:00:00" } },
      "lchost:extraLines.until: '2026-12-01T18:00:00' is not an ISO 8601 instant with a zone (e.g. 2026-12-01T18:00:00Z)",
    ],
    [
      "a date that does not exist",
      { extraLines: { count: 1, until: "2026-13-01T18:00:00Z" } },
      "lchost:extraLines.until: '2026-13-01T18:00:00Z' is not a real date",
    ],
    ["no count", { extraLines: { until: "2026-12-01T18:00:00Z" } }, "lchost:extraLines.count: required but missing"],
    ["0 lines", { extraLines: { count: 0, until: "2026-12-01T18:00:00Z" } }, "lchost:extraLines.count: 0 must be >= 1"],
    [
      "since after until",
      { extraLines: { count: 1, until: "2026-12-01T18:00:00Z", since: "2026-12-02T00:00:00Z" } },
      "lchost:extraLines.since: '2026-12-02T00:00:00Z' is not before lchost:extraLines.until ('2026-12-01T18:00:00Z')",
    ],
    [
      "more lines than an HA customer may run",
      { extraLines: { count: 14, until: "2026-12-01T18:00:00Z" } },
      "lchost:extraLines.count: 3 booked + 14 extra lines exceed the 16 lines a High Availability customer may run",
    ],
    [
      "more extra lines than the autoscale maximum",
      { extraLines: { count: 3, until: "2026-12-01T18:00:00Z" }, autoscale: { maxExtraLines: 2 } },
      "lchost:extraLines.count: 3 exceeds lchost:autoscale.maxExtraLines (2)",
    ],
    [
      "a duration without a unit",
      { autoscale: { maxExtraLines: 2, scaleUpAfter: "5" } },
      "lchost:autoscale.scaleUpAfter: '5' is not a duration (a whole number with s, m or h, e.g. 90s, 5m, 2h)",
    ],
    ["autoscale without its maximum", { autoscale: { scaleUpAfter: "5m" } }, "lchost:autoscale.maxExtraLines: required but missing"],
    [
      "an unknown key",
      { extraLines: { count: 1, until: "2026-12-01T18:00:00Z", from: "x" } },
      "lchost:extraLines.from: unknown key; allowed here: count, until, since",
    ],
  ];
  test.each(refusals)("refuses %s, naming the key", (_what, extra, message) => {
    expect(problemsOf(ha(extra))).toContain(message);
  });

  test("durations: seconds, minutes, hours", () => {
    expect([durationMs("90s"), durationMs("5m"), durationMs("2h")]).toEqual([90_000, 300_000, 7_200_000]);
    expect(() => durationMs("5 m")).toThrow(/'5 m' is not a duration/);
  });
});

describe("the lines and quotas at an instant (linePlan)", () => {
  const now = new Date("2026-11-16T00:00:00Z"); // half of November gone
  const base = { edition: "high-availability" as const, lines: 2 };
  const perLine = monthlyQuotas("high-availability", 1);

  test("without extra lines: the booked lines and their quotas", () => {
    const p = linePlan(base, now);
    expect(p).toMatchObject({ booked: 2, extra: 0, total: 2, quotas: monthlyQuotas("high-availability", 2) });
    expect(describeLinePlan(p)).toBe("2 line(s)");
  });

  test("extra lines before their deadline run beside the booked ones, and the month's quotas grow pro rata", () => {
    // 2 extra lines for the second half of November (15 of 30 days): 1 line-month more
    const p = linePlan({ ...base, extraLines: { count: 2, since: "2026-11-16T00:00:00Z", until: "2026-12-01T00:00:00Z" } }, now);
    expect(p).toMatchObject({ booked: 2, extra: 2, total: 4, extraLineMonths: 1 });
    expect(p.quotas).toEqual(monthlyQuotas("high-availability", 3));
    expect(describeLinePlan(p)).toBe("2 booked + 2 extra until 2026-12-01T00:00:00.000Z");
  });

  test("a short peak adds its share, rounded down", () => {
    // 1 extra line for 3 hours of a 30-day month: 25000 * 3 / 720 = 104.17 activations more
    const p = linePlan({ ...base, extraLines: { count: 1, since: "2026-11-16T00:00:00Z", until: "2026-11-16T03:00:00Z" } }, now);
    expect(p.quotas.activationsPerMonth).toBe(2 * perLine.activationsPerMonth + 104);
  });

  test("an expired deadline plans the booked lines only (the month keeps the share they ran while the key is there)", () => {
    const p = linePlan({ ...base, extraLines: { count: 2, since: "2026-11-01T00:00:00Z", until: "2026-11-15T00:00:00Z" } }, now);
    expect(p).toMatchObject({ booked: 2, extra: 0, total: 2 });
    expect(p.quotas.activationsPerMonth).toBe(Math.floor(perLine.activationsPerMonth * (2 + (2 * 14) / 30)));
  });

  test("without since the extra lines count from the start of the month", () => {
    const p = linePlan({ ...base, extraLines: { count: 1, until: "2026-12-01T00:00:00Z" } }, now);
    expect(p.quotas).toEqual(monthlyQuotas("high-availability", 3));
  });
});
