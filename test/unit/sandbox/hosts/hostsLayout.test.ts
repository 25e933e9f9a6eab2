import { balancerSettings } from "../../../../model/balancerPair";
import { Host, HostsError } from "../../../../model/hosts";
import { balancerNodeConfig, hostNetworkSpec, hostOfContainer, hostsLayout, plannedEnvOnHosts } from "../../../../sandbox/hosts/hostsLayout";

const host = (name: string, address: string): Host => ({ name, address, dockerHost: "unix:///var/run/docker.sock", labels: {} });
const three = [host("h1", "10.245.1.11"), host("h2", "10.245.1.12"), host("h3", "10.245.1.13")];
const balancer = balancerSettings({ virtualIp: "10.245.1.100" });

describe("the sandbox's hosts: where each part of an HA stack runs (hostsLayout)", () => {
  it("gives each host a namespace with its own address on one bridge, the pair's hosts may bind the VIP, the client a namespace of its own", () => {
    const layout = hostsLayout({ customer: "wayne", lines: 4, databaseNodes: 3, hosts: three, balancer, tag: "nst" });
    expect(layout.hosts).toEqual([
      { name: "h1", netns: "nst-h1", address: "10.245.1.11", veth: "nstv1", balancer: true },
      { name: "h2", netns: "nst-h2", address: "10.245.1.12", veth: "nstv2", balancer: true },
      { name: "h3", netns: "nst-h3", address: "10.245.1.13", veth: "nstv3", balancer: false },
    ]);
    expect(layout.bridge).toBe("nstbr");
    expect(layout.bridgeAddress).toBe("10.245.1.254");
    expect(layout.client).toEqual({ name: "client", netns: "nst-client", address: "10.245.1.253", veth: "nstvc" });
    expect(layout.arbitrator).toBeUndefined();
    const spec = hostNetworkSpec(layout);
    expect(spec.hosts.map((h) => [h.name, h.sysctls ?? []])).toEqual([
      ["h1", ["net.ipv4.ip_nonlocal_bind=1"]],
      ["h2", ["net.ipv4.ip_nonlocal_bind=1"]],
      ["h3", []],
      ["client", []],
    ]);
    expect(spec.interfaceName).toBe("eth0");
  });

  it("places lines and FSBs round-robin, Galera node i on the i-th host, the entry on the first balancer host", () => {
    const layout = hostsLayout({ customer: "wayne", lines: 4, databaseNodes: 3, hosts: three, balancer, tag: "nst" });
    const on = (name: string, role: string) => hostOfContainer(layout, "wayne", { name, role });
    expect([1, 2, 3, 4].map((n) => on(`lc-wayne-line-${n}`, "license-central"))).toEqual(["h1", "h2", "h3", "h1"]);
    expect([1, 2, 3, 4].map((n) => on(`lc-wayne-fsb-${n}`, "fsb"))).toEqual(["h1", "h2", "h3", "h1"]);
    expect([on("lc-wayne-db", "database"), on("lc-wayne-db-2", "database"), on("lc-wayne-db-3", "database")]).toEqual(["h1", "h2", "h3"]);
    expect(on("lc-wayne-db-2-exporter", "database-exporter")).toBe("h2");
    expect(on("lc-wayne-gateway", "https-entry-point")).toBe("h1");
    // not the customer's: stays on this machine
    expect(on("lc-other-line-1", "license-central")).toBeUndefined();
  });

  it("on two hosts puts the third Galera node's place (garbd's) on the arbitrator's host", () => {
    const layout = hostsLayout({
      customer: "wayne",
      lines: 2,
      databaseNodes: 3,
      hosts: three.slice(0, 2),
      arbitrator: { name: "h3", address: "10.245.1.13" },
      balancer,
      tag: "nst",
    });
    expect(layout.arbitrator).toEqual({ host: "h3", replaces: "lc-wayne-db-3" });
    expect(layout.hosts.map((h) => h.name)).toEqual(["h1", "h2", "h3"]);
    expect(hostOfContainer(layout, "wayne", { name: "lc-wayne-db-3", role: "database" })).toBe("h3");
    expect(hostOfContainer(layout, "wayne", { name: "lc-wayne-db-2", role: "database" })).toBe("h2");
  });

  it("on two hosts + garbd points every line at a data node (the program's rule), never at the node garbd replaces", () => {
    const layout = hostsLayout({
      customer: "wayne",
      lines: 4,
      databaseNodes: 3,
      hosts: three.slice(0, 2),
      arbitrator: { name: "h3", address: "10.245.1.13" },
      balancer,
      tag: "nst",
    });
    const dbOf = (name: string) => plannedEnvOnHosts(layout, "wayne", { name, role: "license-central" })?.DB_HOST;
    expect([1, 2, 3, 4].map((n) => dbOf(`lc-wayne-line-${n}`))).toEqual(["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db", "lc-wayne-db-2"]);
    // a generation's lines use that generation's nodes
    expect(dbOf("lc-wayne-g2-line-3")).toBe("lc-wayne-g2-db");
    // nothing else changes: other roles, other customers, lines the layout does not have
    expect(plannedEnvOnHosts(layout, "wayne", { name: "lc-wayne-fsb-3", role: "fsb" })).toBeUndefined();
    expect(dbOf("lc-other-line-3")).toBeUndefined();
    expect(dbOf("lc-wayne-line-5")).toBeUndefined();
  });

  it("on three hosts a line's data node is the one the single-engine plan names", () => {
    const layout = hostsLayout({ customer: "wayne", lines: 4, databaseNodes: 3, hosts: three, balancer, tag: "nst" });
    expect([1, 2, 3, 4].map((n) => plannedEnvOnHosts(layout, "wayne", { name: `lc-wayne-line-${n}`, role: "license-central" })?.DB_HOST)).toEqual([
      "lc-wayne-db",
      "lc-wayne-db-2",
      "lc-wayne-db-3",
      "lc-wayne-db",
    ]);
  });

  it("hands out free addresses from the top of the hosts' network, never a host's or the VIP", () => {
    const layout = hostsLayout({
      customer: "wayne",
      lines: 2,
      databaseNodes: 3,
      hosts: [host("h1", "10.245.1.252"), host("h2", "10.245.1.12"), host("h3", "10.245.1.13")],
      balancer: balancerSettings({ virtualIp: "10.245.1.250" }),
      tag: "nst",
    });
    expect([layout.bridgeAddress, layout.client.address]).toEqual(["10.245.1.254", "10.245.1.253"]);
    expect([layout.pool.take("a"), layout.pool.take("b")]).toEqual(["10.245.1.251", "10.245.1.249"]);
  });

  it("refuses hosts the sandbox cannot put on the VIP's bridge, naming the key", () => {
    const make = () =>
      hostsLayout({ customer: "wayne", lines: 2, databaseNodes: 3, hosts: [three[0], host("h2", "10.246.0.12"), three[2]], balancer, tag: "nst" });
    expect(make).toThrow(HostsError);
    expect(make).toThrow("lchost:hosts[1].address: 10.246.0.12 is outside the network 10.245.1.100/24 of the VIP");
    expect(() => hostsLayout({ customer: "wayne", lines: 2, databaseNodes: 3, hosts: three.slice(0, 2), balancer, tag: "nst" })).toThrow(
      /2 hosts plus a Galera arbitrator/,
    );
    expect(() => hostsLayout({ customer: "wayne", lines: 2, databaseNodes: 3, hosts: three, balancer, tag: "NS" })).toThrow(/^tag: /);
  });
});

