/**
 * Where a High Availability sandbox's parts run when its stack names hosts (`lchost:hosts`): pure, no I/O.
 *
 * Each host becomes a network namespace on one bridge with the host's address (sandbox/hosts/hostNetwork.ts).
 * The parts go where `placeParts` (model/hosts.ts) puts them: lines and their FSBs round-robin, Galera node i on
 * databaseNodes[i] (each database's exporter and the SQL jobs beside it), the balancer pair (HAProxy + keepalived)
 * on the first two hosts, the arbitrator (`garbd`) alone on a third host when the data nodes are on two. Every
 * part gets an address of its own on its host's interface (secondary addresses in the hosts' network), so the
 * ports stay exactly as rendered (two lines on one host both listen on 8080) — as containers on one Docker host
 * each have their own address. The client runs in a namespace of its own and reaches the customer through the
 * virtual IP only. The bridge itself gets an address too, so this machine's readiness probes and admin calls
 * reach the parts.
 *
 * Addresses: the hosts' own addresses and the VIP as the stack gives them; the bridge, the client and the parts
 * take free addresses of the hosts' network from the top down.
 */
import * as net from "net";
import { BalancerSettings, ipv4ToNumber, sameIpv4Network } from "../../model/balancerPair";
import { customerNames } from "../../model/naming";
import { Host, HostsError, PartPlacement, placeParts } from "../../model/hosts";
import { LC_ENV } from "../../license-central/src/env";
import type { HostNetworkSpec } from "./hostNetwork";

export interface HostsLayoutInput {
  customer: string;
  lines: number;
  /** Galera data nodes the edition plans (3). */
  databaseNodes: number;
  hosts: Host[];
  /** A third host for the Galera arbitrator when `hosts` has two (its address in the hosts' network). */
  arbitrator?: { name: string; address: string };
  balancer: BalancerSettings;
  /** 2–6 lower-case letters or digits: names the bridge (`<tag>br`), namespaces (`<tag>-<host>`) and veths. */
  tag: string;
}

export interface SandboxHost {
  name: string;
  netns: string;
  address: string;
  /** The host's link on the bridge (the bridge end). */
  veth: string;
  /** Balancer hosts may bind the VIP before they hold it (HAProxy starts on both nodes). */
  balancer: boolean;
}

export interface HostsLayout {
  parts: PartPlacement;
  hosts: SandboxHost[];
  client: { name: string; netns: string; address: string; veth: string };
  bridge: string;
  bridgeAddress: string;
  prefixLength: number;
  balancer: BalancerSettings;
  /** The Galera node whose place garbd takes (2 hosts + arbitrator), with garbd's host. */
  arbitrator?: { host: string; replaces: string };
  /** Where the parts' addresses come from. */
  pool: AddressPool;
}

/** Free addresses of one network, from the top down: never the network's or broadcast address, never one taken. */
export class AddressPool {
  private next: number;
  constructor(
    private readonly base: number,
    size: number,
    private readonly taken: Set<string>,
    private readonly key: string,
  ) {
    this.next = base + size - 2;
  }

  take(what: string): string {
    while (this.next > this.base && this.taken.has(numberToIpv4(this.next))) this.next--;
    if (this.next <= this.base) throw new HostsError(this.key, [`${this.key}: the hosts' network has no free address left for ${what}`]);
    const a = numberToIpv4(this.next--);
    this.taken.add(a);
    return a;
  }
}

export const LAYOUT_TAG = /^[a-z][a-z0-9]{1,5}$/;

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The layout; throws HostsError naming the key when the hosts cannot carry the stack. */
export function hostsLayout(input: HostsLayoutInput): HostsLayout {
  if (!LAYOUT_TAG.test(input.tag)) throw new Error(`tag: ${JSON.stringify(input.tag)} is not 2–6 lower-case letters or digits, starting with a letter`);
  const arbitratorHost: Host | undefined = input.arbitrator ? { ...input.arbitrator, dockerHost: "unix:///sandbox", labels: {} } : undefined;
  const parts = placeParts({ hosts: input.hosts, lines: input.lines, databaseNodes: input.databaseNodes, arbitrator: arbitratorHost });
  const b = input.balancer;
  const all = [...input.hosts, ...(arbitratorHost && parts.arbitrator ? [arbitratorHost] : [])];
  const problems: string[] = [];
  all.forEach((h, i) => {
    const key = i < input.hosts.length ? `lchost:hosts[${i}].address` : "arbitrator.address";
    if (!net.isIPv4(h.address)) problems.push(`${key}: ${JSON.stringify(h.address)}: the sandbox's hosts need IPv4 addresses`);
    else if (!sameIpv4Network(h.address, b.virtualIp, b.prefixLength))
      problems.push(`${key}: ${h.address} is outside the network ${b.virtualIp}/${b.prefixLength} of the VIP; the sandbox puts every host on one bridge`);
  });
  if (problems.length) throw new HostsError("lchost:hosts", problems);

  const size = 2 ** (32 - b.prefixLength);
  const pool = new AddressPool(
    Math.floor(ipv4ToNumber(b.virtualIp) / size) * size,
    size,
    new Set([...all.map((h) => h.address), b.virtualIp]),
    "lchost:balancer.prefixLength",
  );
  const t = input.tag;
  const bridgeAddress = pool.take("the bridge");
  const client = { name: "client", netns: `${t}-client`, address: pool.take("the client"), veth: `${t}vc` };
  const hosts: SandboxHost[] = all.map((h, i) => ({
    name: h.name,
    netns: `${t}-${h.name}`,
    address: h.address,
    veth: `${t}v${i + 1}`,
    balancer: parts.balancers.includes(h.name),
  }));
  return {
    parts,
    hosts,
    client,
    bridge: `${t}br`,
    bridgeAddress,
    prefixLength: b.prefixLength,
    balancer: b,
    pool,
    ...(parts.arbitrator ? { arbitrator: { host: parts.arbitrator, replaces: customerNames(input.customer).dbHost(input.databaseNodes) } } : {}),
  };
}

