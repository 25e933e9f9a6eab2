/**
 * `lchost sandbox` for a High Availability stack on hosts (issue 11 item 4): each host of `lchost:hosts` a network
 * namespace on a bridge (hostNetwork.ts), each part in its host's namespace where `placeParts` puts it
 * (hostsLayout.ts), the balancer pair — HAProxy and keepalived with the rendered keepalived.conf, check script and
 * VRRP firewall rules — on the first two hosts holding the customer's virtual IP on the bridge, `garbd` alone on a
 * third host when the data nodes are on two. The customer's processes are the sandbox's own (`Sandbox`, placed with
 * its `placeContainer` option); the two HAProxy nodes run the entry point's translated haproxy.cfg
 * (balancerNodeConfig), so what the pair serves is what the stack renders.
 *
 * Killing a host = its link down and SIGKILL to every process in its namespace; restoring it = link up and its
 * processes started again in role order (databases, garbd, FSBs, lines, HAProxy, keepalived last — a node that
 * comes back stays BACKUP: nopreempt). Everything is removed on stop() and when the start fails.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { haproxyAdminCommand } from "../../haproxy/adminSocket";
import { haproxyBinds } from "../../haproxy/parseConfig";
import { parseShowStat } from "../../haproxy/showStat";
import { renderKeepalivedPair } from "../../keepalived/renderKeepalived";
import { editionFacts } from "../../model/catalog";
import { findHostInventory } from "../../model/hostInventoryFile";
import { resolveStackHosts } from "../../model/hosts";
import { InputError } from "../../model/inputError";
import { customerNames, galeraClusterName } from "../../model/naming";
import { loadStackFile } from "../../model/stackFile";
import type { SandboxProcessSpec } from "../containerTranslation";
import { garbdProcessSpec } from "../geo/garbdProcess";
import { findExecutable } from "../prerequisites";
import { LocalProcess } from "../processSupervisor";
import { SandboxHandle, startSandbox } from "../startSandbox";
import { HostNetwork, routedAlready } from "./hostNetwork";
import { balancerNodeConfig, hostNetworkSpec, hostOfContainer, HostsLayout, hostsLayout, plannedEnvOnHosts } from "./hostsLayout";
import { spawnVipClient, VipClientOptions, VipClientRun } from "./vipClient";
import * as YAML from "yaml";

/** The keys by which the program deploys an HA stack over its hosts (editions/customerOnHosts.ts). */
const HOSTS_KEYS = ["lchost:hosts", "lchost:balancer", "lchost:galeraArbitrator"];

/**
 * A copy of the stack file, in `dir` under the same name, without the keys that make the program plan one Docker
 * engine per host. The program's plan for hosts names host addresses and published ports (what a real host needs);
 * the sandbox gives every part its own address in its host's namespace and places the parts itself (hostsLayout,
 * the same placeParts), so it plans the stack as on one engine — container names it can translate — and runs the
 * balancer pair and garbd from the same renderers. Where the two plans differ it follows the program on hosts: each
 * line's database is the data node `placeParts` gives it (plannedEnvOnHosts), so 2 hosts + garbd carry any number
 * of lines.
 */
export function singleEnginePlanFile(stackFile: string, dir: string): string {
  const doc = YAML.parseDocument(fs.readFileSync(stackFile, "utf8"));
  for (const key of HOSTS_KEYS) doc.deleteIn(["config", key]);
  const copy = path.join(dir, path.basename(stackFile));
  fs.writeFileSync(copy, doc.toString());
  return copy;
}

export interface HostsSandboxOptions {
  stackFile: string;
  /** Names of the bridge and namespaces: `<tag>br`, `<tag>-<host>`, `<tag>-client` (2–6 lower-case letters/digits). */
  tag: string;
  /** A third host for garbd when lchost:hosts has two (default: the stack's lchost:galeraArbitrator). */
  arbitrator?: { name: string; address: string };
  name?: string;
  dir?: string;
  readyTimeoutMs?: number;
  serviceLogLevel?: string;
  removeOnStop?: boolean;
  log?: (line: string) => void;
}