describe("a balancer node's haproxy.cfg (balancerNodeConfig)", () => {
  const translated = [
    "global",
    "  stats socket /sb/lc-wayne-gateway/run/admin.sock mode 600 level admin",
    "",
    "frontend monitor",
    "  bind 10.245.1.240:8404",
    "  monitor-uri /haproxy-health",
    "",
    "frontend https",
    "  bind 10.245.1.240:8443 ssl crt /sb/server.pem",
    "  default_backend license_central",
    "",
    "backend license_central",
    "  server line1 10.245.1.239:8080 check",
    "",
  ].join("\n");

  it("binds the node's own address, the VIP on the TLS frontend and 127.0.0.1 for the monitor, with the node's own admin socket", () => {
    const cfg = balancerNodeConfig(translated, { address: "10.245.1.230", virtualIp: "10.245.1.100", adminSocket: "/w/b-h2/admin.sock" });
    expect(cfg.split("\n").filter((l) => /^\s*(bind|stats socket|server)/.test(l))).toEqual([
      "  stats socket /w/b-h2/admin.sock mode 600 level admin",
      "  bind 10.245.1.230:8404",
      "  bind 127.0.0.1:8404",
      "  bind 10.245.1.230:8443 ssl crt /sb/server.pem",
      "  bind 10.245.1.100:8443 ssl crt /sb/server.pem",
      "  server line1 10.245.1.239:8080 check",
    ]);
  });

  it("refuses an entry without a monitor frontend (keepalived's check would never pass)", () => {
    const noMonitor = translated.replace(/frontend monitor\n[^\n]*\n[^\n]*\n/, "");
    expect(() => balancerNodeConfig(noMonitor, { address: "10.245.1.230", virtualIp: "10.245.1.100", adminSocket: "/a" })).toThrow(/no monitor frontend/);
  });
});
