/**
 * The High Availability balancer pair for real, between network namespaces (issue 11 item 2): a Linux bridge,
 * two namespaces as the two balancer hosts (each `eth0` on the bridge with the host's address) and a client
 * namespace. In each balancer host: a stub License Central line (HTTP, answers /readyz and everything else
 * with its name), HAProxy with the HA customer's haproxy.cfg from the real renderer (renderHaproxyConfig:
 * TLS entry, both lines as backends over the hosts' addresses, the monitor URI on 127.0.0.1) and keepalived
 * with the real rendered keepalived.conf, check script and VRRP firewall rules (renderKeepalivedPair).
 * The client namespace reaches the customer only through the virtual IP.
 *
 * Used by test/e2e/balancerPair.test.ts (the proof) and bench/vipTakeover.ts (bench:ha's VIP figures). Names:
 * `vr<tag>…` for the bridge, namespaces and veths; addresses `<subnet>.x` (10.241.x.x is used nowhere else).
 * The network (bridge, namespaces, links, the Docker forward rule, killing a host) is sandbox/hosts/hostNetwork.ts,
 * the one module the sandbox's hosts use too. stop() removes everything, also after a failed start.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_HEALTH, renderHaproxyConfig } from "../haproxy/renderConfig";
import { BalancerSettings, balancerSettings } from "../model/balancerPair";
import { editionFacts } from "../model/catalog";
import { KeepalivedNodeFiles, renderKeepalivedPair } from "../keepalived/renderKeepalived";
import { HostNetwork } from "../sandbox/hosts/hostNetwork";
import { issueCertificate, makeCertificateAuthority } from "../sandbox/sandboxCertificates";

export const VIP_LAB_SERVERNAME = "wayne.lchost.test";
const ENTRY_PORT = 8443;
const MONITOR_PORT = 8404;
const LINE_PORT = 47080;

export interface VipLabOptions {
  /** One lower-case letter or digit: names are vr<tag>br, vr<tag>-h1, … so a test and a bench do not meet. */
  tag: string;
  /** The first three octets of the lab's /24, e.g. "10.241.1". */
  subnet: string;
  /** Working folder (certificates, configs, logs); removed by stop(). */
  dir: string;
  advertIntervalMs?: number;
}

export interface ClientResult {
  /** When the request started (ms since epoch) and how long it took. */
  t: number;
  ms: number;
  status?: number;
  /** The line that answered. */
  line?: string;
  error?: string;
}

/** A bounded request loop from the client namespace against the VIP: one new TLS connection per request. */
export interface ClientLoop {
  results: ClientResult[];
  done: Promise<ClientResult[]>;
}

interface Node {
  name: string;
  ns: string;
  address: string;
  hostVeth: string;
  files: KeepalivedNodeFiles;
  dir: string;
  line?: ChildProcess;
  haproxy?: ChildProcess;
  keepalived?: ChildProcess;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const LINE_SCRIPT = `
const http = require("http");
const [name, address, port] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  req.resume();
  res.setHeader("content-type", "text/plain");
  res.end(req.url === "/readyz" ? "ready" : name);
});
server.requestTimeout = 10000; server.headersTimeout = 5000; server.keepAliveTimeout = 5000;
server.listen(Number(port), address);
`;

const CLIENT_SCRIPT = `
const https = require("https");
const fs = require("fs");
const [vip, port, servername, caFile, durationMs, intervalMs] = process.argv.slice(1);
const ca = fs.readFileSync(caFile);
const end = Date.now() + Number(durationMs);
const once = () => new Promise((resolve) => {
  const t = Date.now();
  const req = https.request({ host: vip, port: Number(port), path: "/", servername, ca, agent: false, timeout: 1000, headers: { host: servername } }, (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (d) => (body += d));
    res.on("end", () => resolve({ t, ms: Date.now() - t, status: res.statusCode, line: body.slice(0, 40) }));
    res.on("error", (e) => resolve({ t, ms: Date.now() - t, error: e.code || e.message }));
  });
  req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
  req.on("error", (e) => resolve({ t, ms: Date.now() - t, error: e.code || e.message }));
  req.end();
});
(async () => {
  while (Date.now() < end) {
    const r = await once();
    process.stdout.write(JSON.stringify(r) + "\\n");
    const wait = Number(intervalMs) - (Date.now() - r.t);
    if (wait > 0) await new Promise((w) => setTimeout(w, wait));
  }
})();
`;

export class VipLab {
  readonly bridge: string;
  readonly clientNs: string;
  readonly clientAddress: string;
  readonly nodes: [Node, Node];
  readonly balancer: BalancerSettings;
  readonly caCert: string;
  readonly network: HostNetwork;
  private clients: ChildProcess[] = [];

