/** The rolling upgrade's order, stop rule, state machine and table, with fake engine steps (no Docker). */
import {
  checkLimits,
  CustomerUpgrade,
  planWaves,
  renderUpgradeTable,
  runRollingUpgrade,
  UpgradeCandidate,
  UpgradeInputError,
  upgradeOrder,
  UpgradeSteps,
} from "../../../fleet/upgrade/rollingUpgrade";

const c = (stack: string, edition: UpgradeCandidate["edition"], customer = stack): UpgradeCandidate => ({ stack, customer, edition });
const FLEET = [c("wayne", "high-availability"), c("globex", "dedicated"), c("initech", "datacenter"), c("hooli", "high-performance"), c("acme", "datacenter")];

/** Fake steps: every customer runs `old`; `broken` customers fail verification on the new image; calls recorded. */
function fakeSteps(broken: string[] = [], opts: { rollbackFails?: string[] } = {}) {
  const images = new Map<string, string>();
  const calls: string[] = [];
  const steps: UpgradeSteps = {
    currentImage: async (x) => images.get(x.stack) ?? "lc:old",
    deploy: async (x, image) => {
      calls.push(`deploy ${x.stack} ${image}`);
      images.set(x.stack, image);
    },
    verify: async (x) => {
      calls.push(`verify ${x.stack}`);
      if (broken.includes(x.stack) && images.get(x.stack) === "lc:new") throw new Error("activation through the entry answered 500");
    },
    rollback: async (x, previous) => {
      calls.push(`rollback ${x.stack} ${previous}`);
      if (opts.rollbackFails?.includes(x.stack)) throw new Error("old image gone");
      images.set(x.stack, previous);
    },
  };
  return { steps, calls, images };
}

describe("the order of a rolling upgrade", () => {
  test("smallest edition first, then customer name", () => {
    expect(upgradeOrder(FLEET).map((x) => x.stack)).toEqual(["acme", "initech", "globex", "hooli", "wayne"]);
  });

  test("the first --canary customers of that order are canaries, each a wave of its own; the rest go in batches of --batch", () => {
    const w = planWaves(FLEET, { canary: 2, batch: 2 });
    expect(w.canaries.map((x) => x.map((y) => y.stack))).toEqual([["acme"], ["initech"]]);
    expect(w.batches.map((x) => x.map((y) => y.stack))).toEqual([["globex", "hooli"], ["wayne"]]);
  });

  test("--canary 0 starts with the batches; more canaries than customers makes every customer a canary", () => {
    expect(planWaves(FLEET, { canary: 0, batch: 10 }).batches).toHaveLength(1);
    expect(planWaves(FLEET, { canary: 9, batch: 1 })).toMatchObject({ batches: [] });
  });
});

describe("flag values", () => {
  test("defaults: one canary, batches of 5, stop at the first failure", () => {
    expect(checkLimits({})).toEqual({ canary: 1, batch: 5, maxFailures: 1 });
  });

  test.each([
    [{ canary: "-1" }, /^--canary: '-1' is not allowed \(a whole number ≥ 0\)$/],
    [{ batch: "0" }, /^--batch: '0' is not allowed \(a whole number ≥ 1\)$/],
    [{ maxFailures: "0" }, /^--max-failures: '0' is not allowed \(a whole number ≥ 1\)$/],
    [{ batch: "2.5" }, /^--batch: '2.5'/],
    [{ canary: "one" }, /^--canary: 'one'/],
  ])("%j is refused naming the flag", (given, message) => {
    expect(() => checkLimits(given)).toThrow(UpgradeInputError);
    expect(() => checkLimits(given)).toThrow(message);
  });
});

