/**
 * Hosts as network namespaces on one Linux bridge: each host a namespace whose interface (a veth pair's end,
 * renamed to the hosts' interface name, `eth0` by default) is on the bridge with the host's address(es). The
 * one module for it: the balancer-pair lab (bench/vipLab.ts) and the sandbox's hosts (hostsSandbox.ts) both
 * build their network here.
 *
 * Killing a host = its link down first (nothing leaves it after that instant), then SIGKILL to every process in
 * its namespace (`ip netns pids`: keepalived's VRRP child too, so no priority-0 goodbye a dead host never
 * sends). Bringing it back = link up; its processes are the caller's to start again.
 *
 * While dockerd runs, bridged traffic between namespaces is dropped (`bridge-nf-call-iptables` and Docker's
 * FORWARD policy): `up()` inserts one DOCKER-USER (or FORWARD) accept rule for this bridge only, `down()`
 * removes it. `down()` removes everything, also what a killed earlier run left behind, and never fails.
 * `hostNetworkCommands` is pure (the unit test reads it).
 */
import { spawnSync } from "child_process";
import * as net from "net";

export interface NetnsHost {
  /** The host's name (lchost:hosts), as callers address it. */
  name: string;
  /** The namespace's name. */
  netns: string;
  /** The bridge end of the veth pair (≤ 14 characters); the namespace's end is `<veth>n` before it is renamed. */
  veth: string;
  /** The host's own address first, then any further address of its parts (all in the network of `prefixLength`). */
  addresses: string[];
  /** sysctls set inside the namespace, e.g. `net.ipv4.ip_nonlocal_bind=1` (HAProxy binding the VIP it does not hold). */
  sysctls?: string[];
}

export interface HostNetworkSpec {
  /** The bridge's name (≤ 15 characters). */
  bridge: string;
  /** The prefix length of the hosts' network. */
  prefixLength: number;
  /** The interface name inside each namespace (the balancer pair's `interface`). Default eth0. */
  interfaceName?: string;
  /** An address for the bridge itself, so this machine reaches the hosts (readiness probes, admin APIs); none: unreachable. */
  bridgeAddress?: string;
  hosts: NetnsHost[];
}

export interface HostNetworkCommands {
  up: string[][];
  down: string[][];
}

const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Every fault of the spec, each naming its field. */
export function hostNetworkProblems(spec: HostNetworkSpec): string[] {
  const problems: string[] = [];
  if (!IFNAME.test(spec.bridge)) problems.push(`bridge: ${JSON.stringify(spec.bridge)} is not an interface name of at most 15 characters`);
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 8 || spec.prefixLength > 30)
    problems.push(`prefixLength: ${spec.prefixLength} is not 8 to 30`);
  const ifname = spec.interfaceName ?? "eth0";
  if (!IFNAME.test(ifname)) problems.push(`interfaceName: ${JSON.stringify(ifname)} is not an interface name`);
  if (spec.bridgeAddress !== undefined && !net.isIPv4(spec.bridgeAddress))
    problems.push(`bridgeAddress: ${JSON.stringify(spec.bridgeAddress)} is not an IPv4 address`);
  if (spec.hosts.length === 0) problems.push("hosts: none given");
  const seen = new Map<string, string>();
  const claim = (what: string, value: string, at: string) => {
    const earlier = seen.get(`${what}:${value}`);
    if (earlier) problems.push(`${at}: ${value} is already ${earlier}'s`);
    else seen.set(`${what}:${value}`, at);
  };
  if (spec.bridgeAddress) claim("address", spec.bridgeAddress, "bridgeAddress");
  spec.hosts.forEach((h, i) => {
    const at = `hosts[${i}]`;
    if (!NETNS.test(h.netns)) problems.push(`${at}.netns: ${JSON.stringify(h.netns)} is not a namespace name`);
    if (!IFNAME.test(`${h.veth}n`)) problems.push(`${at}.veth: ${JSON.stringify(h.veth)} is not an interface name of at most 14 characters`);
    claim("name", h.name, `${at}.name`);
    claim("netns", h.netns, `${at}.netns`);
    claim("veth", h.veth, `${at}.veth`);
    if (h.addresses.length === 0) problems.push(`${at}.addresses: none given`);
    h.addresses.forEach((a, j) => {
      if (!net.isIPv4(a)) problems.push(`${at}.addresses[${j}]: ${JSON.stringify(a)} is not an IPv4 address`);
      else claim("address", a, `${at}.addresses[${j}]`);
    });
    for (const s of h.sysctls ?? []) if (!/^[a-z0-9_.]+=[0-9]+$/.test(s)) problems.push(`${at}.sysctls: ${JSON.stringify(s)} is not key=number`);
  });
  return problems;
}

/** The `ip` commands that build and remove the network (the forward rule is added at run time: it depends on Docker). */
export function hostNetworkCommands(spec: HostNetworkSpec): HostNetworkCommands {
  const problems = hostNetworkProblems(spec);
  if (problems.length) throw new Error(`host network: ${problems.join("; ")}`);
  const ifname = spec.interfaceName ?? "eth0";
  const up: string[][] = [
    ["ip", "link", "add", spec.bridge, "type", "bridge"],
    ["ip", "link", "set", spec.bridge, "up"],
  ];
  if (spec.bridgeAddress) up.push(["ip", "addr", "add", `${spec.bridgeAddress}/${spec.prefixLength}`, "dev", spec.bridge]);
  for (const h of spec.hosts) {
    const inNs = (...cmd: string[]) => ["ip", "-n", h.netns, ...cmd];
    up.push(
      ["ip", "netns", "add", h.netns],
      ["ip", "link", "add", h.veth, "type", "veth", "peer", "name", `${h.veth}n`],
      ["ip", "link", "set", `${h.veth}n`, "netns", h.netns],
      inNs("link", "set", `${h.veth}n`, "name", ifname),
      ...h.addresses.map((a) => inNs("addr", "add", `${a}/${spec.prefixLength}`, "dev", ifname)),
      inNs("link", "set", ifname, "up"),
      inNs("link", "set", "lo", "up"),
      ...(h.sysctls ?? []).map((s) => ["ip", "netns", "exec", h.netns, "sysctl", "-q", "-w", s]),
      ["ip", "link", "set", h.veth, "master", spec.bridge],
      ["ip", "link", "set", h.veth, "up"],
    );
  }
  const down: string[][] = [
    ...spec.hosts.map((h) => ["ip", "netns", "del", h.netns]),
    ...spec.hosts.map((h) => ["ip", "link", "del", h.veth]),
    ["ip", "link", "del", spec.bridge],
  ];
  return { up, down };
}

