/**
 * The stack outputs `lchost migrate` reads to reach a deployed customer through its Docker host: the
 * containers holding the data, the lines, the entry point, the host, and the admin token and database
 * password — those two only as secrets.
 */
import * as YAML from "yaml";
import { planStack } from "../../../planner/mockPlanner";
import { isSecretValue, unwrapSecrets } from "../../../planner/planValues";
import { parseStackFileText } from "../../../model/stackFile";
import { planValues } from "../planHelpers";
import { datacenterValues, dedicatedValues, haValues } from "../stackFixtures";

const migration = (outputs: Record<string, unknown>) => outputs.migration as Record<string, unknown>;

describe("stack outputs for lchost migrate", () => {
  it("name a Dedicated Server's database container, volume, line and gateway", async () => {
    const plan = await planValues("globex", dedicatedValues());
    expect(migration(plan.outputs)).toEqual({
      dockerHost: "",
      databaseKind: "single",
      databaseContainers: ["lc-globex-db"],
      databaseSchema: "license_central",
      databaseUser: "license_central",
      databaseLocation: "volume:lc-globex-db-data",
      lineContainers: ["lc-globex-line-1"],
      entryContainer: "lc-globex-gateway",
    });
  });

  it("name every Galera node (node 1 first) and every line of a High Availability package", async () => {
    const m = migration((await planValues("wayne", haValues())).outputs);
    expect(m.databaseKind).toBe("cluster");
    expect(m.databaseContainers).toEqual(["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db-3"]);
    expect(m.lineContainers).toEqual(["lc-wayne-line-1", "lc-wayne-line-2", "lc-wayne-line-3"]);
    expect(m.databaseLocation).toBe("volume:lc-wayne-db-data");
  });

  it("point a Datacenter tenant at its schema on the shared server's database container and entry point", async () => {
    const m = migration((await planValues("acme", datacenterValues())).outputs);
    expect(m).toMatchObject({
      databaseKind: "shared-tenant",
      databaseContainers: ["lc-shared-dc1-db"],
      databaseSchema: "lc_acme",
      databaseUser: "lc_acme",
      databaseLocation: "schema:lc_acme@lc-shared-dc1-db",
      lineContainers: ["lc-acme-line-1"],
      entryContainer: "lc-shared-dc1-entry",
    });
  });

  it("keep the database location of a single server when it becomes a cluster (node 1 keeps the volume)", async () => {
    const single = migration((await planValues("wayne-hp", { ...haValues(), edition: "high-performance", lines: undefined })).outputs);
    const cluster = migration((await planValues("wayne", haValues())).outputs);
    expect(single.databaseLocation).toBe(cluster.databaseLocation);
  });

  it.each([
    ["Dedicated Server", "globex", dedicatedValues()],
    ["High Availability", "wayne", haValues()],
    ["Datacenter", "acme", datacenterValues()],
  ])("export the %s admin token and database password only as secrets", async (_title, name, values) => {
    const plan = await planValues(name, values);
    for (const key of ["adminToken", "databasePassword"]) {
      expect(isSecretValue(plan.outputs[key])).toBe(true);
      expect(String(unwrapSecrets(plan.outputs[key]))).toMatch(/^planned/);
    }
    expect(JSON.stringify(plan.outputs.migration)).not.toMatch(/planned(admintoken|dbpassword)/i);
  });

  it("report the stack's docker:host", async () => {
    const text = YAML.stringify({
      config: { "docker:host": "ssh://ops@db7.example", ...Object.fromEntries(Object.entries(dedicatedValues()).map(([k, v]) => [`lchost:${k}`, v])) },
    });
    const plan = await planStack(parseStackFileText(text, "/virtual/stacks/Pulumi.globex.yaml"));
    expect(migration(plan.outputs).dockerHost).toBe("ssh://ops@db7.example");
  });
});
