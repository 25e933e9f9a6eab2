import { chaosSchedule, FAULT_KINDS } from "../../../../sandbox/hosts/chaosSchedule";

const targets = { lines: ["l1", "l2", "l3"], fsbs: ["f1", "f2", "f3"], galeraNodes: ["d1", "d2", "d3"], hosts: ["h1", "h2", "h3"] };

describe("the chaos run's faults (chaosSchedule)", () => {
  it("comes every 20–40 s, one at a time, each restored after 8–15 s, within the run", () => {
    const faults = chaosSchedule({ durationMs: 600_000, seed: 7, targets });
    expect(faults.length).toBeGreaterThanOrEqual(13);
    expect(faults.length).toBeLessThanOrEqual(30);
    let previous = 0;
    for (const f of faults) {
      expect(f.at - previous).toBeGreaterThanOrEqual(20_000);
      expect(f.at - previous).toBeLessThanOrEqual(40_000);
      expect(f.restoreAfterMs).toBeGreaterThanOrEqual(8_000);
      expect(f.restoreAfterMs).toBeLessThanOrEqual(15_000);
      expect(f.at + f.restoreAfterMs).toBeLessThan(600_000);
      previous = f.at;
    }
  });

  it("draws every kind of fault over a long run, each on a target of its kind", () => {
    const faults = chaosSchedule({ durationMs: 3_600_000, seed: 1, targets });
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    for (const f of faults) {
      const of = { line: targets.lines, fsb: targets.fsbs, "galera-node": targets.galeraNodes, host: targets.hosts, "balancer-node": ["active"] }[f.kind];
      expect(of).toContain(f.target);
    }
  });

  it("is the same for the same seed, and another for another seed", () => {
    expect(chaosSchedule({ durationMs: 300_000, seed: 42, targets })).toEqual(chaosSchedule({ durationMs: 300_000, seed: 42, targets }));
    expect(chaosSchedule({ durationMs: 300_000, seed: 42, targets })).not.toEqual(chaosSchedule({ durationMs: 300_000, seed: 43, targets }));
  });

  it("refuses a restore that could overlap the next fault", () => {
    expect(() => chaosSchedule({ durationMs: 60_000, seed: 1, targets, gapMs: [10_000, 20_000], restoreMs: [5_000, 12_000] })).toThrow(
      "restoreMs: 12000 ms must be shorter than the shortest gap (10000 ms): one fault at a time",
    );
  });
});