  private constructor(
    readonly opts: VipLabOptions,
    caCert: string,
  ) {
    const t = opts.tag;
    this.bridge = `vr${t}br`;
    this.clientNs = `vr${t}-cl`;
    this.clientAddress = `${opts.subnet}.50`;
    this.caCert = caCert;
    this.balancer = balancerSettings({ virtualIp: `${opts.subnet}.100`, advertIntervalMs: opts.advertIntervalMs });
    const hosts = [1, 2].map((i) => ({ name: `h${i}`, address: `${opts.subnet}.1${i}` }));
    const files = renderKeepalivedPair({
      customer: "wayne",
      nodes: [hosts[0], hosts[1]],
      balancer: this.balancer,
      haproxyMonitor: { port: MONITOR_PORT, path: "/haproxy-health" },
      checkScriptPath: path.join(opts.dir, "check-haproxy.sh"),
    });
    this.nodes = [0, 1].map((i) => ({
      name: hosts[i].name,
      ns: `vr${t}-${hosts[i].name}`,
      address: hosts[i].address,
      hostVeth: `vr${t}${hosts[i].name}`,
      files: files[i],
      dir: path.join(opts.dir, hosts[i].name),
    })) as [Node, Node];
    this.network = new HostNetwork({
      bridge: this.bridge,
      prefixLength: 24,
      hosts: [
        ...this.nodes.map((n) => ({ name: n.name, netns: n.ns, veth: n.hostVeth, addresses: [n.address] })),
        { name: "client", netns: this.clientNs, veth: `vr${t}cl`, addresses: [this.clientAddress] },
      ],
    });
  }

