/**
 * The sites of the geo simulation as network namespaces: one namespace per site (`<tag>a`, `<tag>b`, …; each
 * host of the site is an address on the site's link), and one WAN namespace (`<tag>wan`) every site is linked
 * to by a veth pair. This machine reaches the sites through the WAN namespace too (as the customers' clients
 * and the readiness probes do), without delay: only site-to-site traffic crosses the WAN.
 *
 * Site-to-site traffic never goes through the kernel's forwarding: the WAN namespace drops forwarded packets
 * between sites and redirects each cross-site destination (address, port) to a port of the WAN relay
 * (wanRelay.ts), which delays, stalls or cuts it. So every process talks to the real addresses of its peers
 * and the WAN is still in between.
 *
 *   this machine 10.X.0.1 ── <tag>wan 10.X.0.2 ─┬─ 10.X.1.254 ── site a 10.X.1.1, 10.X.1.2, …
 *                                               ├─ 10.X.2.254 ── site b 10.X.2.1, …
 *                                               └─ 10.X.3.254 ── site c 10.X.3.1, …
 *
 * `geoNetworkCommands` is pure (tests read it); `GeoNetwork.up()` runs it and `down()` removes everything it
 * made (namespaces, the root veth and route), also what a killed earlier run left behind.
 */
import { spawnSync } from "child_process";
import { findExecutable } from "../prerequisites";
import type { WanRoute } from "./wanRelay";

export interface GeoSiteSpec {
  /** One lower-case letter: the namespace is `<tag><name>`. */
  name: string;
  /** Host names placed in this site, in order: host i gets 10.X.<site index + 1>.<i + 1>. */
  hosts: string[];
}

export interface GeoNetworkSpec {
  /** Prefix of every namespace and interface name (e.g. `geo`); 2–5 lower-case letters. */
  tag: string;
  /** Second octet of the 10.X.0.0/16 block the sites use. */
  octet: number;
  sites: GeoSiteSpec[];
  /** Ports that site-to-site connections may use (each (address, port) of another site gets a relay port). */
  crossSitePorts: number[];
  /** First relay port; the relay listens on relayBasePort, relayBasePort + 1, … in the WAN namespace. */
  relayBasePort: number;
}

export interface PlacedHost {
  host: string;
  site: string;
  netns: string;
  address: string;
}

export interface GeoNetworkPlan {
  wanNetns: string;
  rootAddress: string;
  hosts: PlacedHost[];
  /** Address prefix -> site (the relay's `sites`). */
  sitePrefixes: Record<string, string>;
  routes: WanRoute[];
  up: string[][];
  down: string[][];
  /** iptables-restore input for the WAN namespace (filter + nat). */
  wanRules: string;
}

export function validateGeoNetworkSpec(spec: GeoNetworkSpec): void {
  if (!/^[a-z]{2,5}$/.test(spec.tag)) throw new Error(`tag: ${JSON.stringify(spec.tag)} must be 2–5 lower-case letters`);
  if (!Number.isInteger(spec.octet) || spec.octet < 1 || spec.octet > 254) throw new Error(`octet: ${spec.octet} is not 1–254`);
  if (spec.sites.length < 2 || spec.sites.length > 9) throw new Error(`sites: ${spec.sites.length} given; 2–9 sites are simulated`);
  const seen = new Set<string>();
  for (const [i, s] of spec.sites.entries()) {
    if (!/^[a-z]$/.test(s.name)) throw new Error(`sites[${i}].name: ${JSON.stringify(s.name)} must be one lower-case letter`);
    if (seen.has(s.name)) throw new Error(`sites[${i}].name: ${s.name} is given twice`);
    seen.add(s.name);
    if (s.hosts.length < 1 || s.hosts.length > 200) throw new Error(`sites[${i}].hosts: ${s.hosts.length} hosts; 1–200 allowed`);
  }
  const hosts = spec.sites.flatMap((s) => s.hosts);
  const dup = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (dup) throw new Error(`sites[].hosts: ${dup} is placed twice`);
  const lastPort = spec.relayBasePort + hosts.length * spec.crossSitePorts.length;
  if (!Number.isInteger(spec.relayBasePort) || spec.relayBasePort < 1024 || lastPort > 65535)
    throw new Error(`relayBasePort: ${spec.relayBasePort} leaves no room for ${hosts.length * spec.crossSitePorts.length} relay ports below 65536`);
}

