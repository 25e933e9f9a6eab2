/**
 * lchost:startInMaintenance: the stack config key lchost migrate deploys with when it redeploys a stack
 * (Pulumi / Docker targets), and the License Central env it produces (LC_START_IN_MAINTENANCE).
 */
import { START_IN_MAINTENANCE_KEY, withStartInMaintenance } from "../../migration/stackFileChange";
import { container, containers, env, planValues } from "./planHelpers";
import { datacenterValues, haValues, parse, sharedValues } from "./stackFixtures";

const lcLines = (names: string[]) => names.filter((n) => /^lc-[a-z0-9-]+-line-\d+$/.test(n));

describe("lchost:startInMaintenance", () => {
  test("is false unless set, and true when set", () => {
    expect(parse(haValues())).toMatchObject({ startInMaintenance: false });
    expect(parse({ ...haValues(), startInMaintenance: true })).toMatchObject({ startInMaintenance: true });
  });

  test("must be a boolean, naming the key", () => {
    expect(() => parse({ ...haValues(), startInMaintenance: "yes" })).toThrow(/lchost:startInMaintenance/);
  });

  test("is refused on a shared-server stack (its tenants' lines follow their own stacks)", () => {
    expect(() => parse({ ...sharedValues(), startInMaintenance: true })).toThrow(/lchost:startInMaintenance.*shared-server/);
  });

  test("sets LC_START_IN_MAINTENANCE=true on every License Central line of a High Availability stack", async () => {
    const plan = await planValues("wayne", { ...haValues(), startInMaintenance: true });
    const names = lcLines(containers(plan).map((c) => String(c.inputs.name)));
    expect(names).toHaveLength(3);
    for (const n of names) expect(env(container(plan, n)).LC_START_IN_MAINTENANCE).toBe("true");
  });

  test("sets it on a Datacenter tenant's line on the shared server", async () => {
    const plan = await planValues("acme", { ...datacenterValues(), startInMaintenance: true });
    expect(env(container(plan, "lc-acme-line-1")).LC_START_IN_MAINTENANCE).toBe("true");
  });

  test("without the key, lines get no LC_START_IN_MAINTENANCE (deployed lines keep their env)", async () => {
    const plan = await planValues("wayne", haValues());
    for (const n of lcLines(containers(plan).map((c) => String(c.inputs.name)))) expect(env(container(plan, n))).not.toHaveProperty("LC_START_IN_MAINTENANCE");
  });
});

describe("withStartInMaintenance (what the redeploying migration writes)", () => {
  const TEXT = `# acme on its own server
config:
  lchost:customer: acme   # DNS label
  lchost:edition: high-performance
`;

  test("adds lchost:startInMaintenance: true and keeps the operator's comments", () => {
    const out = withStartInMaintenance(TEXT);
    expect(out).toContain("# acme on its own server");
    expect(out).toContain("lchost:customer: acme # DNS label");
    expect(out).toMatch(new RegExp(`^  ${START_IN_MAINTENANCE_KEY}: true$`, "m"));
  });

  test("leaves a file that already has it unchanged", () => {
    const once = withStartInMaintenance(TEXT);
    expect(withStartInMaintenance(once)).toBe(once);
  });
});