/** A part of the customer on a host: a process of the sandbox or one of the pair's own. */
export interface HostPart {
  name: string;
  kind: "database" | "garbd" | "fsb" | "license-central" | "haproxy" | "keepalived" | "other";
}

const ENTRY_MONITOR_PATH = "/haproxy-health";
const PATH_ENV = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface BalancerNode {
  host: string;
  address: string;
  dir: string;
  adminSocket: string;
  haproxy: LocalProcess;
  keepalived: LocalProcess;
}

/** The stack's HA keys, checked: a stack the hosts sandbox cannot run is refused naming the key. */
function haStackOnHosts(stackFile: string) {
  const file = loadStackFile(path.resolve(stackFile));
  const cfg = file.config;
  if (cfg.role !== "customer") throw new InputError(`${file.path}: lchost:role: '${cfg.role}'; hosts as namespaces are for a high-availability customer`);
  const problems: string[] = [];
  if (cfg.edition !== "high-availability") problems.push(`lchost:edition: '${cfg.edition}'; hosts as namespaces are for high-availability stacks`);
  if (!cfg.hosts) problems.push("lchost:hosts: missing; name the hosts the stack runs on");
  if (!cfg.balancer) problems.push("lchost:balancer: missing; the balancer pair needs the customer's virtualIp");
  if (problems.length) throw new InputError(`${file.path}: ${problems.join("; ")}`);
  const inventory = findHostInventory(path.dirname(file.path));
  const hosts = resolveStackHosts(cfg.hosts!, inventory);
  const arbitrator = cfg.galeraArbitrator !== undefined ? resolveStackHosts([cfg.galeraArbitrator], inventory, "lchost:galeraArbitrator")[0] : undefined;
  return { file, cfg, hosts, balancer: cfg.balancer!, arbitrator };
}

/** garbd's host: the stack's lchost:galeraArbitrator, or the caller's (`--arbitrator`) when the stack names none. */
function arbitratorOf(stack: { name: string; address: string } | undefined, given: { name: string; address: string } | undefined, file: string) {
  if (stack && given && (stack.name !== given.name || stack.address !== given.address))
    throw new InputError(
      `${file}: --arbitrator ${given.name}=${given.address} is not the stack's lchost:galeraArbitrator (${stack.name}, ${stack.address}); leave --arbitrator out`,
    );
  const a = given ?? stack;
  return a ? { name: a.name, address: a.address } : undefined;
}

export class HostsSandbox {
  private readonly nodes: BalancerNode[] = [];
  private garbd?: LocalProcess;
  private readonly partsByHost = new Map<string, HostPart[]>();
  private readonly clients: VipClientRun[] = [];
  private stopped = false;

  private constructor(
    readonly layout: HostsLayout,
    readonly network: HostNetwork,
    readonly customer: string,
    readonly work: string,
    private readonly opts: HostsSandboxOptions,
  ) {}

  /** The sandbox of the customer's processes (once started). */
  sb!: SandboxHandle;
  /** The entry's TLS port and server name; clients use the VIP. */
  entryPort = 0;
  servername = "";

  get vip(): string {
    return this.layout.balancer.virtualIp;
  }

  get log(): (line: string) => void {
    return this.opts.log ?? (() => undefined);
  }

