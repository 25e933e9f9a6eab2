import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { HostsError } from "../../../model/hosts";
import { inventoryPathFor, loadHostInventory } from "../../../model/hostInventoryFile";
import { StackConfigError } from "../../../model/stackConfig";
import { loadStackFile } from "../../../model/stackFile";
import { datacenterValues, dedicatedValues, haValues, parse, sharedValues } from "../stackFixtures";

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof StackConfigError || e instanceof HostsError) return e.problems;
    throw e;
  }
  throw new Error("expected a rejection");
}

const inventory = `
hosts:
  - { name: h1, dockerHost: "ssh://deploy@10.0.0.11", address: 10.0.0.11, capacity: { memoryMb: 16384, cpuShares: 8192 }, labels: { role: shared } }
  - { name: h2, dockerHost: "tcp://10.0.0.12:2376", address: 10.0.0.12, capacity: { memoryMb: 16384, cpuShares: 8192 } }
  - { name: h3, dockerHost: "ssh://deploy@10.0.0.13", address: 10.0.0.13, capacity: { memoryMb: 16384, cpuShares: 8192 } }
`;

/** A project folder with stacks/ and (optionally) fleet/hosts.yaml, as the repository lays them out. */
function project(stacks: Record<string, Record<string, unknown>>, withInventory = true): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-hosts-"));
  fs.mkdirSync(path.join(root, "stacks"));
  if (withInventory) {
    fs.mkdirSync(path.join(root, "fleet"));
    fs.writeFileSync(path.join(root, "fleet", "hosts.yaml"), inventory);
  }
  for (const [name, config] of Object.entries(stacks)) fs.writeFileSync(path.join(root, "stacks", `Pulumi.${name}.yaml`), YAML.stringify({ config }));
  return root;
}
const ns = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`lchost:${k}`, v]));

describe("lchost:host and lchost:hosts in a stack's configuration", () => {
  it("takes lchost:host on Dedicated Server, High Performance and shared servers", () => {
    expect(parse({ ...dedicatedValues(), host: "h2" })).toMatchObject({ host: "h2" });
    expect(parse({ ...sharedValues(), host: "h1" })).toMatchObject({ role: "shared-server", host: "h1" });
    expect(parse(dedicatedValues())).not.toHaveProperty("host");
  });

  it("takes lchost:hosts on High Availability only", () => {
    expect(parse({ ...haValues(), hosts: ["h1", "h2", "h3"] })).toMatchObject({ hosts: ["h1", "h2", "h3"] });
    expect(problemsOf(() => parse({ ...dedicatedValues(), hosts: ["h1"] }))).toEqual([
      "lchost:hosts: [\"h1\"] is not allowed for edition 'dedicated': it runs on one host; name it in lchost:host",
    ]);
  });

  it("refuses lchost:host on a Datacenter tenant, an HA stack and an operations stack, saying where the host belongs", () => {
    expect(problemsOf(() => parse({ ...datacenterValues(), host: "h1" }))).toEqual([
      "lchost:host: 'h1' is not allowed for edition 'datacenter': a tenant runs on its shared server's host; set lchost:host on the shared-server stack",
    ]);
    expect(problemsOf(() => parse({ ...haValues(), host: "h1" }))).toEqual([
      "lchost:host: 'h1' is not allowed for edition 'high-availability': its parts spread over several hosts; list them in lchost:hosts",
    ]);
  });

  it("refuses a host name that is not one, naming the key", () => {
    expect(problemsOf(() => parse({ ...dedicatedValues(), host: "H 2" }))[0]).toMatch(/^lchost:host: 'H 2' is not a host name of the inventory/);
  });
});

describe("the inventory beside the stacks directory", () => {
  it("is fleet/hosts.yaml next to stacks/", () => {
    expect(inventoryPathFor("/srv/lchost/stacks")).toBe("/srv/lchost/fleet/hosts.yaml");
    expect(inventoryPathFor(path.join(__dirname, "../../../stacks"))).toBe(path.resolve(__dirname, "../../../fleet/hosts.yaml"));
  });

  it("the repository's example inventory is valid", () => {
    const inv = loadHostInventory(path.resolve(__dirname, "../../../fleet/hosts.yaml"));
    expect(inv.hosts.map((h) => h.name)).toEqual(["h1", "h2", "h3", "h4"]);
  });

  it("refuses an inventory with a duplicate host, naming the field", () => {
    const root = project({});
    fs.writeFileSync(
      path.join(root, "fleet", "hosts.yaml"),
      inventory + '  - { name: h2, dockerHost: "ssh://10.0.0.14", address: 10.0.0.14, capacity: { memoryMb: 1024, cpuShares: 1024 } }\n',
    );
    expect(problemsOf(() => loadHostInventory(path.join(root, "fleet", "hosts.yaml")))).toEqual(['hosts[3].name: "h2" is already the name of hosts[1]']);
  });

  it("refuses a stack naming a host the inventory does not know, naming lchost:host and the known hosts", () => {
    const root = project({ globex: ns({ ...dedicatedValues(), host: "h9" }) });
    expect(problemsOf(() => loadStackFile(path.join(root, "stacks", "Pulumi.globex.yaml")))).toEqual([
      `lchost:host: no host "h9" in ${path.join(root, "fleet", "hosts.yaml")} (known: h1, h2, h3)`,
    ]);
  });

  it("refuses an HA stack naming an unknown host, naming lchost:hosts[i]", () => {
    const root = project({ wayne: ns({ ...haValues(), hosts: ["h1", "h2", "h7"] }) });
    expect(problemsOf(() => loadStackFile(path.join(root, "stacks", "Pulumi.wayne.yaml")))[0]).toMatch(/^lchost:hosts\[2\]: no host "h7" in /);
  });

  it("refuses a docker:host that is not the named host's endpoint", () => {
    const root = project({ globex: { ...ns({ ...dedicatedValues(), host: "h2" }), "docker:host": "ssh://deploy@10.0.0.99" } });
    expect(problemsOf(() => loadStackFile(path.join(root, "stacks", "Pulumi.globex.yaml")))).toEqual([
      `docker:host: "ssh://deploy@10.0.0.99" is not the endpoint of lchost:host "h2" (tcp://10.0.0.12:2376 in ${path.join(root, "fleet", "hosts.yaml")}); set it to that or remove it`,
    ]);
  });

  it("accepts a known host, and checks nothing where there is no inventory", () => {
    const known = project({ globex: { ...ns({ ...dedicatedValues(), host: "h2" }), "docker:host": "tcp://10.0.0.12:2376" } });
    expect(loadStackFile(path.join(known, "stacks", "Pulumi.globex.yaml")).config).toMatchObject({ host: "h2" });
    const none = project({ globex: ns({ ...dedicatedValues(), host: "h9" }) }, false);
    expect(loadStackFile(path.join(none, "stacks", "Pulumi.globex.yaml")).config).toMatchObject({ host: "h9" });
  });
});