export function geoNetworkCommands(spec: GeoNetworkSpec): GeoNetworkPlan {
  validateGeoNetworkSpec(spec);
  const { tag, octet } = spec;
  const net = (n: number, h: number) => `10.${octet}.${n}.${h}`;
  const wan = `${tag}wan`;
  const inWan = (...cmd: string[]) => ["ip", "netns", "exec", wan, ...cmd];
  const up: string[][] = [
    ["ip", "netns", "add", wan],
    ["ip", "link", "add", `${tag}-r`, "type", "veth", "peer", "name", `${tag}-w0`],
    ["ip", "link", "set", `${tag}-w0`, "netns", wan],
    ["ip", "addr", "add", `${net(0, 1)}/30`, "dev", `${tag}-r`],
    ["ip", "link", "set", `${tag}-r`, "up"],
    inWan("ip", "addr", "add", `${net(0, 2)}/30`, "dev", `${tag}-w0`),
    inWan("ip", "link", "set", `${tag}-w0`, "up"),
    inWan("ip", "link", "set", "lo", "up"),
    inWan("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"),
  ];
  const hosts: PlacedHost[] = [];
  const sitePrefixes: Record<string, string> = {};
  spec.sites.forEach((site, i) => {
    const n = i + 1;
    const ns = `${tag}${site.name}`;
    const inSite = (...cmd: string[]) => ["ip", "netns", "exec", ns, ...cmd];
    sitePrefixes[`10.${octet}.${n}.`] = site.name;
    up.push(
      ["ip", "netns", "add", ns],
      ["ip", "link", "add", `${tag}-w${site.name}`, "type", "veth", "peer", "name", `${tag}-${site.name}`],
      ["ip", "link", "set", `${tag}-w${site.name}`, "netns", wan],
      ["ip", "link", "set", `${tag}-${site.name}`, "netns", ns],
      inWan("ip", "addr", "add", `${net(n, 254)}/24`, "dev", `${tag}-w${site.name}`),
      inWan("ip", "link", "set", `${tag}-w${site.name}`, "up"),
      inSite("ip", "link", "set", "lo", "up"),
    );
    site.hosts.forEach((host, h) => {
      const address = net(n, h + 1);
      hosts.push({ host, site: site.name, netns: ns, address });
      up.push(inSite("ip", "addr", "add", `${address}/24`, "dev", `${tag}-${site.name}`));
    });
    up.push(inSite("ip", "link", "set", `${tag}-${site.name}`, "up"), inSite("ip", "route", "add", "default", "via", net(n, 254)));
  });
  up.push(["ip", "route", "add", `10.${octet}.0.0/16`, "via", net(0, 2)]);

  // One relay port per (address, port) of every host: a connection from another site to it is redirected there.
  const routes: WanRoute[] = [];
  const nat: string[] = [];
  let port = spec.relayBasePort;
  for (const h of hosts) {
    for (const p of spec.crossSitePorts) {
      routes.push({ listenPort: port, target: { host: h.address, port: p } });
      // from any site link (not from this machine's link): the WAN namespace's own port
      nat.push(`-A PREROUTING ! -i ${tag}-w0 -d ${h.address}/32 -p tcp --dport ${p} -j REDIRECT --to-ports ${port}`);
      port++;
    }
  }
  const wanRules = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD DROP [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    // this machine <-> the sites is forwarded; site <-> site only through the relay (REDIRECT above)
    `-A FORWARD -i ${tag}-w0 -j ACCEPT`,
    `-A FORWARD -o ${tag}-w0 -j ACCEPT`,
    "COMMIT",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ...nat,
    "COMMIT",
    "",
  ].join("\n");

  const down: string[][] = [
    ["ip", "route", "del", `10.${octet}.0.0/16`],
    ...spec.sites.map((s) => ["ip", "netns", "del", `${tag}${s.name}`]),
    ["ip", "netns", "del", wan],
    ["ip", "link", "del", `${tag}-r`],
  ];
  return { wanNetns: wan, rootAddress: net(0, 1), hosts, sitePrefixes, routes, up, down, wanRules };
}

function run(cmd: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", input, timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

export class GeoNetwork {
  readonly plan: GeoNetworkPlan;
  constructor(readonly spec: GeoNetworkSpec) {
    this.plan = geoNetworkCommands(spec);
  }

  host(name: string): PlacedHost {
    const h = this.plan.hosts.find((x) => x.host === name);
    if (!h) throw new Error(`no host '${name}' in the geo network (hosts: ${this.plan.hosts.map((x) => x.host).join(", ")})`);
    return h;
  }

  /** Creates the namespaces, links, routes and the WAN namespace's rules (removing leftovers of an earlier run first). */
  up(): void {
    for (const p of ["ip", "iptables-restore"]) {
      if (!findExecutable(p)) throw new Error(`${p} is not installed (Debian packages iproute2 and iptables)`);
    }
    if (typeof process.getuid === "function" && process.getuid() !== 0) throw new Error("the geo network needs root (ip netns add)");
    this.down();
    for (const cmd of this.plan.up) {
      const r = run(cmd);
      if (!r.ok) {
        this.down();
        throw new Error(`geo network: '${cmd.join(" ")}' failed: ${r.out}`);
      }
    }
    const r = run(["ip", "netns", "exec", this.plan.wanNetns, "iptables-restore"], this.plan.wanRules);
    if (!r.ok) {
      this.down();
      throw new Error(`geo network: iptables-restore in ${this.plan.wanNetns} failed: ${r.out}`);
    }
  }

  /** Removes whatever exists of it; never fails. */
  down(): void {
    for (const cmd of this.plan.down) run(cmd);
  }
}