describe("running the waves", () => {
  test("every customer upgraded and verified, canary before the batches", async () => {
    const { steps, calls } = fakeSteps();
    const r = await runRollingUpgrade(planWaves(FLEET, { canary: 1, batch: 2 }), "lc:new", 1, steps);
    expect(r.customers.map((x) => [x.candidate.stack, x.state, x.runningImage])).toEqual([
      ["acme", "upgraded", "lc:new"],
      ["initech", "upgraded", "lc:new"],
      ["globex", "upgraded", "lc:new"],
      ["hooli", "upgraded", "lc:new"],
      ["wayne", "upgraded", "lc:new"],
    ]);
    expect(calls.slice(0, 2)).toEqual(["deploy acme lc:new", "verify acme"]);
    expect(r).toMatchObject({ stopped: false, failures: 0 });
  });

  test("a canary that fails verification is rolled back, verified again, and nothing else is touched", async () => {
    const { steps, calls } = fakeSteps(["acme"]);
    const r = await runRollingUpgrade(planWaves(FLEET, { canary: 1, batch: 2 }), "lc:new", 1, steps);
    expect(calls).toEqual(["deploy acme lc:new", "verify acme", "rollback acme lc:old", "verify acme"]);
    expect(r.customers[0]).toMatchObject({ state: "rolled-back", runningImage: "lc:old", reason: "activation through the entry answered 500" });
    expect(r.customers[0].history).toEqual(["pending", "upgrading", "verifying", "rolling-back", "rolled-back"]);
    expect(r.customers.slice(1).map((x) => [x.state, x.runningImage])).toEqual(Array(4).fill(["pending", "lc:old"]));
    expect(r).toMatchObject({ stopped: true, failures: 1 });
  });

  test("below --max-failures the run goes on past a failure", async () => {
    const { steps } = fakeSteps(["acme"]);
    const r = await runRollingUpgrade(planWaves(FLEET, { canary: 1, batch: 2 }), "lc:new", 2, steps);
    expect(r.customers.map((x) => x.state)).toEqual(["rolled-back", "upgraded", "upgraded", "upgraded", "upgraded"]);
    expect(r.stopped).toBe(false);
  });

  test("the batch that reaches --max-failures finishes; the batches after it are not touched", async () => {
    const { steps, calls } = fakeSteps(["initech", "globex"]);
    const r = await runRollingUpgrade(planWaves(FLEET, { canary: 1, batch: 2 }), "lc:new", 2, steps);
    expect(r.customers.map((x) => x.state)).toEqual(["upgraded", "rolled-back", "rolled-back", "pending", "pending"]);
    expect(calls.some((x) => x.includes("hooli") || x.includes("wayne"))).toBe(false);
    expect(r).toMatchObject({ stopped: true, failures: 2 });
  });

  test("a failed deployment is rolled back like a failed verification", async () => {
    const { steps } = fakeSteps();
    steps.deploy = async () => {
      throw new Error("lc-acme-line-1 not healthy after 60000 ms\nlogs…");
    };
    const r = await runRollingUpgrade(planWaves(FLEET.slice(0, 1), { canary: 1, batch: 1 }), "lc:new", 1, steps);
    expect(r.customers[0]).toMatchObject({ state: "rolled-back", reason: "lc-acme-line-1 not healthy after 60000 ms", runningImage: "lc:old" });
    expect(r.customers[0].history).toEqual(["pending", "upgrading", "rolling-back", "rolled-back"]);
  });

  test("a rollback that fails is rollback-failed, with both reasons, and its image unknown", async () => {
    const { steps } = fakeSteps(["wayne"], { rollbackFails: ["wayne"] });
    const r = await runRollingUpgrade(planWaves([FLEET[0]], { canary: 1, batch: 1 }), "lc:new", 1, steps);
    expect(r.customers[0]).toMatchObject({
      state: "rollback-failed",
      reason: "activation through the entry answered 500; rollback failed: old image gone",
      runningImage: undefined,
    });
  });
});

describe("the state machine", () => {
  test("refuses a step it does not allow", () => {
    const u = new CustomerUpgrade(FLEET[0]);
    expect(() => u.advance("upgraded")).toThrow("wayne: cannot go from pending to upgraded");
    u.advance("upgrading");
    u.advance("verifying");
    u.advance("upgraded");
    expect(() => u.advance("rolling-back")).toThrow("wayne: cannot go from upgraded to rolling-back");
  });
});

test("the table says which customer runs which image, and what was not touched", async () => {
  const { steps } = fakeSteps(["acme"]);
  const r = await runRollingUpgrade(
    planWaves(
      FLEET.filter((x) => x.edition === "datacenter"),
      { canary: 1, batch: 1 },
    ),
    "lc:new",
    1,
    steps,
  );
  expect(renderUpgradeTable(r, "lc:new").split("\n")).toEqual([
    "stack    edition     state        image   reason",
    "acme     datacenter  rolled-back  lc:old  activation through the entry answered 500",
    "initech  datacenter  pending      lc:old",
    "0 upgraded to lc:new, 1 rolled back, 0 rollback failed, 1 not touched (stopped: 1 failure(s) reached --max-failures)",
  ]);
});

test("a long reason (a container's log tail) is cut to 200 characters in the table", async () => {
  const { steps } = fakeSteps();
  steps.deploy = async () => {
    throw new Error(`lc-acme-line-1 not healthy after 90000 ms (state running, health unhealthy): ${"x".repeat(500)}`);
  };
  const r = await runRollingUpgrade(planWaves([FLEET[4]], { canary: 1, batch: 1 }), "lc:new", 1, steps);
  expect(r.customers[0].reason).toHaveLength(200);
  expect(r.customers[0].reason).toMatch(/^lc-acme-line-1 not healthy after 90000 ms .*x…$/);
});
