import { monthsToCheck, previousMonth, quotaExcesses } from "../../../migration/quotaCheck";

const usage = (activations: number, webServiceCalls = 0, deactivations = 0) => [{ month: "2026-02", activations, deactivations, webServiceCalls }];

describe("quota check of a move down", () => {
  test("usage within the target's quotas passes", () => {
    expect(quotaExcesses(usage(1000, 0, 400), { edition: "datacenter" })).toEqual([]);
  });

  test("activations + deactivations over Datacenter's 1,500 are named with quota, usage and limit", () => {
    const [e] = quotaExcesses(usage(1200, 0, 400), { edition: "datacenter" });
    expect(e).toMatchObject({ quota: "activationsPerMonth", used: 1600, limit: 1500, month: "2026-02" });
    expect(e.message).toBe("activations + deactivations in 2026-02: 1600 (1200 + 400) exceed Datacenter's quota activationsPerMonth of 1500");
  });

  test("any web-service call exceeds Datacenter's quota of none", () => {
    const [e] = quotaExcesses(usage(10, 3), { edition: "datacenter" });
    expect(e.quota).toBe("webServiceCallsPerMonth");
    expect(e.message).toMatch(/web-service calls in 2026-02: 3 exceed Datacenter's quota webServiceCallsPerMonth of 0/);
  });

  test("High Availability quotas are per line: 60,000 activations fit 3 lines but not 2", () => {
    expect(quotaExcesses(usage(60_000), { edition: "high-availability", lines: 3 })).toEqual([]);
    const [e] = quotaExcesses(usage(60_000), { edition: "high-availability", lines: 2 });
    expect(e.message).toMatch(/High Availability Package with 2 lines's quota activationsPerMonth of 50000/);
  });

  test("the months checked are the last full month and the current one, across a year boundary", () => {
    expect(monthsToCheck(new Date("2026-01-15T00:00:00Z"))).toEqual(["2025-12", "2026-01"]);
    expect(previousMonth("2026-03")).toBe("2026-02");
  });
});
