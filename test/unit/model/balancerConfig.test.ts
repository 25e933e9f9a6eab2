/**
 * `lchost:balancer` (model/balancerPair.ts): the High Availability balancer pair's virtual IP and VRRP settings,
 * checked against the stack's hosts — inline hosts with the config, inventory hosts once resolved.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { balancerProblems, defaultVrrpRouterId, sameIpv4Network } from "../../../model/balancerPair";
import { StackConfigError } from "../../../model/stackConfig";
import { loadStackFile } from "../../../model/stackFile";
import { dedicatedValues, haValues, parse } from "../stackFixtures";

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a rejection");
}

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const threeHosts = [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.1.13")];
const ha = (balancer: unknown, hosts: unknown = threeHosts) => parse({ ...haValues(), hosts, balancer });

describe("lchost:balancer", () => {
  it("takes the VIP of an HA stack on hosts and fills the VRRP defaults", () => {
    expect(ha({ virtualIp: "10.20.0.100" })).toMatchObject({
      balancer: { virtualIp: "10.20.0.100", prefixLength: 24, vrrpRouterId: 100, advertIntervalMs: 250, interface: "eth0" },
    });
    expect(ha({ virtualIp: "10.20.0.100", vrrpRouterId: 7, advertIntervalMs: 500, interface: "bond0" })).toMatchObject({
      balancer: { vrrpRouterId: 7, advertIntervalMs: 500, interface: "bond0" },
    });
  });

  it("refuses a VIP that is not an IPv4 address, naming the key", () => {
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.300" }))).toEqual(['lchost:balancer.virtualIp: "10.20.0.300" is not an IPv4 address (e.g. 10.20.0.100)']);
    expect(problemsOf(() => ha({ virtualIp: "fd00::1" }))).toEqual(['lchost:balancer.virtualIp: "fd00::1" is not an IPv4 address (e.g. 10.20.0.100)']);
  });

  it("refuses a VIP outside the balancer hosts' network (the first two hosts; prefixLength decides)", () => {
    expect(problemsOf(() => ha({ virtualIp: "10.20.1.100" }))).toEqual([
      'lchost:balancer.virtualIp: 10.20.1.100 is outside the network of balancer host "h1" (lchost:hosts[0], 10.20.0.11/24); the VIP moves between the balancer hosts, so it must be in their network (lchost:balancer.prefixLength: 24)',
      'lchost:balancer.virtualIp: 10.20.1.100 is outside the network of balancer host "h2" (lchost:hosts[1], 10.20.0.12/24); the VIP moves between the balancer hosts, so it must be in their network (lchost:balancer.prefixLength: 24)',
    ]);
    // the third host holds no balancer: its network does not matter; a wider prefix takes it in
    expect(ha({ virtualIp: "10.20.1.100", prefixLength: 23 })).toMatchObject({ balancer: { virtualIp: "10.20.1.100", prefixLength: 23 } });
  });

  it("refuses a VIP that is a host's own address, or its network's network or broadcast address", () => {
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.12" }))).toEqual([
      'lchost:balancer.virtualIp: 10.20.0.12 is the address of host "h2" (lchost:hosts[1]); the VIP must be an address of its own',
    ]);
    expect(problemsOf(() => ha({ virtualIp: "10.20.1.13", prefixLength: 23 }))).toEqual([
      'lchost:balancer.virtualIp: 10.20.1.13 is the address of host "h3" (lchost:hosts[2]); the VIP must be an address of its own',
    ]);
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.255" }))[0]).toMatch(
      /^lchost:balancer.virtualIp: 10.20.0.255 is the broadcast address of its \/24 network/,
    );
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.0" }))[0]).toMatch(/^lchost:balancer.virtualIp: 10.20.0.0 is the network address/);
  });

  it("refuses the key without lchost:hosts, on other editions and with a missing or unknown field", () => {
    expect(problemsOf(() => parse({ ...haValues(), balancer: { virtualIp: "10.20.0.100" } }))).toEqual([
      "lchost:balancer: needs lchost:hosts: the pair runs on the first two hosts of the stack, and the VIP moves between them",
    ]);
    expect(problemsOf(() => parse({ ...dedicatedValues(), balancer: { virtualIp: "10.20.0.100" } }))).toEqual([
      "lchost:balancer: not allowed for edition 'dedicated': only high-availability runs a balancer pair with a virtual IP",
    ]);
    expect(problemsOf(() => ha({ prefixLength: 24 }))).toEqual(["lchost:balancer.virtualIp: required but missing"]);
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.100", vrrpRouterId: 256 }))).toEqual(["lchost:balancer.vrrpRouterId: 256 must be <= 255"]);
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.100", advertIntervalMs: 50 }))).toEqual(["lchost:balancer.advertIntervalMs: 50 must be >= 100"]);
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.100", interface: "eth0; rm -rf /" }))[0]).toMatch(
      /^lchost:balancer.interface: 'eth0; rm -rf \/' is not a network interface name/,
    );
    expect(problemsOf(() => ha({ virtualIp: "10.20.0.100", password: "x" }))[0]).toMatch(/^lchost:balancer.password: unknown key/);
  });

  it("checks the VIP against inventory hosts once they are resolved (loadStackFile with fleet/hosts.yaml beside stacks/)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-balancer-"));
    fs.mkdirSync(path.join(root, "stacks"));
    fs.mkdirSync(path.join(root, "fleet"));
    fs.writeFileSync(
      path.join(root, "fleet", "hosts.yaml"),
      YAML.stringify({
        hosts: ["10.0.0.11", "10.0.0.12", "10.0.0.13"].map((address, i) => ({
          name: `h${i + 1}`,
          dockerHost: `ssh://deploy@${address}`,
          address,
          capacity: { memoryMb: 16384, cpuShares: 8192 },
        })),
      }),
    );
    const write = (vip: string) => {
      const config = Object.fromEntries(
        Object.entries({ ...haValues(), hosts: ["h1", "h2", "h3"], balancer: { virtualIp: vip } }).map(([k, v]) => [`lchost:${k}`, v]),
      );
      fs.writeFileSync(path.join(root, "stacks", "Pulumi.wayne.yaml"), YAML.stringify({ config }));
      return path.join(root, "stacks", "Pulumi.wayne.yaml");
    };
    expect(loadStackFile(write("10.0.0.100")).config).toMatchObject({ balancer: { virtualIp: "10.0.0.100" } });
    expect(problemsOf(() => loadStackFile(write("10.0.0.13")))).toEqual([
      'lchost:balancer.virtualIp: 10.0.0.13 is the address of host "h3" (lchost:hosts[2]); the VIP must be an address of its own',
    ]);
    expect(problemsOf(() => loadStackFile(write("192.168.7.1")))).toHaveLength(2);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe("the balancer pair's address arithmetic", () => {
  it("compares networks by prefix and derives the router id from the VIP", () => {
    expect(sameIpv4Network("10.20.0.1", "10.20.0.254", 24)).toBe(true);
    expect(sameIpv4Network("10.20.0.1", "10.20.1.1", 24)).toBe(false);
    expect(sameIpv4Network("10.20.0.1", "10.20.1.1", 23)).toBe(true);
    expect(sameIpv4Network("10.20.0.130", "10.20.0.1", 25)).toBe(false);
    expect([defaultVrrpRouterId("10.0.0.100"), defaultVrrpRouterId("10.0.1.0"), defaultVrrpRouterId("10.0.0.255")]).toEqual([100, 1, 254]);
  });

  it("skips hosts whose addresses are not known yet (inventory names before resolving)", () => {
    expect(balancerProblems({ virtualIp: "10.20.0.100" }, [undefined, undefined, undefined])).toEqual([]);
  });
});
