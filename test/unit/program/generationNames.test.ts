/**
 * lchost:generation (issue 16.14): the parts an edition change replaces beside the running deployment carry
 * the generation in their names; the same generation gives the same names (a real `pulumi up` of a migrated
 * stack file creates nothing new), the logical names (URNs) never change, and without the key the names are
 * those of stacks deployed before generations existed.
 */
import { Plan, planStack } from "../../../planner/mockPlanner";
import { unwrapSecrets } from "../../../planner/planValues";
import { planValues } from "../planHelpers";
import { haValues, stackFile } from "../stackFixtures";

jest.setTimeout(60_000);

const namesByUrn = (plan: Plan) =>
  new Map(plan.resources.filter((r) => r.type.startsWith("docker:index/")).map((r) => [r.urn, String(unwrapSecrets(r.inputs.name) ?? "")] as const));

const named = async (generation?: number) => {
  const plan = await planValues("wayne", { ...haValues(), ...(generation !== undefined ? { generation } : {}) });
  return { plan, byUrn: namesByUrn(plan) };
};

describe("names per deployment generation", () => {
  it("generation 4: the database nodes, their volumes, the FSBs and the lines are lc-<customer>-g4-…; network, gateway and FSB keys keep theirs", async () => {
    const { plan } = await named(4);
    const m = plan.outputs.migration as Record<string, unknown>;
    expect(m.databaseContainers).toEqual(["lc-wayne-g4-db", "lc-wayne-g4-db-2", "lc-wayne-g4-db-3"]);
    expect(m.lineContainers).toEqual(["lc-wayne-g4-line-1", "lc-wayne-g4-line-2", "lc-wayne-g4-line-3"]);
    expect(m.databaseLocation).toBe("volume:lc-wayne-g4-db-data");
    expect(m.entryContainer).toBe("lc-wayne-gateway");
    const names = [...(await named(4)).byUrn.values()];
    expect(names).toEqual(expect.arrayContaining(["lc-wayne", "lc-wayne-g4-fsb-1", "lc-wayne-fsb-keys-1", "lc-wayne-g4-db-data-3"]));
    // two generations' clusters never merge
    const db1 = plan.resources.find((r) => unwrapSecrets(r.inputs.name) === "lc-wayne-g4-db")!;
    const config = ((unwrapSecrets(db1.inputs.uploads) as Array<{ file: string; content: string }>) ?? []).find((u) => u.file.endsWith(".cnf"))!;
    expect(config.content).toMatch(/wsrep_cluster_name\s*=\s*"?lc-wayne-g4"?/);
  });

  it("the same generation gives the same names, and a generation changes physical names only, never a URN", async () => {
    const a = await named(4);
    const again = namesByUrn(await planStack(stackFile("wayne", { ...haValues(), generation: 4 }))); // planned anew, not cached
    expect([...again]).toEqual([...a.byUrn]);
    const legacy = await named(undefined);
    expect([...legacy.byUrn.keys()].sort()).toEqual([...a.byUrn.keys()].sort());
    expect(legacy.plan.outputs.migration).toMatchObject({
      databaseContainers: ["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db-3"],
      databaseLocation: "volume:lc-wayne-db-data",
    });
  });
});