function run(cmd: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

export class HostNetwork {
  readonly commands: HostNetworkCommands;
  private forwardRule: string[] | undefined;

  constructor(readonly spec: HostNetworkSpec) {
    this.commands = hostNetworkCommands(spec);
  }

  get interfaceName(): string {
    return this.spec.interfaceName ?? "eth0";
  }

  host(name: string): NetnsHost {
    const h = this.spec.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host '${name}' in the network (hosts: ${this.spec.hosts.map((x) => x.name).join(", ")})`);
    return h;
  }

  /** Builds the bridge, the namespaces and their links (after removing leftovers of an earlier run); throws after cleaning up. */
  up(): void {
    if (typeof process.getuid === "function" && process.getuid() !== 0) throw new Error("hosts as network namespaces need root (ip netns add)");
    this.down();
    try {
      for (const cmd of this.commands.up) {
        const r = run(cmd);
        if (!r.ok) throw new Error(`host network: '${cmd.join(" ")}' failed: ${r.out}`);
      }
      const chain = run(["iptables", "-S", "DOCKER-USER"]).ok ? "DOCKER-USER" : "FORWARD";
      const rule = [chain, "-i", this.spec.bridge, "-o", this.spec.bridge, "-j", "ACCEPT"];
      const r = run(["iptables", "-I", ...rule]);
      if (!r.ok) throw new Error(`host network: iptables -I ${rule.join(" ")} failed: ${r.out}`);
      this.forwardRule = rule;
    } catch (e) {
      this.down();
      throw e;
    }
  }

  /** Removes whatever exists of it (namespaces, veths, bridge, the forward rule); never fails. */
  down(): void {
    for (const cmd of this.commands.down) run(cmd);
    // a rule an earlier (killed) run left: delete every copy of it, also when this run inserted none
    for (const chain of ["DOCKER-USER", "FORWARD"]) {
      for (let i = 0; i < 5 && run(["iptables", "-D", chain, "-i", this.spec.bridge, "-o", this.spec.bridge, "-j", "ACCEPT"]).ok; i++);
    }
    this.forwardRule = undefined;
  }

  /** The host's link on the bridge goes down (its processes keep running, cut off) or up again. */
  setLink(name: string, up: boolean): void {
    const r = run(["ip", "link", "set", this.host(name).veth, up ? "up" : "down"]);
    if (!r.ok) throw new Error(`link of ${name} ${up ? "up" : "down"}: ${r.out}`);
  }

  /** PIDs of every process in the host's namespace. */
  pids(name: string): number[] {
    return run(["ip", "netns", "pids", this.host(name).netns])
      .out.split(/\s+/)
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
  }

  /** SIGKILL to every process in the host's namespace, at once; how many there were. */
  killProcesses(name: string): number {
    const pids = this.pids(name);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    return pids.length;
  }

  /** A whole host dies: link down first, then every process in it SIGKILLed. */
  killHost(name: string): number {
    this.setLink(name, false);
    return this.killProcesses(name);
  }

  /** Whether the host's interface holds `address` right now. */
  holds(name: string, address: string): boolean {
    const r = spawnSync("ip", ["-n", this.host(name).netns, "-o", "-4", "addr", "show", "dev", this.interfaceName], { encoding: "utf8" });
    return r.status === 0 && r.stdout.includes(` ${address}/`);
  }

  /** Adds a further address to the host's interface (a part placed on it after the network was built). */
  addAddress(name: string, address: string): void {
    if (!net.isIPv4(address)) throw new Error(`addAddress: ${JSON.stringify(address)} is not an IPv4 address`);
    const h = this.host(name);
    const r = run(["ip", "-n", h.netns, "addr", "add", `${address}/${this.spec.prefixLength}`, "dev", this.interfaceName]);
    if (!r.ok) throw new Error(`adding ${address} to ${name}: ${r.out}`);
    h.addresses.push(address);
  }

  /** Removes an address from the host's interface if it holds it (a killed keepalived leaves its VIP behind). */
  dropAddress(name: string, address: string): void {
    spawnSync("ip", ["-n", this.host(name).netns, "addr", "del", `${address}/${this.spec.prefixLength}`, "dev", this.interfaceName], { stdio: "ignore" });
  }

  /** `cmd args` run inside the host's namespace (`ip netns exec` execs it: the PID is the command's own). */
  execArgs(name: string, cmd: string, args: string[]): { command: string; args: string[] } {
    return { command: "ip", args: ["netns", "exec", this.host(name).netns, cmd, ...args] };
  }
}

/** Refuses a hosts' network this machine already routes (the bridge's address would take its traffic). */
export function routedAlready(address: string): string | undefined {
  const r = spawnSync("ip", ["-4", "-o", "route", "show", "match", address], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith("default"));
}
