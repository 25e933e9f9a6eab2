/**
 * What an HA stack on hosts may not be (docs/hosts.md, "HA across hosts"): each bad layout refused naming its key
 * when the stack is read, and the policies that guard what the program deploys over hosts (database ports never on
 * every address, the host's network and NET_ADMIN for keepalived only, 3 Galera votes).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { planStack } from "../../../planner/mockPlanner";
import { StackConfigError } from "../../../model/stackConfig";
import { loadStackFile } from "../../../model/stackFile";
import { placeFleet } from "../../../fleet/place";
import { editionCatalog } from "../../../model/catalog";
import { publishedGateways } from "../../../policies/fleet/httpsPortsDistinctPerHost";
import { containerNoHostAccess } from "../../../policies/rules/containerNoHostAccess";
import { databaseAndFsbPortsNotPublished } from "../../../policies/rules/databaseAndFsbPortsNotPublished";
import { haLinesAndDatabaseNodes } from "../../../policies/rules/haLinesAndDatabaseNodes";
import { check, container, withResource, withoutResources } from "../policies/examplePlans";
import { haValues, parse, stackFile } from "../stackFixtures";

jest.setTimeout(180_000); // whole stacks planned under the mock runtime on a loaded 2-core machine

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const [h1, h2, h3] = [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")];
const onHosts = (more: Record<string, unknown>) => ({ ...haValues(), balancer: { virtualIp: "10.20.0.100" }, ...more });

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("bad layouts are refused when the stack is read, naming the key", () => {
  test("one host", () => {
    expect(problemsOf(() => parse(onHosts({ hosts: [h1], balancer: undefined })))).toEqual(["lchost:hosts: High Availability needs at least 2 hosts, got 1"]);
  });

  test("Galera nodes that would share a host without garbd", () => {
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2] })))).toEqual([
      "lchost:hosts: 3 Galera nodes need 3 distinct hosts, or 2 hosts plus a Galera arbitrator (garbd) on a third; got 2 host(s) and no arbitrator (name its host in lchost:galeraArbitrator)",
    ]);
  });

  test("an arbitrator on a data host, or beside three hosts", () => {
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2], galeraArbitrator: "h2" })))).toEqual([
      'lchost:hosts: the Galera arbitrator\'s host "h2" must not also hold a data node',
    ]);
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2, h3], galeraArbitrator: inline("h4", "10.20.0.14") })))).toEqual([
      "lchost:galeraArbitrator: only with exactly 2 hosts in lchost:hosts (it is the third vote of a 2-host Galera cluster); lchost:hosts has 3",
    ]);
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2], galeraArbitrator: { ...h3, address: h2.address } })))).toEqual([
      "lchost:galeraArbitrator.address: 10.20.0.12 is the address of lchost:hosts[1]; the arbitrator needs a third host",
    ]);
    expect(problemsOf(() => parse({ ...haValues(), galeraArbitrator: "h3" }))).toEqual([
      "lchost:galeraArbitrator: needs lchost:hosts (the 2 hosts of the Galera data nodes)",
    ]);
  });

  test("an arbitrator on another edition", () => {
    const dedicated = { customer: "globex", edition: "dedicated", connection: { ipAllowList: ["198.51.100.0/24"] }, galeraArbitrator: "h3" };
    expect(problemsOf(() => parse({ ...dedicated, fsb: { mode: "shared", sharedUrl: "http://fsb:7070", tokenKey: "t" }, t: { secure: "v1:y" } }))).toEqual([
      "lchost:galeraArbitrator: 'h3' is not allowed for edition 'dedicated': it runs no Galera cluster",
    ]);
  });

  test("duplicate host names (and addresses)", () => {
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2, { ...h3, name: "h1" }] })))).toEqual([
      'lchost:hosts[2]: host name "h1" is already lchost:hosts[0]; every host once',
    ]);
    expect(problemsOf(() => parse(onHosts({ hosts: ["h1", "h2", "h1"] })))).toEqual([
      'lchost:hosts[2]: host name "h1" is already lchost:hosts[0]; every host once',
    ]);
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2, { ...h3, address: "10.20.0.12" }] })))).toEqual([
      "lchost:hosts[2].address: 10.20.0.12 is already the address of lchost:hosts[1]",
    ]);
  });

  test("a route to line 9 of 3 (lchost:balancing, the existing check) on a stack on hosts", () => {
    const problems = problemsOf(() => parse(onHosts({ hosts: [h1, h2, h3], balancing: { routes: [{ pathPrefix: "/ws/", lines: [1, 9] }] } })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^lchost:balancing\.routes\[0\]\.lines.*9/);
  });

  test("a VIP outside the hosts' network (lchost:balancer, the existing check)", () => {
    expect(problemsOf(() => parse(onHosts({ hosts: [h1, h2, h3], balancer: { virtualIp: "10.30.0.100" } })))).toEqual([
      'lchost:balancer.virtualIp: 10.30.0.100 is outside the network of balancer host "h1" (lchost:hosts[0], 10.20.0.11/24); the VIP moves between the balancer hosts, so it must be in their network (lchost:balancer.prefixLength: 24)',
      'lchost:balancer.virtualIp: 10.30.0.100 is outside the network of balancer host "h2" (lchost:hosts[1], 10.20.0.12/24); the VIP moves between the balancer hosts, so it must be in their network (lchost:balancer.prefixLength: 24)',
    ]);
  });

  test("an arbitrator the inventory does not know, naming lchost:galeraArbitrator", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hs-inventory-"));
    try {
      fs.mkdirSync(path.join(root, "fleet"));
      fs.mkdirSync(path.join(root, "stacks"));
      const hosts = [h1, h2].map((h) => ({ ...h, capacity: { memoryMb: 65536, cpuShares: 32768 } }));
      fs.writeFileSync(path.join(root, "fleet", "hosts.yaml"), YAML.stringify({ hosts }));
      const values = onHosts({ hosts: ["h1", "h2"], galeraArbitrator: "h9" });
      const file = path.join(root, "stacks", "Pulumi.wayne.yaml");
      fs.writeFileSync(file, YAML.stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`lchost:${k}`, v])) }));
      expect(problemsOf(() => loadStackFile(file))).toEqual([
        `lchost:galeraArbitrator: no host "h9" in ${path.join(root, "fleet", "hosts.yaml")} (known: h1, h2)`,
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the policies over a stack on hosts", () => {
  const planned = (async () => {
    const stack = stackFile("wayne", onHosts({ lines: 2, hosts: [h1, h2], galeraArbitrator: h3 }));
    return { stack, plan: await planStack(stack) };
  })();

  test("a database port on every address of its host is refused, naming the container and the fix", async () => {
    const e = await planned;
    const plan = withResource(e.plan, container("database-2"), (inputs) => (inputs.ports[0].ip = "0.0.0.0"));
    expect((await check(databaseAndFsbPortsNotPublished, { ...e, plan })).map((v) => v.message)).toEqual([
      "database container 'lc-wayne-db-2' publishes port 3306->3306 on every address of host 'h2'; bind it to the host's address (ports[].ip), never 0.0.0.0",
    ]);
    expect(await check(databaseAndFsbPortsNotPublished, e)).toEqual([]);
  });

  test("an FSB is never published, on hosts too", async () => {
    const e = await planned;
    const plan = withResource(e.plan, container("fsb-1"), (inputs) => (inputs.ports = [{ internal: 7070, external: 7070, ip: "10.20.0.11" }]));
    expect((await check(databaseAndFsbPortsNotPublished, { ...e, plan })).map((v) => v.message)).toEqual([
      "fsb container 'lc-wayne-fsb-1' publishes port 7070->7070; it must be reachable only on its Docker network",
    ]);
  });

  test("the host's network and NET_ADMIN for keepalived only, and nothing more for it", async () => {
    const e = await planned;
    expect(await check(containerNoHostAccess, e)).toEqual([]);
    const line = withResource(e.plan, container("line-1"), (inputs) => {
      inputs.networkMode = "host";
      inputs.capabilities = { adds: ["NET_ADMIN"] };
    });
    expect((await check(containerNoHostAccess, { ...e, plan: line })).map((v) => v.message)).toEqual([
      "container 'lc-wayne-line-1' uses the host's network (networkMode: host)",
      "container 'lc-wayne-line-1' adds capability NET_ADMIN",
    ]);
    const vrrp = withResource(e.plan, container("vrrp-1"), (inputs) => (inputs.capabilities = { adds: ["NET_ADMIN", "SYS_ADMIN"] }));
    expect((await check(containerNoHostAccess, { ...e, plan: vrrp })).map((v) => v.message)).toEqual([
      "container 'lc-wayne-gateway-vrrp-1' uses the host's network (networkMode: host)",
      "container 'lc-wayne-gateway-vrrp-1' adds capability SYS_ADMIN",
    ]);
  });

  test("2 data nodes count as a cluster only with the arbitrator", async () => {
    const e = await planned;
    expect(await check(haLinesAndDatabaseNodes, e)).toEqual([]);
    const plan = withoutResources(e.plan, container("galera-arbitrator"));
    expect((await check(haLinesAndDatabaseNodes, { ...e, plan })).map((v) => v.message)).toEqual([
      "High Availability Package runs 2 database node(s); the catalog requires at least 3",
    ]);
  });
});

describe("the fleet reads the pair's hosts with the arbitrator", () => {
  test("an HA stack on 2 hosts + garbd publishes its gateway on both balancer hosts (it threw HostsError and was skipped before)", () => {
    const cfg = parse(onHosts({ hosts: [h1, h2], galeraArbitrator: h3, httpsPort: 20443 }));
    expect(publishedGateways([{ stackName: "wayne", config: cfg }])).toEqual([
      { stack: "wayne", host: "h1", port: 20443 },
      { stack: "wayne", host: "h2", port: 20443 },
    ]);
  });
});

describe("fleet place and an HA stack that names 2 hosts + its arbitrator", () => {
  test("counts it where its parts run (it was refused: 3 Galera nodes need 3 distinct hosts)", () => {
    const capacity = { memoryMb: 65536, cpuShares: 65536 };
    const inventory = [h1, h2, h3].map((h) => ({ ...h, capacity, labels: {} }));
    const cfg = parse(onHosts({ lines: 2, hosts: ["h1", "h2"], galeraArbitrator: "h3" }));
    const p = placeFleet({ hosts: inventory, stacks: [{ stackName: "wayne", config: cfg }], catalog: editionCatalog() });
    expect(p.assignments.map((a) => [a.stack, a.source, a.parts])).toEqual([
      [
        "wayne",
        "recorded",
        { lines: ["h1", "h2"], fsbs: ["h1", "h2"], databaseNodes: ["h1", "h2"], lineDatabaseNodes: [1, 2], arbitrator: "h3", balancers: ["h1", "h2"] },
      ],
    ]);
    const per = editionCatalog().editions["high-availability"].resources.memoryMb;
    expect(p.hosts.map((h) => [h.host, h.used.memoryMb])).toEqual([
      ["h1", 2 * per],
      ["h2", 2 * per],
      ["h3", 0],
    ]);
  });
});
