import * as fs from "fs";
import * as path from "path";
import { containerSpec } from "../../../dockerRun/containerSpec";
import { parseStackFileText } from "../../../model/stackFile";
import { Plan, planStack } from "../../../planner/mockPlanner";
import { unwrapSecrets } from "../../../planner/planValues";

// A materialized plan draws real secrets; given the plan deployed before, it keeps them where a resource's URN and
// inputs are unchanged (as Pulumi's state does), so changing the number of lines touches only what the lines touch.
const file = path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml");
const text = fs.readFileSync(file, "utf8");
const stack = (t: string) => parseStackFileText(t, file);
const containers = (p: Plan) =>
  new Map(
    p.resources
      .filter((r) => r.type === "docker:index/container:Container")
      .map((r) => {
        const spec = containerSpec(r.inputs);
        return [spec.name, JSON.stringify(spec)];
      }),
  );
const passwords = (p: Plan) =>
  Object.fromEntries(
    Object.entries(p.computed ?? {})
      .filter(([urn]) => urn.includes("RandomPassword"))
      .map(([urn, c]) => [urn, c.state.result]),
  );

describe("materialized plans keep the secrets of the plan deployed before", () => {
  let first: Plan;
  beforeAll(async () => {
    first = await planStack(stack(text), {}, { materialize: true });
  });

  test("without the former plan every secret is drawn anew (the test's control)", async () => {
    const again = await planStack(stack(text), {}, { materialize: true });
    const a = passwords(first);
    const b = passwords(again);
    expect(Object.keys(a).length).toBeGreaterThan(3);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const urn of Object.keys(a)) expect(b[urn]).not.toEqual(a[urn]);
    const ca = containers(first);
    const cb = containers(again);
    expect([...ca].filter(([n, s]) => cb.get(n) !== s).length).toBeGreaterThan(0);
  });

  test("the same stack planned with the former plan: every container exactly as before", async () => {
    const again = await planStack(stack(text), {}, { materialize: true, previous: first });
    expect(passwords(again)).toEqual(passwords(first));
    expect(containers(again)).toEqual(containers(first));
  });

  test("one line more: the new line and FSB are new, the gateway's files change, every database node and FSB stays as it was", async () => {
    const four = await planStack(stack(text.replace("lchost:lines: 3", "lchost:lines: 4")), {}, { materialize: true, previous: first });
    const before = containers(first);
    const after = containers(four);
    const added = [...after.keys()].filter((n) => !before.has(n));
    expect(added.sort()).toEqual(["lc-wayne-fsb-4", "lc-wayne-line-4"]);
    const changed = [...after].filter(([n, s]) => before.has(n) && before.get(n) !== s).map(([n]) => n);
    expect(changed).toContain("lc-wayne-gateway");
    for (const n of changed) expect(n).toMatch(/-gateway$|-line(-\d+)?$/);
    // a new secret of the new line only
    const newSecrets = Object.keys(four.computed ?? {}).filter((urn) => !(first.computed ?? {})[urn]);
    for (const urn of newSecrets) expect(urn).toMatch(/4/);
    expect(unwrapSecrets(four.outputs.customer)).toBe("wayne");
  });
});
