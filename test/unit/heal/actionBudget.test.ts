import { ActionRecord, BudgetPolicy, decide } from "../../../heal/actionBudget";

const p: BudgetPolicy = { maxAttempts: 3, windowMs: 30 * 60_000, minIntervalMs: 60_000 };
const min = 60_000;
const failedAt = (...mins: number[]): ActionRecord[] => mins.map((m) => ({ at: m * min, outcome: "failed" as const }));

describe("a playbook's action budget per customer and part", () => {
  test("the first action runs; the next waits out the interval", () => {
    expect(decide([], 0, p)).toEqual({ kind: "act", attempt: 1 });
    const d = decide(failedAt(10), 10 * min + 20_000, p);
    expect(d).toMatchObject({ kind: "wait", until: 11 * min });
    expect(decide(failedAt(10), 11 * min, p)).toEqual({ kind: "act", attempt: 2 });
  });

  test("K failed attempts in the window: page once, then nothing more — no restart storm", () => {
    const h = failedAt(0, 2, 4);
    expect(decide(h, 6 * min, p)).toMatchObject({ kind: "page" });
    const paged = [...h, { at: 6 * min, outcome: "paged" as const }];
    for (const t of [7, 20, 120]) expect(decide(paged, t * min, p)).toMatchObject({ kind: "given-up" });
  });

  test("failures older than the window do not count", () => {
    expect(decide(failedAt(0, 2), 40 * min, p)).toEqual({ kind: "act", attempt: 1 });
    expect(decide(failedAt(0, 20, 25), 40 * min, p)).toEqual({ kind: "act", attempt: 3 });
  });

  test("a success, or a person clearing the key, starts the count again", () => {
    const h: ActionRecord[] = [...failedAt(0, 2), { at: 4 * min, outcome: "succeeded" }, ...failedAt(8)];
    expect(decide(h, 10 * min, p)).toEqual({ kind: "act", attempt: 2 });
    const cleared: ActionRecord[] = [...failedAt(0, 2, 4), { at: 5 * min, outcome: "paged" }, { at: 30 * min, outcome: "cleared" }];
    expect(decide(cleared, 31 * min, p)).toEqual({ kind: "act", attempt: 1 });
  });

  test("the history's order does not matter", () => {
    const h = failedAt(4, 0, 2);
    expect(decide(h, 6 * min, p)).toMatchObject({ kind: "page" });
  });

  test("a policy that would allow a storm is refused, naming the field", () => {
    expect(() => decide([], 0, { ...p, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => decide([], 0, { ...p, windowMs: 1.5 })).toThrow(/windowMs/);
    expect(() => decide([], 0, { ...p, minIntervalMs: -1 })).toThrow(/minIntervalMs/);
  });
});