  /** Builds the network and starts every process; throws (after cleaning up) when the pair does not come up. */
  static async start(opts: VipLabOptions): Promise<VipLab> {
    if (!/^[a-z0-9]$/.test(opts.tag)) throw new Error(`tag: ${JSON.stringify(opts.tag)} is not one lower-case letter or digit`);
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const ca = makeCertificateAuthority(opts.dir, "ca", "vip lab CA");
    const lab = new VipLab(opts, ca.cert);
    try {
      lab.network.up(); // removes a crashed run's leftovers first
      const server = issueCertificate(opts.dir, "server", ca, {
        commonName: VIP_LAB_SERVERNAME,
        dnsNames: [VIP_LAB_SERVERNAME],
        ipAddresses: [lab.balancer.virtualIp],
        usage: "server",
      });
      const pem = path.join(opts.dir, "server.pem");
      fs.writeFileSync(pem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
      fs.writeFileSync(path.join(opts.dir, "check-haproxy.sh"), lab.nodes[0].files.checkScript, { mode: 0o755 });
      for (const n of lab.nodes) {
        fs.mkdirSync(n.dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(n.dir, "haproxy.cfg"), lab.haproxyConfig(pem, n), { mode: 0o600 });
        fs.writeFileSync(path.join(n.dir, "keepalived.conf"), n.files.keepalivedConf, { mode: 0o600 });
        for (const rule of n.files.firewallRules) run("ip", ["netns", "exec", n.ns, "iptables", ...rule]);
        n.line = lab.spawnIn(n, "line", process.execPath, ["-e", LINE_SCRIPT, n.name, n.address, String(LINE_PORT)]);
        lab.startHaproxy(n);
      }
      for (const n of lab.nodes) await lab.waitFor(() => lab.monitorAnswers(n), 20_000, `HAProxy on ${n.name} answering its monitor URI`);
      // the first host starts first: with both BACKUP and nopreempt, the higher priority wins the first election
      for (const n of lab.nodes) {
        lab.startKeepalived(n);
        if (n === lab.nodes[0]) await lab.waitFor(() => lab.holders().length === 1, 20_000, "the first node holding the VIP");
      }
      await lab.waitFor(() => lab.holders().join() === lab.nodes[0].name, 10_000, `the VIP on ${lab.nodes[0].name} only`);
      return lab;
    } catch (e) {
      await lab.stop();
      throw e;
    }
  }

  /** The HA customer's haproxy.cfg as renderHaproxyConfig renders it, with the lab's two stub lines. */
  private haproxyConfig(pem: string, n: Node): string {
    return renderHaproxyConfig({
      bind: { address: "*", port: ENTRY_PORT },
      certificatePath: pem,
      webServices: false,
      backends: [
        {
          name: "license_central",
          servers: this.nodes.map((m, i) => ({ name: `line${i + 1}`, address: m.address, port: LINE_PORT })),
          balancing: { algorithm: "roundrobin" },
        },
      ],
      health: DEFAULT_HEALTH,
      adminSocketPath: path.join(n.dir, "admin.sock"),
      monitorPort: MONITOR_PORT,
      limits: editionFacts("high-availability").gateway,
    });
  }

  private spawnIn(n: { ns: string; dir: string }, what: string, cmd: string, args: string[]): ChildProcess {
    const log = fs.openSync(path.join(n.dir, `${what}.log`), "a");
    // `ip netns exec` execs the command: the child's pid is the process itself
    const child = spawn("ip", ["netns", "exec", n.ns, cmd, ...args], { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    child.on("error", () => undefined);
    return child;
  }

  startHaproxy(n: Node): void {
    n.haproxy = this.spawnIn(n, "haproxy", "haproxy", ["-db", "-f", path.join(n.dir, "haproxy.cfg")]);
  }

  private startKeepalived(n: Node): void {
    const p = (f: string) => path.join(n.dir, f);
    n.keepalived = this.spawnIn(n, "keepalived", "keepalived", [
      "-n",
      "-l",
      "-D",
      "-P",
      "-f",
      p("keepalived.conf"),
      "-p",
      p("keepalived.pid"),
      "-r",
      p("vrrp.pid"),
    ]);
  }

  /** kill -9 of a node's HAProxy. */
  killHaproxy(i: 0 | 1): void {
    this.nodes[i].haproxy?.kill("SIGKILL");
  }

  /** A whole host dies: every process in its namespace gets SIGKILL at once (keepalived sends no goodbye) and its link goes down. */
  killHost(i: 0 | 1): void {
    // the link first, so nothing leaves the host after this instant; then every process in the namespace,
    // keepalived's VRRP child too (killed alone, its parent's death makes it send a priority-0 goodbye that
    // a dead host never sends)
    this.network.killHost(this.nodes[i].name);
  }

  /** The host comes back: link up, its line, HAProxy and keepalived started again (keepalived once HAProxy answers). */
  async restoreHost(i: 0 | 1): Promise<void> {
    const n = this.nodes[i];
    // a host that was down boots without the VIP; the killed keepalived could not remove it
    this.network.dropAddress(n.name, this.balancer.virtualIp);
    this.setLink(i, true);
    n.line = this.spawnIn(n, "line", process.execPath, ["-e", LINE_SCRIPT, n.name, n.address, String(LINE_PORT)]);
    this.startHaproxy(n);
    await this.waitFor(() => this.monitorAnswers(n), 20_000, `HAProxy on ${n.name} answering its monitor URI`);
    this.startKeepalived(n);
  }

  /**
   * A rogue VRRP speaker in the client namespace: same virtual router id, priority 254, unicast adverts to both
   * nodes, no authentication — what a neighbour on the hosts' network could send. Each node's firewall rules and
   * check_unicast_src must drop its adverts (were they heard, the nodes would give way to its higher priority).
   */
  startRogue(): ChildProcess {
    const dir = path.join(this.opts.dir, "rogue");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const conf = [
      "vrrp_instance rogue {",
      "  version 3",
      "  state MASTER",
      "  interface eth0",
      `  virtual_router_id ${this.balancer.vrrpRouterId}`,
      "  priority 254",
      `  advert_int ${(this.balancer.advertIntervalMs / 1000).toFixed(2)}`,
      `  unicast_src_ip ${this.clientAddress}`,
      `  unicast_peer {\n    ${this.nodes[0].address}\n    ${this.nodes[1].address}\n  }`,
      "  virtual_ipaddress {",
      `    ${this.balancer.virtualIp}/${this.balancer.prefixLength} dev eth0`,
      "  }",
      "}",
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "keepalived.conf"), conf, { mode: 0o600 });
    const p = (f: string) => path.join(dir, f);
    const child = this.spawnIn({ ns: this.clientNs, dir }, "keepalived", "keepalived", [
      "-n",
      "-l",
      "-D",
      "-P",
      "-f",
      p("keepalived.conf"),
      "-p",
      p("keepalived.pid"),
      "-r",
      p("vrrp.pid"),
    ]);
    this.clients.push(child);
    return child;
  }

  /** Lines of a node's keepalived log (to see what it received). */
  keepalivedLog(i: 0 | 1): string {
    return fs.readFileSync(path.join(this.nodes[i].dir, "keepalived.log"), "utf8");
  }

  /** The node's link on the bridge goes down (its processes keep running, cut off) or up again. */
  setLink(i: 0 | 1, up: boolean): void {
    this.network.setLink(this.nodes[i].name, up);
  }

  /** Whether the node's eth0 holds the VIP right now (`ip -n <ns> addr`). */
  holds(name: string): boolean {
    if (!this.nodes.some((m) => m.name === name)) throw new Error(`no node ${name}`);
    return this.network.holds(name, this.balancer.virtualIp);
  }

  /** The nodes whose eth0 holds the VIP right now. */
  holders(): string[] {
    return this.nodes.filter((n) => this.holds(n.name)).map((n) => n.name);
  }

  /** Polls one node until it holds the VIP (one `ip` per poll: less lag than holders() on a loaded machine); the ms it took. */
  async waitForHolder(name: string, withinMs: number): Promise<number> {
    const started = Date.now();
    await this.waitFor(() => this.holds(name), withinMs, `the VIP on ${name}`, 10);
    return Date.now() - started;
  }

  /** Polls holders() every 20 ms until `want` holds; the ms it took, or throws after `withinMs`. */
  async waitForHolders(want: (holders: string[]) => boolean, withinMs: number, what: string): Promise<number> {
    const started = Date.now();
    await this.waitFor(() => want(this.holders()), withinMs, what, 20);
    return Date.now() - started;
  }

  private monitorAnswers(n: Node): boolean {
    return spawnSync("ip", ["netns", "exec", n.ns, "bash", path.join(this.opts.dir, "check-haproxy.sh")], { stdio: "ignore", timeout: 3000 }).status === 0;
  }

  private async waitFor(ok: () => boolean, withinMs: number, what: string, everyMs = 50): Promise<void> {
    const until = Date.now() + withinMs;
    while (!ok()) {
      if (Date.now() > until) throw new Error(`${what}: not within ${withinMs} ms (holders: ${this.holders().join(",") || "none"}); logs in ${this.opts.dir}`);
      await sleep(everyMs);
    }
  }

  /** Starts a request loop in the client namespace: one HTTPS GET / to the VIP every `intervalMs` for `durationMs`. */
  startClient(durationMs: number, intervalMs = 50): ClientLoop {
    const results: ClientResult[] = [];
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        this.clientNs,
        process.execPath,
        "-e",
        CLIENT_SCRIPT,
        this.balancer.virtualIp,
        String(ENTRY_PORT),
        VIP_LAB_SERVERNAME,
        this.caCert,
        String(durationMs),
        String(intervalMs),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.clients.push(child);
    let buffer = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        results.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const done = new Promise<ClientResult[]>((resolve, reject) =>
      child.on("exit", (code) => (code === 0 ? resolve(results) : reject(new Error(`client loop exited ${code}: ${stderr.slice(-500)}`)))),
    );
    return { results, done };
  }

  /** Waits until the client loop has `n` successes in a row after `since`; the time of the first of them. */
  async servedAgain(loop: ClientLoop, since: number, withinMs: number, n = 3): Promise<number> {
    const until = Date.now() + withinMs;
    for (;;) {
      const after = loop.results.filter((r) => r.t >= since);
      for (let i = 0; i + n <= after.length; i++) if (after.slice(i, i + n).every((r) => r.status === 200)) return after[i].t;
      if (Date.now() > until) throw new Error(`the client was not served again within ${withinMs} ms: ${JSON.stringify(after.slice(-5))}`);
      await sleep(20);
    }
  }

  /** Stops every process, removes namespaces, veths, bridge and the forward rule, and the working folder. */
  async stop(): Promise<void> {
    const children = [...this.clients, ...this.nodes.flatMap((n) => [n.keepalived, n.haproxy, n.line])].filter((c): c is ChildProcess => !!c);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    const until = Date.now() + 5000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < until) await sleep(50);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    this.network.down();
    // VR_KEEP_LOGS=1 keeps the working folder (configs, keepalived and HAProxy logs) for a look afterwards
    if (process.env.VR_KEEP_LOGS) console.error(`vip lab: logs kept in ${this.opts.dir}`);
    else fs.rmSync(this.opts.dir, { recursive: true, force: true });
  }
}
