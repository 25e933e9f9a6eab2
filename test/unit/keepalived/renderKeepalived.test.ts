/** The balancer pair's keepalived.conf (keepalived/renderKeepalived.ts): what each node gets, and refused input. */
import { balancerSettings } from "../../../model/balancerPair";
import { KeepalivedPairSpec, renderHaproxyCheckScript, renderKeepalivedPair } from "../../../keepalived/renderKeepalived";

const spec = (over: Partial<KeepalivedPairSpec> = {}): KeepalivedPairSpec => ({
  customer: "wayne-ent",
  nodes: [
    { name: "h1", address: "10.20.0.11" },
    { name: "h2", address: "10.20.0.12" },
  ],
  balancer: balancerSettings({ virtualIp: "10.20.0.100" }),
  haproxyMonitor: { port: 8404, path: "/haproxy-health" },
  checkScriptPath: "/etc/keepalived/check-haproxy.sh",
  ...over,
});

/** The lines of a `name { … }` block, trimmed. */
function block(conf: string, name: string): string[] {
  const start = conf.indexOf(`${name} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines: string[] = [];
  let depth = 0;
  for (const raw of conf.slice(start).split("\n")) {
    const l = raw.trim();
    if (l.endsWith("{")) depth++;
    if (l === "}") depth--;
    lines.push(l);
    if (depth === 0) break;
  }
  return lines;
}

describe("renderKeepalivedPair", () => {
  const [a, b] = renderKeepalivedPair(spec());

  it("gives each node its own source, the other as its only unicast peer, the first host the higher priority", () => {
    expect([a.host, b.host]).toEqual(["h1", "h2"]);
    const ia = block(a.keepalivedConf, "vrrp_instance lc_wayne_ent");
    const ib = block(b.keepalivedConf, "vrrp_instance lc_wayne_ent");
    expect(ia).toEqual(expect.arrayContaining(["unicast_src_ip 10.20.0.11", "priority 150", "check_unicast_src"]));
    expect(ib).toEqual(expect.arrayContaining(["unicast_src_ip 10.20.0.12", "priority 100", "check_unicast_src"]));
    expect(block(a.keepalivedConf, "unicast_peer")).toEqual(["unicast_peer {", "10.20.0.12", "}"]);
    expect(block(b.keepalivedConf, "unicast_peer")).toEqual(["unicast_peer {", "10.20.0.11", "}"]);
  });

  it("runs VRRPv3, both BACKUP without preemption, with sub-second adverts and the VIP on the named interface", () => {
    for (const n of [a, b]) {
      const inst = block(n.keepalivedConf, "vrrp_instance lc_wayne_ent");
      expect(inst).toEqual(expect.arrayContaining(["version 3", "state BACKUP", "nopreempt", "interface eth0", "virtual_router_id 100", "advert_int 0.25"]));
      expect(block(n.keepalivedConf, "virtual_ipaddress")).toEqual(["virtual_ipaddress {", "10.20.0.100/24 dev eth0", "}"]);
      // VRRPv3 has no authentication; keepalived would ignore the block with a warning
      expect(n.keepalivedConf).not.toMatch(/authentication|auth_pass/);
    }
    const other = renderKeepalivedPair(
      spec({ balancer: balancerSettings({ virtualIp: "10.20.0.9", vrrpRouterId: 42, advertIntervalMs: 1000, interface: "bond0", prefixLength: 23 }) }),
    )[0];
    expect(block(other.keepalivedConf, "virtual_ipaddress")).toEqual(["virtual_ipaddress {", "10.20.0.9/23 dev bond0", "}"]);
    expect(other.keepalivedConf).toMatch(/^ {2}virtual_router_id 42$/m);
    expect(other.keepalivedConf).toMatch(/^ {2}advert_int 1\.00$/m);
  });

  it("tracks a check of HAProxy's monitor URI without weight (FAULT gives the VIP up), 2 falls, 2 rises", () => {
    expect(block(a.keepalivedConf, "vrrp_script haproxy_serving")).toEqual([
      "vrrp_script haproxy_serving {",
      'script "/etc/keepalived/check-haproxy.sh"',
      "interval 1",
      "timeout 1",
      "fall 2",
      "rise 2",
      "}",
    ]);
    expect(block(a.keepalivedConf, "track_script")).toEqual(["track_script {", "haproxy_serving", "}"]);
    expect(a.keepalivedConf).not.toMatch(/weight/);
    expect(a.checkScript).toBe(renderHaproxyCheckScript({ port: 8404, path: "/haproxy-health" }));
    expect(a.checkScript).toMatch(/\/dev\/tcp\/127\.0\.0\.1\/8404/);
    expect(a.checkScript).toMatch(/GET \/haproxy-health HTTP\/1\.0/);
  });

  it("accepts VRRP on each host from its peer only", () => {
    expect(a.firewallRules).toEqual([
      ["-A", "INPUT", "-p", "vrrp", "-s", "10.20.0.12/32", "-d", "10.20.0.11/32", "-j", "ACCEPT"],
      ["-A", "INPUT", "-p", "vrrp", "-j", "DROP"],
    ]);
    expect(b.firewallRules[0]).toEqual(["-A", "INPUT", "-p", "vrrp", "-s", "10.20.0.11/32", "-d", "10.20.0.12/32", "-j", "ACCEPT"]);
  });

  it("refuses faulty input, naming every field", () => {
    const bad = () =>
      renderKeepalivedPair(
        spec({
          nodes: [
            { name: "h1", address: "10.20.0.11" },
            { name: "h2", address: "10.20.0.11" },
          ],
          balancer: { ...balancerSettings({ virtualIp: "10.20.0.100" }), advertIntervalMs: 255, interface: "eth0 x" },
          checkScriptPath: "check.sh; reboot",
        }),
      );
    expect(bad).toThrow(
      "balancer pair of \"wayne-ent\": nodes[1].address: 10.20.0.11 is also nodes[0]'s; the pair needs two hosts; balancer.advertIntervalMs: 255 is not a multiple of 10 ms (VRRPv3 counts centiseconds) from 10 to 40950; balancer.interface: \"eth0 x\" is not an interface name; checkScriptPath: \"check.sh; reboot\" is not an absolute path of letters, digits, '.', '_', '-', '/'",
    );
    expect(() => renderKeepalivedPair(spec({ balancer: balancerSettings({ virtualIp: "10.20.0.11" }) }))).toThrow(
      /balancer.virtualIp: 10.20.0.11 is a node's own address/,
    );
  });
});
