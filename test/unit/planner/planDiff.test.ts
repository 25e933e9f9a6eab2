import { diffPlans } from "../../../planner/planDiff";
import { Plan } from "../../../planner/mockPlanner";
import { planValues } from "../planHelpers";
import { datacenterValues, dedicatedValues, haValues } from "../stackFixtures";

// One customer in each edition (the same name, so only the edition differs).
const EDITIONS: Record<string, Record<string, unknown>> = {
  datacenter: datacenterValues(),
  dedicated: { ...dedicatedValues(), customer: "acme" },
  "high-performance": { ...haValues(), customer: "acme", edition: "high-performance", lines: undefined },
  "high-availability": { ...haValues(), customer: "acme" },
};
const plan = (edition: string): Promise<Plan> => planValues("acme", EDITIONS[edition]);
const PAIRS = Object.keys(EDITIONS).flatMap((from) =>
  Object.keys(EDITIONS)
    .filter((to) => to !== from)
    .map((to) => [from, to] as const),
);

describe("lchost diff resolves aliases as the engine does", () => {
  test.each(PAIRS)("%s -> %s: a secret both editions hold is kept (neither deleted nor created)", async (from, to) => {
    const [base, head] = [await plan(from), await plan(to)];
    const secretsOf = (p: Plan) => new Set(p.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name));
    const both = [...secretsOf(base)].filter((n) => secretsOf(head).has(n));
    expect(both).toEqual(expect.arrayContaining(["admin-token", "db-password"]));
    const { changes } = diffPlans(base, head);
    const touched = changes.filter(
      (c) => c.type === "random:index/randomPassword:RandomPassword" && both.includes(c.name) && (c.action === "delete" || c.action === "create"),
    );
    expect(touched).toEqual([]);
  });

  test("High Performance -> High Availability: the FSB token of line 1 is an update at most, and the new lines' resources are created", async () => {
    const { changes } = diffPlans(await plan("high-performance"), await plan("high-availability"));
    expect(changes.filter((c) => c.name === "fsb-token-1" && c.action !== "update")).toEqual([]);
    expect(changes.filter((c) => c.action === "create").map((c) => c.name)).toEqual(expect.arrayContaining(["line-2", "fsb-token-2"]));
  });
});
