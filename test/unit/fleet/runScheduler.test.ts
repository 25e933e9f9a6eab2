import {
  initialState,
  nextToStart,
  Outcome,
  runSchedule,
  ScheduleEvent,
  ScheduleItem,
  ScheduleState,
  withOutcome,
  withStarted,
} from "../../../fleet/run/scheduler";

/** A fake executor: each stack finishes when the test says so, in the order the test chooses. */
class FakeExecutor {
  readonly started: string[] = [];
  maxRunning = 0;
  private running = new Map<string, (o: Outcome) => void>();
  private waiters: Array<() => void> = [];
  execute = (name: string): Promise<Outcome> => {
    this.started.push(name);
    this.maxRunning = Math.max(this.maxRunning, this.running.size + 1);
    const p = new Promise<Outcome>((resolve) => this.running.set(name, resolve));
    this.waiters.splice(0).forEach((w) => w());
    return p;
  };
  get runningNames(): string[] {
    return [...this.running.keys()].sort();
  }
  /** Waits until the scheduler has started everything it will start now. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
  finish(name: string, outcome: Outcome = { ok: true }): void {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} is not running (running: ${this.runningNames.join(", ")})`);
    this.running.delete(name);
    r(outcome);
  }
}

const fleet: ScheduleItem[] = [
  { name: "shared-1", dependsOn: [] },
  { name: "acme", dependsOn: ["shared-1"] },
  { name: "globex", dependsOn: ["shared-1"] },
  { name: "hooli", dependsOn: [] },
  { name: "initech", dependsOn: [] },
];

const statuses = (s: ScheduleState) => Object.fromEntries([...s.progress].map(([n, p]) => [n, p.reason ? `${p.status}: ${p.reason}` : p.status]));

describe("the fleet scheduler", () => {
  test("a shared server starts before its tenants, which wait for it to succeed", async () => {
    const fake = new FakeExecutor();
    const done = runSchedule(initialState(fleet, { concurrency: 2, failFast: false }), fake.execute);
    await fake.settle();
    expect(fake.runningNames).toEqual(["hooli", "shared-1"]); // acme/globex wait for shared-1, hooli fills the slot
    fake.finish("hooli");
    await fake.settle();
    expect(fake.runningNames).toEqual(["initech", "shared-1"]);
    fake.finish("shared-1");
    await fake.settle();
    expect(fake.runningNames).toEqual(["acme", "initech"]);
    fake.finish("acme");
    fake.finish("initech");
    await fake.settle();
    fake.finish("globex");
    const end = await done;
    expect(fake.started).toEqual(["shared-1", "hooli", "initech", "acme", "globex"]);
    expect(Object.values(statuses(end))).toEqual(Array(5).fill("succeeded"));
  });

  test.each([1, 2, 3, 5])("never more than %i stacks run at once", async (n) => {
    const fake = new FakeExecutor();
    const items = Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, dependsOn: i > 5 ? ["s0"] : [] }));
    const done = runSchedule(initialState(items, { concurrency: n, failFast: false }), fake.execute);
    while (fake.started.length < 9 || fake.runningNames.length) {
      await fake.settle();
      expect(fake.runningNames.length).toBeLessThanOrEqual(n);
      fake.finish(fake.runningNames[fake.runningNames.length - 1]);
    }
    await done;
    expect(fake.maxRunning).toBe(n);
  });

  test("a failed shared server skips its tenants, naming it; the others still run", async () => {
    const fake = new FakeExecutor();
    const done = runSchedule(initialState(fleet, { concurrency: 2, failFast: false }), fake.execute);
    await fake.settle();
    fake.finish("shared-1", { ok: false, reason: "image lchost/mariadb:nope not on the engine" });
    await fake.settle();
    fake.finish("hooli");
    await fake.settle();
    fake.finish("initech");
    const end = await done;
    expect(statuses(end)).toEqual({
      "shared-1": "failed: image lchost/mariadb:nope not on the engine",
      acme: "skipped: dependency failed: shared-1",
      globex: "skipped: dependency failed: shared-1",
      hooli: "succeeded",
      initech: "succeeded",
    });
    expect(fake.started).not.toContain("acme");
  });

  test("dependants of a skipped stack are skipped too, naming the stack that failed", () => {
    const chain = [
      { name: "a", dependsOn: [] },
      { name: "b", dependsOn: ["a"] },
      { name: "c", dependsOn: ["b"] },
    ];
    const s = withOutcome(withStarted(initialState(chain, { concurrency: 1, failFast: false }), "a"), "a", { ok: false, reason: "boom" });
    expect(statuses(s)).toEqual({ a: "failed: boom", b: "skipped: dependency failed: a", c: "skipped: dependency failed: a" });
  });

  test("fail-fast: after the first failure nothing more starts; the running stack finishes; the waiting are skipped", async () => {
    const fake = new FakeExecutor();
    const events: ScheduleEvent[] = [];
    const done = runSchedule(initialState(fleet, { concurrency: 2, failFast: true }), fake.execute, (e) => events.push(e));
    await fake.settle();
    fake.finish("hooli", { ok: false, reason: "gateway never healthy" });
    await fake.settle();
    expect(fake.runningNames).toEqual(["shared-1"]); // not killed, and nothing new started
    fake.finish("shared-1");
    const end = await done;
    expect(statuses(end)).toEqual({
      "shared-1": "succeeded",
      acme: "skipped: fail-fast: hooli failed",
      globex: "skipped: fail-fast: hooli failed",
      hooli: "failed: gateway never healthy",
      initech: "skipped: fail-fast: hooli failed",
    });
    expect(events.filter((e) => e.kind === "skipped").map((e) => e.name)).toEqual(["acme", "globex", "initech"]);
  });

  test("a resumed run starts only what did not succeed; what succeeded earlier satisfies its dependants", async () => {
    const fake = new FakeExecutor();
    const start = initialState(fleet, { concurrency: 3, failFast: false, succeededEarlier: ["shared-1", "hooli", "initech"] });
    const done = runSchedule(start, fake.execute);
    await fake.settle();
    expect(fake.runningNames).toEqual(["acme", "globex"]);
    fake.finish("acme");
    fake.finish("globex");
    const end = await done;
    expect(fake.started).toEqual(["acme", "globex"]);
    expect(end.progress.get("shared-1")).toEqual({ status: "succeeded", earlier: true });
  });

  test("the same input gives the same order", async () => {
    const orders: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const fake = new FakeExecutor();
      const done = runSchedule(initialState(fleet, { concurrency: 2, failFast: false }), fake.execute);
      while (fake.started.length < 5 || fake.runningNames.length) {
        await fake.settle();
        fake.finish(fake.runningNames[0]);
      }
      await done;
      orders.push(fake.started);
    }
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });

  test("an executor that throws counts as a failure with its message", async () => {
    const end = await runSchedule(initialState([{ name: "a", dependsOn: [] }], { concurrency: 1, failFast: false }), async () => {
      throw new Error("spawn node ENOENT\nstack");
    });
    expect(statuses(end)).toEqual({ a: "failed: spawn node ENOENT" });
  });

  test("dependencies outside the run are ignored; cycles and a concurrency of 0 are refused", () => {
    expect(nextToStart(initialState([{ name: "acme", dependsOn: ["shared-9"] }], { concurrency: 1, failFast: false }))).toEqual(["acme"]);
    expect(() =>
      initialState(
        [
          { name: "a", dependsOn: ["b"] },
          { name: "b", dependsOn: ["a"] },
        ],
        { concurrency: 1, failFast: false },
      ),
    ).toThrow("dependency cycle a -> b -> a");
    expect(() => initialState(fleet, { concurrency: 0, failFast: false })).toThrow("concurrency: 0");
  });
});