  static async start(opts: HostsSandboxOptions): Promise<HostsSandbox> {
    const { file, cfg, hosts, balancer, arbitrator } = haStackOnHosts(opts.stackFile);
    for (const p of ["ip", "iptables", "keepalived", "haproxy"])
      if (!findExecutable(p)) throw new Error(`${p} is not installed (Debian packages iproute2, iptables, keepalived, haproxy)`);
    const layout = hostsLayout({
      customer: cfg.customer,
      lines: cfg.lines,
      databaseNodes: editionFacts("high-availability").database.nodes,
      hosts,
      arbitrator: arbitratorOf(arbitrator, opts.arbitrator, file.path),
      balancer,
      tag: opts.tag,
    });
    const network = new HostNetwork(hostNetworkSpec(layout));
    network.down(); // what a killed earlier run of this prefix left (its bridge would route the network checked below)
    const routed = routedAlready(layout.bridgeAddress);
    if (routed)
      throw new InputError(`lchost:hosts: this machine already routes the hosts' network (${routed}); give the stack hosts on a network of their own`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `lchost-${opts.tag}-`));
    const hs = new HostsSandbox(layout, network, cfg.customer, work, opts);
    try {
      hs.network.up();
      hs.log(
        `hosts: ${layout.hosts.map((h) => `${h.name} (${h.address}, namespace ${h.netns})`).join(", ")}; VIP ${layout.balancer.virtualIp} on bridge ${layout.bridge}`,
      );
      await hs.startParts(singleEnginePlanFile(file.path, work));
      return hs;
    } catch (e) {
      await hs.stop();
      throw e;
    }
  }

  private addPart(host: string, part: HostPart): void {
    const list = this.partsByHost.get(host) ?? [];
    if (!list.some((p) => p.name === part.name)) list.push(part);
    this.partsByHost.set(host, list);
  }

  private async startParts(stackFile: string): Promise<void> {
    const names = customerNames(this.customer);
    const nodes = editionFacts("high-availability").database.nodes;
    const exporters = Array.from({ length: nodes }, (_, i) => `${names.dbHost(i + 1)}-exporter`);
    const skip = [names.gateway, ...exporters, ...(this.layout.arbitrator ? [this.layout.arbitrator.replaces] : [])];
    const kindOf = (role: string | undefined): HostPart["kind"] => (role === "database" || role === "fsb" || role === "license-central" ? role : "other");
    this.sb = await startSandbox({
      stackFiles: [stackFile],
      name: this.opts.name ?? `${this.opts.tag}-${this.customer}`,
      dir: this.opts.dir,
      readyTimeoutMs: this.opts.readyTimeoutMs ?? 180_000,
      serviceLogLevel: this.opts.serviceLogLevel,
      removeOnStop: this.opts.removeOnStop,
      // the pair runs the entry (below); the exporters are not part of the customer's service
      skipProcesses: skip,
      placeContainer: (c) => {
        if (exporters.includes(c.name) || c.name === names.gateway) return undefined;
        const host = hostOfContainer(this.layout, this.customer, c);
        if (host === undefined) return undefined;
        const h = this.layout.hosts.find((x) => x.name === host)!;
        const address = this.layout.pool.take(c.name);
        this.network.addAddress(host, address);
        // the Galera node garbd replaces keeps its address: garbd listens there, the nodes' gcomm lists name it
        if (!skip.includes(c.name)) this.addPart(host, { name: c.name, kind: kindOf(c.role) });
        // a line's database: the data node the program gives it on hosts (never the node garbd replaces)
        const env = plannedEnvOnHosts(this.layout, this.customer, c);
        return { address, netns: h.netns, ...(env ? { env } : {}) };
      },
      log: (l) => this.log(`sandbox: ${l}`),
    });
    if (this.layout.arbitrator) await this.startGarbd();
    await this.startPair();
  }

  private inNamespace(spec: SandboxProcessSpec, host: string): SandboxProcessSpec {
    const x = this.network.execArgs(host, spec.command, spec.args);
    return { ...spec, command: x.command, args: x.args };
  }

  private processAddress(name: string): string {
    return this.sb.process(name).address;
  }

  private async startGarbd(): Promise<void> {
    const a = this.layout.arbitrator!;
    const names = customerNames(this.customer);
    const members = this.layout.parts.databaseNodes.map((_, i) => `${this.processAddress(names.dbHost(i + 1))}:4567`);
    const spec = garbdProcessSpec(
      {
        name: "garbd",
        clusterName: galeraClusterName(this.customer),
        members,
        // listen where the replaced node was planned (that address is on the arbitrator's host): the data nodes'
        // cluster address lists it
        address: this.processAddress(a.replaces),
        dir: this.work,
        pathEnv: PATH_ENV,
      },
      this.customer,
    );
    this.garbd = new LocalProcess(this.inNamespace(spec, a.host), this.work, () => undefined);
    this.garbd.start();
    this.addPart(a.host, { name: "garbd", kind: "garbd" });
    await this.waitFor(
      () => this.galera(names.dbHost(1)).size === nodesWithGarbd(this.layout),
      60_000,
      () => `garbd did not join: ${this.garbd!.tail(10)}`,
    );
    this.log(`galera: garbd on ${a.host} joined (cluster size ${nodesWithGarbd(this.layout)})`);
  }

  private async startPair(): Promise<void> {
    const names = customerNames(this.customer);
    const gatewayDir = path.join(this.sb.dir, names.gateway);
    const cfgFile = path.join(gatewayDir, "usr", "local", "etc", "haproxy", "haproxy.cfg");
    const translated = fs.readFileSync(cfgFile, "utf8");
    const binds = haproxyBinds(translated);
    const monitorPort = binds.find((b) => b.frontend === "monitor")?.port;
    const entry = this.sb.endpoints[this.customer].gateway;
    if (!monitorPort || !entry) throw new Error(`${cfgFile}: the entry point has no monitor frontend or TLS entry`);
    this.entryPort = entry.port;
    this.servername = entry.host;
    const [first, second] = this.layout.parts.balancers;
    const checkScriptPath = path.join(this.work, "check-haproxy.sh");
    const addresses = [first, second].map((h) => this.layout.hosts.find((x) => x.name === h)!.address);
    const files = renderKeepalivedPair({
      customer: this.customer,
      nodes: [
        { name: first, address: addresses[0] },
        { name: second, address: addresses[1] },
      ],
      balancer: this.layout.balancer,
      haproxyMonitor: { port: monitorPort, path: ENTRY_MONITOR_PATH },
      checkScriptPath,
    });
    fs.writeFileSync(checkScriptPath, files[0].checkScript, { mode: 0o755 });
    const haproxy = findExecutable("haproxy")!;
    const keepalived = findExecutable("keepalived")!;
    for (const [i, host] of [first, second].entries()) {
      const dir = path.join(this.work, `balancer-${host}`);
      fs.mkdirSync(dir, { mode: 0o700 });
      const address = this.layout.pool.take(`HAProxy on ${host}`);
      this.network.addAddress(host, address);
      const adminSocket = path.join(dir, "admin.sock");
      fs.writeFileSync(path.join(dir, "haproxy.cfg"), balancerNodeConfig(translated, { address, virtualIp: this.vip, adminSocket }), { mode: 0o600 });
      fs.writeFileSync(path.join(dir, "keepalived.conf"), files[i].keepalivedConf, { mode: 0o600 });
      for (const rule of files[i].firewallRules) {
        const x = this.network.execArgs(host, "iptables", rule);
        const r = spawnSync(x.command, x.args, { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`firewall rule on ${host} (iptables ${rule.join(" ")}): ${r.stderr}`);
      }
      const base = { stack: this.customer, dir, env: { PATH: PATH_ENV }, files: [], oneShot: false };
      const p = (f: string) => path.join(dir, f);
      const node: BalancerNode = {
        host,
        address,
        dir,
        adminSocket,
        haproxy: new LocalProcess(
          this.inNamespace(
            { ...base, name: `haproxy-${host}`, role: "https-entry-point", address, command: haproxy, args: ["-db", "-f", p("haproxy.cfg")], ports: [] },
            host,
          ),
          dir,
          () => undefined,
        ),
        keepalived: new LocalProcess(
          this.inNamespace(
            {
              ...base,
              name: `keepalived-${host}`,
              role: "https-entry-point",
              address,
              command: keepalived,
              args: ["-n", "-l", "-D", "-P", "-f", p("keepalived.conf"), "-p", p("keepalived.pid"), "-r", p("vrrp.pid")],
              ports: [],
            },
            host,
          ),
          dir,
          () => undefined,
        ),
      };
      this.nodes.push(node);
      this.addPart(host, { name: `haproxy-${host}`, kind: "haproxy" });
      this.addPart(host, { name: `keepalived-${host}`, kind: "keepalived" });
      node.haproxy.start();
    }
    for (const n of this.nodes)
      await this.waitFor(
        () => this.monitorAnswers(n.host),
        30_000,
        () => `HAProxy on ${n.host}: ${n.haproxy.tail(10)}`,
      );
    // the first host first: both BACKUP with nopreempt, the first election goes to the higher priority
    this.nodes[0].keepalived.start();
    await this.waitFor(
      () => this.holders().length === 1,
      20_000,
      () => `keepalived on ${first}: ${this.nodes[0].keepalived.tail(10)}`,
    );
    this.nodes[1].keepalived.start();
    await this.waitFor(
      () => this.holders().join() === first,
      10_000,
      () => `the VIP on ${first} only (holders: ${this.holders().join(",")})`,
    );
    this.log(`balancer pair: HAProxy + keepalived on ${first} and ${second}; VIP ${this.vip} on ${first}`);
  }

  private node(host: string): BalancerNode {
    const n = this.nodes.find((x) => x.host === host);
    if (!n) throw new Error(`${host} is not a balancer host (${this.nodes.map((x) => x.host).join(", ")})`);
    return n;
  }

  /** keepalived's own check, run in the node's namespace: does HAProxy there answer its monitor URI? */
  monitorAnswers(host: string): boolean {
    const x = this.network.execArgs(host, "bash", [path.join(this.work, "check-haproxy.sh")]);
    return spawnSync(x.command, x.args, { stdio: "ignore", timeout: 3000 }).status === 0;
  }

  /** The balancer hosts holding the VIP now. */
  holders(): string[] {
    return this.nodes.filter((n) => this.network.holds(n.host, this.vip)).map((n) => n.host);
  }

  /** The ms until `host` holds the VIP (polled every 10 ms); throws after `withinMs`. */
  async waitForVip(host: string, withinMs: number): Promise<number> {
    const t = Date.now();
    await this.waitFor(
      () => this.network.holds(host, this.vip),
      withinMs,
      () => `the VIP on ${host} (holders: ${this.holders().join(",") || "none"})`,
      10,
    );
    return Date.now() - t;
  }

  hosts(): string[] {
    return this.layout.hosts.map((h) => h.name);
  }

  partsOn(host: string): HostPart[] {
    return [...(this.partsByHost.get(host) ?? [])];
  }

  /** kill -9 of HAProxy on a balancer host. */
  killHaproxy(host: string): void {
    this.node(host).haproxy.kill("SIGKILL");
  }

  async startHaproxy(host: string): Promise<void> {
    const n = this.node(host);
    if (!n.haproxy.running) n.haproxy.start();
    await this.waitFor(
      () => this.monitorAnswers(host),
      30_000,
      () => `HAProxy on ${host}: ${n.haproxy.tail(10)}`,
    );
  }

  /** A whole host dies: its link down, every process in it SIGKILLed. Returns how many processes it ran. */
  killHost(host: string): number {
    return this.network.killHost(host);
  }

  /**
   * The host comes back: link up, its parts started again in role order, each waited for (a Galera node until
   * it is Synced), keepalived last. Throws when a part does not come back within the sandbox's ready timeout.
   */
  async restoreHost(host: string, opts: { waitForDatabases?: boolean; kinds?: HostPart["kind"][] } = {}): Promise<void> {
    this.network.dropAddress(host, this.vip); // a dead host boots without the VIP its killed keepalived left
    this.network.setLink(host, true);
    const parts = this.partsOn(host).filter((p) => !opts.kinds || opts.kinds.includes(p.kind));
    const of = (kind: HostPart["kind"]) => parts.filter((p) => p.kind === kind);
    for (const p of of("database")) {
      // a node that cannot join (no primary component left) would hold the restore up to the ready timeout
      if (opts.waitForDatabases === false) void this.sb.restart(p.name).catch((e) => this.log(`${p.name}: ${(e as Error).message.split("\n")[0]}`));
      else await this.sb.restart(p.name);
    }
    if (of("garbd").length && this.garbd && !this.garbd.running) this.garbd.start();
    await Promise.all(of("fsb").map((p) => this.sb.restart(p.name)));
    await Promise.all(of("license-central").map((p) => this.sb.restart(p.name)));
    for (const p of of("haproxy")) await this.startHaproxy(p.name.replace(/^haproxy-/, ""));
    for (const p of of("keepalived")) this.node(p.name.replace(/^keepalived-/, "")).keepalived.start();
    // one-shot SQL jobs ("other") ran when the sandbox started; they are not run again
  }

  /** kill -9 of one part (a line, an FSB, a Galera node) by its process name. */
  killPart(name: string): void {
    this.sb.kill(name, "SIGKILL");
  }

  async restorePart(name: string): Promise<void> {
    await this.sb.restart(name);
  }

  /** `show stat` of a balancer node's HAProxy: backend/server -> status. */
  async serverStates(host: string): Promise<Record<string, string>> {
    return parseShowStat(await haproxyAdminCommand(this.node(host).adminSocket, "show stat"));
  }

  haproxyCommand(host: string, command: string): Promise<string> {
    return haproxyAdminCommand(this.node(host).adminSocket, command);
  }

  /** wsrep status of a Galera node (as root over its socket); `size` 0 when it does not answer. */
  galera(node: string): { status: string; state: string; size: number; ready: boolean } {
    try {
      const rows = this.sb.sqlAsRoot(
        node,
        "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_local_state_comment','wsrep_cluster_size','wsrep_ready')",
      );
      const v = Object.fromEntries(
        rows
          .trim()
          .split("\n")
          .map((l) => l.split("\t")),
      );
      return {
        status: v.wsrep_cluster_status ?? "?",
        state: v.wsrep_local_state_comment ?? "?",
        size: Number(v.wsrep_cluster_size ?? 0),
        ready: v.wsrep_ready === "ON",
      };
    } catch (e) {
      return { status: `unreachable: ${(e as Error).message.split("\n")[0]}`, state: "?", size: 0, ready: false };
    }
  }

  /** One write on a node (a probe table in the customer's schema): true when committed, false when refused. */
  tryWrite(node: string, label: string): { ok: boolean; error?: string } {
    const db = this.sb.credentials[this.customer].database!.name;
    if (!/^[A-Za-z0-9_]+$/.test(db) || !/^[A-Za-z0-9_.-]{1,60}$/.test(label)) throw new Error("tryWrite: unexpected schema or label");
    try {
      this.sb.sqlAsRoot(
        node,
        `CREATE TABLE IF NOT EXISTS ${db}.hosts_write_probe (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(64) NOT NULL, at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)); INSERT INTO ${db}.hosts_write_probe (label) VALUES ('${label}')`,
      );
      return { ok: true };
    } catch (e) {
      const lines = (e as Error).message.split("\n");
      return { ok: false, error: lines.find((l) => /^ERROR/.test(l.trim())) ?? lines[0] };
    }
  }

  /** Labels of the probe writes a node holds. */
  probeLabels(node: string): string[] {
    const db = this.sb.credentials[this.customer].database!.name;
    return this.sb.sqlAsRoot(node, `SELECT label FROM ${db}.hosts_write_probe ORDER BY id`).trim().split("\n").filter(Boolean);
  }

  /** The Galera data nodes by name (database processes of the sandbox). */
  databaseNodes(): string[] {
    return [...this.partsByHost.values()]
      .flat()
      .filter((p) => p.kind === "database")
      .map((p) => p.name);
  }

  /** A client load through the VIP from the client's namespace. */
  startClient(o: Omit<VipClientOptions, "address" | "port" | "servername" | "caPem">): VipClientRun {
    const run = spawnVipClient(
      this.layout.client.netns,
      { ...o, address: this.vip, port: this.entryPort, servername: this.servername, caPem: fs.readFileSync(this.sb.tls.caCert, "utf8") },
      path.join(this.work, `client-${this.clients.length + 1}.log`),
    );
    this.clients.push(run);
    return run;
  }

  /**
   * Asks the database (a node that answers) about the activations the client was acknowledged: how many are not
   * stored as active (lost), and how many tickets of the load hold more than one activation (double).
   */
  checkActivations(
    acknowledged: Array<{ ticket: string; idempotencyKey: string }>,
    tickets: string[],
  ): { checked: number; lost: number; double: number; node: string } {
    const db = this.sb.credentials[this.customer].database!.name;
    const node = this.databaseNodes().find((n) => this.galera(n).ready);
    if (!node) throw new Error("checkActivations: no Galera node is ready to answer");
    const quote = (s: string) => {
      if (!/^[A-Za-z0-9-]+$/.test(s)) throw new Error("checkActivations: unexpected characters in a key or ticket");
      return `'${s}'`;
    };
    let lost = 0;
    for (let i = 0; i < acknowledged.length; i += 500) {
      const chunk = acknowledged.slice(i, i + 500);
      const rows = this.sb
        .sqlAsRoot(
          node,
          `SELECT idempotency_key, ticket FROM ${db}.lc_activations WHERE status = 'active' AND idempotency_key IN (${chunk.map((a) => quote(a.idempotencyKey)).join(",")})`,
        )
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t"));
      const stored = new Map(rows.map(([k, t]) => [k, t]));
      lost += chunk.filter((a) => stored.get(a.idempotencyKey) !== a.ticket).length;
    }
    let double = 0;
    for (let i = 0; i < tickets.length; i += 500) {
      const chunk = tickets.slice(i, i + 500);
      const rows = this.sb
        .sqlAsRoot(
          node,
          `SELECT ticket FROM ${db}.lc_activations WHERE status <> 'deactivated' AND ticket IN (${chunk.map(quote).join(",")}) GROUP BY ticket HAVING COUNT(*) > 1`,
        )
        .trim();
      double += rows ? rows.split("\n").length : 0;
    }
    return { checked: acknowledged.length, lost, double, node };
  }

  private async waitFor(ok: () => boolean, withinMs: number, what: () => string, everyMs = 100): Promise<void> {
    const until = Date.now() + withinMs;
    while (!ok()) {
      if (Date.now() > until) throw new Error(`not within ${withinMs} ms: ${what()}`);
      await sleep(everyMs);
    }
  }

  /** Stops the clients, the pair, garbd and the sandbox; removes the namespaces, the bridge and the working folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.clients) c.stop();
    await Promise.all(this.clients.map((c) => c.done.catch(() => undefined)));
    await Promise.all(this.nodes.map((n) => n.keepalived.stop(5000)));
    await Promise.all(this.nodes.map((n) => n.haproxy.stop(5000)));
    await this.garbd?.stop(5000);
    await this.sb?.stop().catch((e) => this.log(`sandbox stop: ${(e as Error).message}`));
    // anything left in a namespace (a process the sandbox does not know) goes with it
    for (const h of this.layout.hosts) this.network.killProcesses(h.name);
    this.network.killProcesses(this.layout.client.name);
    this.network.down();
    if (process.env.LCHOST_KEEP_LOGS) this.log(`logs kept in ${this.work}`);
    else fs.rmSync(this.work, { recursive: true, force: true });
  }
}

/** Galera members with garbd: the data nodes plus the arbitrator. */
function nodesWithGarbd(layout: HostsLayout): number {
  return layout.parts.databaseNodes.length + (layout.arbitrator ? 1 : 0);
}
