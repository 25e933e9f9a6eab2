/** The autoscale decision table (heal/autoscaleDecision.ts). */
import { AutoscaleSignals, decideAutoscale, noSignals, observePeakAlert } from "../../../heal/autoscaleDecision";

const cfg = { maxExtraLines: 2, scaleUpAfterMs: 60_000, scaleDownAfterMs: 300_000 };
const T = 1_000_000_000_000;
const firing = (since: number, extra: Partial<AutoscaleSignals> = {}): AutoscaleSignals => ({
  firing: { "FsbQueueSaturated/fsb-1": since },
  watchingSince: T - 3_600_000,
  ...extra,
});

describe("decideAutoscale", () => {
  const table: Array<[string, AutoscaleSignals, number, number, string]> = [
    ["a peak shorter than scaleUpAfter holds", firing(T - 59_000), 0, T, "hold"],
    ["a peak sustained for scaleUpAfter adds a line", firing(T - 60_000), 0, T, "add:1"],
    ["a sustained peak adds the next line up to the maximum", firing(T - 600_000, { lastChangeAt: T - 120_000 }), 1, T, "add:2"],
    ["never above maxExtraLines", firing(T - 600_000), 2, T, "hold"],
    ["not again before the last added line had scaleUpAfter to take load", firing(T - 600_000, { lastChangeAt: T - 30_000 }), 1, T, "hold"],
    [
      "idle for scaleDownAfter after the last resolve removes one extra line",
      { firing: {}, watchingSince: T - 3_600_000, lastResolvedAt: T - 300_000 },
      2,
      T,
      "remove:1",
    ],
    ["idle shorter than scaleDownAfter holds", { firing: {}, watchingSince: T - 3_600_000, lastResolvedAt: T - 299_000 }, 2, T, "hold"],
    [
      "idle counts from the last change too",
      { firing: {}, watchingSince: T - 3_600_000, lastResolvedAt: T - 900_000, lastChangeAt: T - 100_000 },
      1,
      T,
      "hold",
    ],
    ["never below the booked lines: no extra line, nothing to remove", { firing: {}, watchingSince: T - 3_600_000, lastResolvedAt: T - 900_000 }, 0, T, "hold"],
    ["extra lines of a peak before the watching began count as idle from then", { firing: {}, watchingSince: T - 300_000 }, 1, T, "remove:0"],
    ["…but not before scaleDownAfter of watching", { firing: {}, watchingSince: T - 10_000 }, 1, T, "hold"],
  ];
  test.each(table)("%s", (_what, s, extra, now, want) => {
    const d = decideAutoscale(s, extra, cfg, now);
    expect(d.kind === "hold" ? "hold" : `${d.kind}:${d.extraLines}`).toBe(want);
  });

  test("a hold says when to look again without a new alert", () => {
    expect(decideAutoscale(firing(T - 10_000), 0, cfg, T)).toMatchObject({ kind: "hold", recheckAt: T + 50_000 });
    expect(decideAutoscale({ firing: {}, watchingSince: 0, lastResolvedAt: T - 100_000 }, 1, cfg, T)).toMatchObject({ kind: "hold", recheckAt: T + 200_000 });
  });
});

describe("observePeakAlert", () => {
  test("the peak runs from the earliest firing alert until every one resolved", () => {
    let s = noSignals(T);
    s = observePeakAlert(s, { key: "a", status: "firing", startsAt: T + 10, at: T + 20 });
    s = observePeakAlert(s, { key: "b", status: "firing", startsAt: T + 5, at: T + 20 });
    expect(Math.min(...Object.values(s.firing))).toBe(T + 5);
    s = observePeakAlert(s, { key: "b", status: "resolved", startsAt: T + 5, at: T + 30 });
    expect(Object.keys(s.firing)).toEqual(["a"]);
    s = observePeakAlert(s, { key: "a", status: "resolved", startsAt: T + 10, at: T + 40 });
    expect(s).toMatchObject({ firing: {}, lastResolvedAt: T + 40 });
  });

  test("a repeated firing notification keeps the first start; a resolve of an unknown alert changes nothing", () => {
    let s = observePeakAlert(noSignals(T), { key: "a", status: "firing", startsAt: T, at: T });
    s = observePeakAlert(s, { key: "a", status: "firing", startsAt: T + 999, at: T + 999 });
    expect(s.firing.a).toBe(T);
    expect(observePeakAlert(s, { key: "zz", status: "resolved", startsAt: 0, at: T })).toBe(s);
  });
});
