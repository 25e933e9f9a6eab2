/**
 * The per-host packet filter of a High Availability stack spread over hosts (docs/hosts.md, "HA across hosts"):
 * the ports its parts publish on a host's address are open to the hosts that need them and dropped for
 * everyone else — Galera replication, IST and SST (4567, 4568, 4444) only between the database hosts (data
 * nodes and the arbitrator), MariaDB only from the hosts that run lines, a line's port only from the balancer
 * hosts. Pure: text in, iptables arguments out.
 *
 * The rules live in one chain per customer (`LC-<customer>`), jumped to from Docker's `DOCKER-USER` chain: a
 * published port is DNATed to its container before the filter sees it, so a rule matches the address and
 * port the client sent to (`-m conntrack --ctorigdst/--ctorigdstport`), not the container's. Traffic from a
 * container on another host arrives masqueraded to that host's address, which is what `-s` matches.
 */
import * as net from "net";

export interface FirewallHost {
  name: string;
  address: string;
}

/** A port some hosts publish and the hosts allowed to reach it there. */
export interface FirewallOpening {
  /** What it is, for the rule's comment (e.g. "galera-gcomm"). */
  what: string;
  port: number;
  /** Hosts (names) that publish this port on their address. */
  on: string[];
  /** Hosts (names) allowed to reach it. */
  from: string[];
}

export interface HostFirewallSpec {
  customer: string;
  /** Every host of the stack with its address. */
  hosts: FirewallHost[];
  openings: FirewallOpening[];
}

export interface HostFirewall {
  host: string;
  /** The customer's chain in the filter table. */
  chain: string;
  /** iptables arguments (filter table), in order: create/flush the chain, hook it into DOCKER-USER, its rules. */
  rules: string[][];
  /** The same as an idempotent shell script (run as root on the host; re-running replaces the chain's rules). */
  script: string;
}

/** The chain's name: iptables allows 28 characters. */
export function firewallChain(customer: string): string {
  return `LC-${customer}`.slice(0, 28);
}

/** Each host's rules; throws an Error naming every faulty field. */
export function renderHostFirewalls(spec: HostFirewallSpec): HostFirewall[] {
  const problems: string[] = [];
  const byName = new Map(spec.hosts.map((h) => [h.name, h]));
  spec.hosts.forEach((h, i) => {
    if (net.isIPv4(h.address) === false) problems.push(`hosts[${i}].address: ${JSON.stringify(h.address)} is not an IPv4 address`);
  });
  spec.openings.forEach((o, i) => {
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) problems.push(`openings[${i}].port: ${o.port} is not a port`);
    for (const n of [...o.on, ...o.from]) if (!byName.has(n)) problems.push(`openings[${i}]: no host ${JSON.stringify(n)}`);
  });
  if (problems.length) throw new Error(`host firewall of ${JSON.stringify(spec.customer)}: ${problems.join("; ")}`);
  const chain = firewallChain(spec.customer);
  return spec.hosts.map((h) => {
    const rules: string[][] = [];
    for (const o of spec.openings.filter((x) => x.on.includes(h.name))) {
      const match = ["-p", "tcp", "-m", "conntrack", "--ctorigdst", `${h.address}/32`, "--ctorigdstport", String(o.port)];
      const comment = ["-m", "comment", "--comment", `${spec.customer} ${o.what}`];
      for (const peer of o.from.filter((n) => n !== h.name)) {
        rules.push(["-A", chain, ...match, "-s", `${byName.get(peer)!.address}/32`, ...comment, "-j", "RETURN"]);
      }
      rules.push(["-A", chain, ...match, ...comment, "-j", "DROP"]);
    }
    const all = [["-N", chain], ["-F", chain], ["-I", "DOCKER-USER", "-j", chain], ...rules];
    const quote = (a: string) => (/^[A-Za-z0-9._/:-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
    const script = [
      "#!/bin/sh",
      `# ${h.name}: the published ports of ${spec.customer} (rendered by lchost; docs/hosts.md). Idempotent.`,
      "set -e",
      `iptables -N ${chain} 2>/dev/null || iptables -F ${chain}`,
      `iptables -C DOCKER-USER -j ${chain} 2>/dev/null || iptables -I DOCKER-USER -j ${chain}`,
      ...rules.map((r) => `iptables ${r.map(quote).join(" ")}`),
      "",
    ].join("\n");
    return { host: h.name, chain, rules: all, script };
  });
}