/**
 * The host a planned container runs on, by its name and role (model/naming.ts's names): undefined for a container
 * that is no part of the customer (it stays on this machine's loopback); the Galera node whose place garbd takes
 * goes to the arbitrator's host.
 */
export function hostOfContainer(layout: HostsLayout, customer: string, container: { name: string; role: string | undefined }): string | undefined {
  // the node garbd replaces is planned but never started; its address is garbd's, on the arbitrator's host
  if (layout.arbitrator && (container.name === layout.arbitrator.replaces || container.name === `${layout.arbitrator.replaces}-exporter`))
    return layout.arbitrator.host;
  const prefix = `lc-${customer}(?:-g\\d+)?`;
  const n = (re: string): number | undefined => {
    const found = new RegExp(`^${prefix}${re}$`).exec(container.name);
    return found ? Number(found[1] ?? 1) : undefined;
  };
  const at = (list: string[], i: number | undefined) => (i === undefined ? undefined : list[i - 1]);
  const { parts } = layout;
  switch (container.role) {
    case "license-central":
      return at(parts.lines, n("-line-(\\d+)"));
    case "fsb":
      return at(parts.fsbs, n("-fsb-(\\d+)"));
    case "database":
      return at(parts.databaseNodes, n("-db(?:-(\\d+))?"));
    case "database-exporter":
      return at(parts.databaseNodes, n("-db(?:-(\\d+))?-exporter"));
    case "https-entry-point":
      return n("-gateway()") !== undefined ? parts.balancers[0] : undefined;
    case "sql-job":
      return n("-.*()") !== undefined ? parts.databaseNodes[0] : undefined;
    default:
      return undefined;
  }
}

/**
 * What of a planned container's environment differs on the sandbox's hosts: a line's database is the data node
 * `placeParts` gives it (`lineDatabaseNodes`, the program's rule on hosts), not the one the single-engine plan
 * names — with garbd, that plan's node 3 holds no data (garbd takes its place). Undefined: nothing differs.
 */
export function plannedEnvOnHosts(
  layout: HostsLayout,
  customer: string,
  container: { name: string; role: string | undefined },
): Record<string, string> | undefined {
  if (container.role !== "license-central") return undefined;
  const found = new RegExp(`^lc-${customer}(?:-g(\\d+))?-line-(\\d+)$`).exec(container.name);
  const node = found ? layout.parts.lineDatabaseNodes[Number(found[2]) - 1] : undefined;
  if (!found || node === undefined) return undefined;
  const names = customerNames(customer, found[1] === undefined ? undefined : Number(found[1]));
  return { [LC_ENV.dbHost]: names.dbHost(node) };
}

/** The bridge and every namespace: the hosts with their own address (parts' addresses are added as they are placed), and the client. */
export function hostNetworkSpec(layout: HostsLayout, interfaceName = layout.balancer.interface): HostNetworkSpec {
  return {
    bridge: layout.bridge,
    prefixLength: layout.prefixLength,
    interfaceName,
    bridgeAddress: layout.bridgeAddress,
    hosts: [
      ...layout.hosts.map((h) => ({
        name: h.name,
        netns: h.netns,
        veth: h.veth,
        addresses: [h.address],
        sysctls: h.balancer ? ["net.ipv4.ip_nonlocal_bind=1"] : [],
      })),
      { name: layout.client.name, netns: layout.client.netns, veth: layout.client.veth, addresses: [layout.client.address] },
    ],
  };
}

/**
 * One balancer node's haproxy.cfg from the entry point's translated one: every bind moves to the node's own
 * address; the TLS frontend also binds the VIP (the node may not hold it yet: ip_nonlocal_bind), the monitor
 * frontend also 127.0.0.1 (keepalived's check script asks there); the admin socket is the node's own.
 */
export function balancerNodeConfig(translatedConfig: string, node: { address: string; virtualIp: string; adminSocket: string }): string {
  let binds = 0;
  let sockets = 0;
  let frontend = "";
  const out: string[] = [];
  for (const line of translatedConfig.split("\n")) {
    const section = /^(frontend|listen|backend|defaults|global|userlist|resolvers)\s*(\S*)/.exec(line);
    if (section) frontend = section[1] === "frontend" || section[1] === "listen" ? section[2] : "";
    const bind = /^(\s*bind\s+)(\S+):(\d+)(.*)$/.exec(line);
    if (bind && frontend) {
      binds++;
      out.push(`${bind[1]}${node.address}:${bind[3]}${bind[4]}`);
      if (/\bssl\b/.test(bind[4])) out.push(`${bind[1]}${node.virtualIp}:${bind[3]}${bind[4]}`);
      if (frontend === "monitor") out.push(`${bind[1]}127.0.0.1:${bind[3]}${bind[4]}`);
      continue;
    }
    const sock = /^(\s*stats\s+socket\s+)(\S+)(.*)$/.exec(line);
    if (sock) {
      sockets++;
      out.push(`${sock[1]}${node.adminSocket}${sock[3]}`);
      continue;
    }
    out.push(line);
  }
  if (binds === 0) throw new Error("balancerNodeConfig: the entry's haproxy.cfg has no bind line");
  if (sockets !== 1) throw new Error(`balancerNodeConfig: the entry's haproxy.cfg has ${sockets} admin sockets, expected 1`);
  if (!/^frontend monitor\b/m.test(translatedConfig))
    throw new Error("balancerNodeConfig: the entry's haproxy.cfg has no monitor frontend for keepalived's check");
  return out.join("\n");
}
