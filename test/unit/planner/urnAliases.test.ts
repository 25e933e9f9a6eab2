import { PlannedResource } from "../../../planner/mockPlanner";
import { aliasUrns, splitUrn } from "../../../planner/urnAliases";
import { planValues } from "../planHelpers";
import { haValues } from "../stackFixtures";

const hpValues = () => ({ ...haValues(), edition: "high-performance", lines: undefined });

const res = (urn: string, aliasTypes: string[] = [], parent?: string): PlannedResource =>
  ({
    urn,
    type: "",
    name: "",
    parent,
    custom: true,
    inputs: {},
    retainOnDelete: false,
    protect: false,
    additionalSecretOutputs: [],
    dependsOn: [],
    deleteBeforeReplace: false,
    aliasTypes,
  }) as PlannedResource;

describe("URN aliases as the engine resolves them", () => {
  test("a URN splits into prefix, type chain and name (a name may hold colons)", () => {
    expect(splitUrn("urn:pulumi:wayne::lchost::lchost:editions:HighPerformance$random:index/randomPassword:RandomPassword::db:password")).toEqual({
      prefix: "urn:pulumi:wayne::lchost",
      types: ["lchost:editions:HighPerformance", "random:index/randomPassword:RandomPassword"],
      name: "db:password",
    });
  });

  test("a child answers to its URN under each of its parent's alias types", () => {
    const parent = res("urn:pulumi:s::p::lchost:editions:HighAvailabilityPackage::wayne", ["lchost:editions:HighPerformance"]);
    const child = res("urn:pulumi:s::p::lchost:editions:HighAvailabilityPackage$random:index/randomPassword:RandomPassword::db-password", [], parent.urn);
    const byUrn = new Map([parent, child].map((r) => [r.urn, r]));
    expect(aliasUrns(child, byUrn).sort()).toEqual(
      [
        "urn:pulumi:s::p::lchost:editions:HighAvailabilityPackage$random:index/randomPassword:RandomPassword::db-password",
        "urn:pulumi:s::p::lchost:editions:HighPerformance$random:index/randomPassword:RandomPassword::db-password",
      ].sort(),
    );
  });

  test("High Performance -> High Availability: the secrets and the first line's resources are found under their old URNs", async () => {
    const hp = await planValues("wayne", hpValues());
    const ha = await planValues("wayne", haValues());
    const byUrn = new Map(ha.resources.map((r) => [r.urn, r]));
    const reachable = new Set(ha.resources.flatMap((r) => aliasUrns(r, byUrn)));
    const passwords = hp.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.length).toBeGreaterThan(0);
    for (const r of passwords) expect([r.name, reachable.has(r.urn)]).toEqual([r.name, true]);
  });
});
