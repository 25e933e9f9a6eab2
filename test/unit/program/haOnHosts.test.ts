/**
 * High Availability on lchost:hosts (docs/hosts.md, "HA across hosts"): the program creates one Docker provider per
 * host and every part with the provider of the host placeParts gives it; what crosses hosts goes over the hosts'
 * addresses (never 0.0.0.0 for database ports), and each host's packet filter opens those ports to the hosts that
 * need them only. Plans under the mock runtime, policies included.
 */
import { renderPlacement } from "../../../cli/planReport";
import { Plan, PlannedResource, planStack } from "../../../planner/mockPlanner";
import { checkPolicies } from "../../../planner/policyCheck";
import { unwrapSecrets } from "../../../planner/planValues";
import { balancerSettings } from "../../../model/balancerPair";
import { renderKeepalivedPair } from "../../../keepalived/renderKeepalived";
import { container, containers, env, upload } from "../planHelpers";
import { haValues, stackFile } from "../stackFixtures";

jest.setTimeout(180_000); // whole stacks planned under the mock runtime on a loaded 2-core machine

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const [h1, h2, h3] = [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")];
const VIP = "10.20.0.100";

const threeHosts = { ...haValues(), lines: 4, hosts: [h1, h2, h3], balancer: { virtualIp: VIP } };
const twoHostsAndGarbd = { ...haValues(), lines: 4, hosts: [h1, h2], galeraArbitrator: h3, balancer: { virtualIp: VIP } };

const plans = new Map<string, Promise<{ plan: Plan; violations: string[] }>>();
function planned(values: Record<string, unknown>) {
  const key = JSON.stringify(values);
  if (!plans.has(key))
    plans.set(
      key,
      (async () => {
        const stack = stackFile("wayne", values);
        const plan = await planStack(stack);
        const violations = (await checkPolicies(stack, plan)).map((v) => `${v.policy}: ${v.message}`);
        return { plan, violations };
      })(),
    );
  return plans.get(key)!;
}

/** The host whose provider a resource is created with ("" = the stack's default provider). */
function hostOf(plan: Plan, r: PlannedResource): string {
  const provider = plan.resources.find((p) => p.type === "pulumi:providers:docker" && r.provider?.startsWith(`${p.urn}::`));
  return provider ? provider.name.replace(/^host-/, "") : "";
}
const hostOfContainer = (plan: Plan, name: string) => hostOf(plan, container(plan, name));
const ports = (plan: Plan, name: string) => unwrapSecrets(container(plan, name).inputs.ports) as Array<{ internal: number; external: number; ip?: string }>;

describe("an HA stack on three hosts", () => {
  test("one Docker provider per host, with that host's endpoint; no policy violated", async () => {
    const { plan, violations } = await planned(threeHosts);
    const providers = plan.resources.filter((r) => r.type === "pulumi:providers:docker");
    expect(providers.map((p) => [p.name, p.inputs.host])).toEqual([
      ["host-h1", "ssh://deploy@10.20.0.11"],
      ["host-h2", "ssh://deploy@10.20.0.12"],
      ["host-h3", "ssh://deploy@10.20.0.13"],
    ]);
    // every Docker resource names its host's provider: nothing lands on the default engine
    const dockerResources = plan.resources.filter((r) => r.type.startsWith("docker:"));
    expect(dockerResources.filter((r) => hostOf(plan, r) === "").map((r) => r.name)).toEqual([]);
    expect(violations).toEqual([]);
  });

  test("parts placed by placeParts: Galera nodes on distinct hosts, lines and FSBs round-robin, the balancer pair on the first two", async () => {
    const { plan } = await planned(threeHosts);
    const where = (names: string[]) => names.map((n) => hostOfContainer(plan, n));
    expect(where(["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db-3"])).toEqual(["h1", "h2", "h3"]);
    expect(where(["lc-wayne-line-1", "lc-wayne-line-2", "lc-wayne-line-3", "lc-wayne-line-4"])).toEqual(["h1", "h2", "h3", "h1"]);
    expect(where(["lc-wayne-fsb-1", "lc-wayne-fsb-2", "lc-wayne-fsb-3", "lc-wayne-fsb-4"])).toEqual(["h1", "h2", "h3", "h1"]);
    expect(where(["lc-wayne-gateway", "lc-wayne-gateway-2", "lc-wayne-gateway-vrrp-1", "lc-wayne-gateway-vrrp-2"])).toEqual(["h1", "h2", "h1", "h2"]);
    // each database volume on its node's host
    const volumes = plan.resources.filter((r) => r.type === "docker:index/volume:Volume" && /^db-data/.test(r.name));
    expect(volumes.map((v) => [v.inputs.name, hostOf(plan, v)])).toEqual([
      ["lc-wayne-db-data", "h1"],
      ["lc-wayne-db-data-2", "h2"],
      ["lc-wayne-db-data-3", "h3"],
    ]);
  });

  test("database ports bound to the host's address, never 0.0.0.0; FSBs publish nothing; lines on their host's address", async () => {
    const { plan } = await planned(threeHosts);
    expect(ports(plan, "lc-wayne-db-2")).toEqual([3306, 4567, 4568, 4444].map((p) => ({ internal: p, external: p, ip: "10.20.0.12" })));
    for (const c of containers(plan)) {
      const role = (unwrapSecrets(c.inputs.labels) as Array<{ label: string; value: string }>).find((l) => l.label === "lchost.role")?.value;
      const published = (unwrapSecrets(c.inputs.ports) ?? []) as Array<{ ip?: string }>;
      if (role === "database") expect(published.every((p) => p.ip && p.ip !== "0.0.0.0")).toBe(true);
      if (role === "fsb") expect(published).toEqual([]);
    }
    expect(ports(plan, "lc-wayne-line-4")).toEqual([{ internal: 8080, external: 8083, ip: "10.20.0.11" }]);
  });

  test("Galera nodes advertise their host's address and know every member by it", async () => {
    const { plan } = await planned(threeHosts);
    const cnf = String(upload(container(plan, "lc-wayne-db-3"), "/etc/lchost/db/90-lchost.cnf").content);
    expect(cnf).toContain("wsrep_cluster_address = gcomm://10.20.0.11:4567,10.20.0.12:4567,10.20.0.13:4567");
    expect(cnf).toContain("wsrep_node_address = 10.20.0.13");
    expect(cnf).toContain('"gmcast.listen_addr=tcp://0.0.0.0:4567;ist.recv_addr=10.20.0.13:4568;ist.recv_bind=0.0.0.0"');
  });

  test("a line reaches its FSB beside it by name, a node on its own host by name and one on another host by address", async () => {
    const { plan } = await planned(threeHosts);
    const e = (n: string) => env(container(plan, n));
    expect(e("lc-wayne-line-1").DB_HOST).toBe("lc-wayne-db"); // node 1 on h1, like the line
    expect(e("lc-wayne-line-4").DB_HOST).toBe("lc-wayne-db"); // line 4 on h1 uses node (4-1)%3+1 = 1
    expect(e("lc-wayne-line-2").DB_HOST).toBe("lc-wayne-db-2");
    expect(e("lc-wayne-line-2").FSB_URL).toBe("http://lc-wayne-fsb-2:7070");
    const networks = (n: string) => (unwrapSecrets(container(plan, n).inputs.networksAdvanced) as Array<{ name: string }>).map((x) => x.name);
    expect(networks("lc-wayne-line-2")).toEqual(["lc-wayne-h2"]);
    expect(networks("lc-wayne-fsb-2")).toEqual(["lc-wayne-h2"]);
  });

  test("the pair: the same haproxy.cfg and certificate on both nodes, every line by host address", async () => {
    const { plan } = await planned(threeHosts);
    const cfg = (n: string) => String(unwrapSecrets(upload(container(plan, n), "/usr/local/etc/haproxy/haproxy.cfg").content));
    const pem = (n: string) => String(unwrapSecrets(upload(container(plan, n), "/usr/local/etc/haproxy/tls/server.pem").content));
    expect(cfg("lc-wayne-gateway-2")).toBe(cfg("lc-wayne-gateway"));
    expect(pem("lc-wayne-gateway-2")).toBe(pem("lc-wayne-gateway"));
    for (const [i, address] of [
      [1, "10.20.0.11:8080"],
      [2, "10.20.0.12:8081"],
      [3, "10.20.0.13:8082"],
      [4, "10.20.0.11:8083"],
    ] as const)
      expect(cfg("lc-wayne-gateway")).toMatch(new RegExp(`server line${i} ${address.replace(/\./g, "\\.")}\\b`));
    // keepalived's check reaches HAProxy's monitor on 127.0.0.1 only: 18400 + router id (the VIP's last octet)
    expect(ports(plan, "lc-wayne-gateway")).toContainEqual({ internal: 8404, external: 18500, ip: "127.0.0.1" });
  });

  test("keepalived: host network, NET_ADMIN only, the rendered keepalived.conf of its node", async () => {
    const { plan } = await planned(threeHosts);
    const expected = renderKeepalivedPair({
      customer: "wayne",
      nodes: [h1, h2],
      balancer: balancerSettings({ virtualIp: VIP }),
      haproxyMonitor: { port: 18500, path: "/haproxy-health" },
      checkScriptPath: "/etc/keepalived/haproxy-serving.sh",
    });
    for (const [i, node] of expected.entries()) {
      const c = container(plan, `lc-wayne-gateway-vrrp-${i + 1}`);
      expect(c.inputs.networkMode).toBe("host");
      expect(c.inputs.capabilities).toEqual({ adds: ["NET_ADMIN"] });
      expect(c.inputs.privileged).toBeUndefined();
      expect(upload(c, "/etc/keepalived/keepalived.conf").content).toBe(node.keepalivedConf);
      const script = (unwrapSecrets(c.inputs.uploads) as Array<{ file: string; content: string; executable?: boolean }>).find(
        (u) => u.file === "/etc/keepalived/haproxy-serving.sh",
      );
      expect(script).toEqual({ file: "/etc/keepalived/haproxy-serving.sh", content: node.checkScript, executable: true });
    }
  });

  test("the host firewall: Galera ports from the database hosts only, MariaDB from line hosts, line ports from the balancers", async () => {
    const { plan } = await planned(threeHosts);
    const fw = plan.outputs.hostFirewall as Record<string, { chain: string; rules: string[][]; script: string; vrrpInputRules: string[][] }>;
    expect(Object.keys(fw)).toEqual(["h1", "h2", "h3"]);
    const onPort = (host: string, port: number) =>
      fw[host].rules.filter((r) => r.includes(String(port))).map((r) => `${r.includes("-s") ? r[r.indexOf("-s") + 1] : "*"} ${r[r.length - 1]}`);
    for (const port of [4567, 4568, 4444]) expect(onPort("h3", port)).toEqual(["10.20.0.11/32 RETURN", "10.20.0.12/32 RETURN", "* DROP"]);
    expect(onPort("h1", 3306)).toEqual(["10.20.0.12/32 RETURN", "10.20.0.13/32 RETURN", "* DROP"]);
    expect(onPort("h3", 8082)).toEqual(["10.20.0.11/32 RETURN", "10.20.0.12/32 RETURN", "* DROP"]);
    expect(onPort("h1", 8083)).toEqual(["10.20.0.12/32 RETURN", "* DROP"]); // h1 itself is a balancer host: its HAProxy is local
    expect(fw.h1.rules.slice(0, 3)).toEqual([
      ["-N", "LC-wayne"],
      ["-F", "LC-wayne"],
      ["-I", "DOCKER-USER", "-j", "LC-wayne"],
    ]);
    expect(fw.h1.rules.filter((r) => r[0] === "-A").every((r) => r.includes("--ctorigdst") && r.includes("10.20.0.11/32"))).toBe(true);
    expect(fw.h1.script).toContain("iptables -C DOCKER-USER -j LC-wayne 2>/dev/null || iptables -I DOCKER-USER -j LC-wayne");
    expect(fw.h1.vrrpInputRules).toEqual([
      ["-A", "INPUT", "-p", "vrrp", "-s", "10.20.0.12/32", "-d", "10.20.0.11/32", "-j", "ACCEPT"],
      ["-A", "INPUT", "-p", "vrrp", "-j", "DROP"],
    ]);
    expect(fw.h3.vrrpInputRules).toEqual([]);
  });

  test("no `migration` output: lchost migrate reaches a stack through one engine, and this one has three", async () => {
    const { plan } = await planned(threeHosts);
    expect(plan.outputs.migration).toBeUndefined();
    expect(plan.outputs.databaseVolumes).toEqual(["lc-wayne-db-data", "lc-wayne-db-data-2", "lc-wayne-db-data-3"]);
  });

  test("lchost plan's placement table: host, address, parts and the containers of its provider", async () => {
    const { plan } = await planned(threeHosts);
    const table = renderPlacement(plan).split("\n");
    expect(table[0]).toBe("placement over hosts (lchost:hosts):");
    expect(table[1]).toMatch(/^host +address +parts +containers \(its Docker provider\)$/);
    expect(table[2]).toMatch(/^h1 +10\.20\.0\.11 +balancer 1 \(HAProxy \+ keepalived\), Galera node 1, line 1 \+ FSB 1, line 4 \+ FSB 4 +lc-wayne-db /);
    expect(table[4]).toMatch(/^h3 +10\.20\.0\.13 +Galera node 3, line 3 \+ FSB 3 +/);
    expect(table[4]).not.toContain("gateway");
  });
});

describe("an HA stack on two hosts plus a Galera arbitrator", () => {
  test("two data nodes, garbd on the third host with 4567 on its address; no policy violated", async () => {
    const { plan, violations } = await planned(twoHostsAndGarbd);
    expect(violations).toEqual([]);
    expect(["lc-wayne-db", "lc-wayne-db-2"].map((n) => hostOfContainer(plan, n))).toEqual(["h1", "h2"]);
    expect(containers(plan).some((c) => c.inputs.name === "lc-wayne-db-3")).toBe(false);
    const garbd = container(plan, "lc-wayne-db-garbd");
    expect(hostOf(plan, garbd)).toBe("h3");
    expect(unwrapSecrets(garbd.inputs.ports)).toEqual([{ internal: 4567, external: 4567, ip: "10.20.0.13" }]);
    expect(garbd.inputs.entrypoints).toEqual([
      "garbd",
      "--group",
      "lc-wayne",
      "--address",
      "gcomm://10.20.0.11:4567,10.20.0.12:4567",
      "--options",
      "gmcast.listen_addr=tcp://0.0.0.0:4567;base_host=10.20.0.13;base_port=4567",
    ]);
    const cnf = String(upload(container(plan, "lc-wayne-db"), "/etc/lchost/db/90-lchost.cnf").content);
    expect(cnf).toContain("wsrep_cluster_address = gcomm://10.20.0.11:4567,10.20.0.12:4567,10.20.0.13:4567");
    // h3 runs only the arbitrator: its images are garbd's alone
    const images = plan.resources.filter((r) => r.type === "docker:index/remoteImage:RemoteImage" && hostOf(plan, r) === "h3");
    expect(images.map((r) => r.inputs.name)).toEqual(["lchost/garbd:dev"]);
    const fw = plan.outputs.hostFirewall as Record<string, { rules: string[][] }>;
    const gcommOnH3 = fw.h3.rules.filter((r) => r.includes("4567")).map((r) => r[r.length - 1]);
    expect(gcommOnH3).toEqual(["RETURN", "RETURN", "DROP"]);
    expect(fw.h3.rules.some((r) => r.includes("4568") || r.includes("4444") || r.includes("3306"))).toBe(false);
    expect(plan.outputs.hosts).toEqual([
      { host: "h1", address: "10.20.0.11", parts: ["balancer 1 (HAProxy + keepalived)", "Galera node 1", "line 1 + FSB 1", "line 3 + FSB 3"] },
      { host: "h2", address: "10.20.0.12", parts: ["balancer 2 (HAProxy + keepalived)", "Galera node 2", "line 2 + FSB 2", "line 4 + FSB 4"] },
      { host: "h3", address: "10.20.0.13", parts: ["Galera arbitrator (garbd)"] },
    ]);
  });

  test("4 lines use the two data nodes round-robin, never the node garbd replaces", async () => {
    const { plan } = await planned(twoHostsAndGarbd);
    const e = (name: string) => env(container(plan, name));
    expect([1, 2, 3, 4].map((n) => e(`lc-wayne-line-${n}`).DB_HOST)).toEqual(["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db", "lc-wayne-db-2"]);
  });
});

describe("an HA stack on hosts without lchost:balancer", () => {
  test("two HAProxy nodes with one certificate, no keepalived, no monitor port; the policy ha-balancer-pair refuses the plan", async () => {
    const { plan, violations } = await planned({ ...threeHosts, balancer: undefined });
    const pem = (n: string) => String(unwrapSecrets(upload(container(plan, n), "/usr/local/etc/haproxy/tls/server.pem").content));
    expect(pem("lc-wayne-gateway-2")).toBe(pem("lc-wayne-gateway"));
    expect(containers(plan).some((c) => String(c.inputs.name).includes("vrrp"))).toBe(false);
    expect(ports(plan, "lc-wayne-gateway")).toEqual([{ internal: 8443, external: 443 }]);
    expect(violations).toEqual([
      "ha-balancer-pair: lchost:balancer.virtualIp: High Availability Package on 3 hosts (lchost:hosts: h1, h2, h3) runs without its balancer pair; set lchost:balancer.virtualIp, the customer's virtual IP that keepalived moves between h1 and h2",
    ]);
  });
});

describe("an HA stack without lchost:hosts", () => {
  test("is deployed as before: no provider of its own, one gateway, no keepalived, nothing published but the entry", async () => {
    const { plan, violations } = await planned({ ...haValues() });
    expect(violations).toEqual([]);
    expect(plan.resources.some((r) => r.type === "pulumi:providers:docker")).toBe(false);
    expect(plan.resources.every((r) => r.provider === undefined || !r.provider.includes("providers:docker::host-"))).toBe(true);
    expect(
      containers(plan)
        .filter((c) => c.inputs.ports !== undefined)
        .map((c) => c.inputs.name),
    ).toEqual(["lc-wayne-gateway"]);
    expect(plan.outputs.hosts).toBeUndefined();
    expect(plan.outputs.hostFirewall).toBeUndefined();
    expect(renderPlacement(plan)).toBe("");
  });
});
