/**
 * Real Docker engines as the hosts of an HA stack, on this one machine (docs/hosts.md, "Two real engines"): each host
 * is a network namespace `<prefix>-<host>` on a bridge `<prefix>br0` with the host's address(es) on its `eth0`, and a
 * dockerd of its own running in that namespace (`nsenter --net`: only the network is its own, so it shares this
 * machine's cgroups and mounts as the main engine does) with its own data root, exec root, pid file, socket
 * (`unix:///run/<prefix>-<host>.sock`) and address pool. Its containers, published ports, iptables rules and `host`
 * network are those of the namespace: a port published on the host's address is reachable from the other hosts over
 * the bridge, exactly as between two machines, and killing a host is taking its link down and killing its engine.
 *
 * Needs root, dockerd, iproute2 and nsenter; images come from the main engine (`docker save | docker load`).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerEngine } from "../dockerRun/dockerEngine";

export interface LabHost {
  name: string;
  /** The host's addresses on the bridge: the first is the host's own, others stand for hosts that share its engine. */
  addresses: string[];
}

interface RunningHost extends LabHost {
  netns: string;
  veth: string;
  socket: string;
  dockerHost: string;
  execRoot: string;
  dataRoot: string;
  pidFile: string;
  log: string;
  dockerd?: ChildProcess;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
function tryRun(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: "ignore" });
}

export class EngineHostsLab {
  readonly bridge: string;
  readonly bridgeAddress: string;
  readonly hosts: RunningHost[];
  private readonly work: string;
  private forwardRule?: string[];

  constructor(
    readonly prefix: string,
    hosts: LabHost[],
    /** The bridge's own address (this machine's side: readiness checks and the client), a /24. */
    bridgeAddress: string,
    /** Per host, the address pool of its engine's networks: `<base>.<64 × (i + 1)>.0/18`, docker0 on `<base>.<10 + i>.1/24`. */
    private readonly poolBase: string,
  ) {
    this.bridge = `${prefix}br0`;
    this.bridgeAddress = bridgeAddress;
    this.work = fs.mkdtempSync(path.join("/var/tmp", `${prefix}-engines-`));
    this.hosts = hosts.map((h) => ({
      ...h,
      netns: `${prefix}-${h.name}`,
      veth: `${prefix}-${h.name}-v`,
      socket: `/run/${prefix}-${h.name}.sock`,
      dockerHost: `unix:///run/${prefix}-${h.name}.sock`,
      execRoot: `/run/${prefix}-${h.name}`,
      dataRoot: path.join(this.work, `${h.name}-data`),
      pidFile: `/run/${prefix}-${h.name}.pid`,
      log: path.join(this.work, `${h.name}-dockerd.log`),
    }));
  }

  host(name: string): RunningHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host '${name}'`);
    return h;
  }

  engine(name: string): DockerEngine {
    return DockerEngine.forHost(this.host(name).dockerHost);
  }

  /** The bridge, one namespace per host with its addresses, and the forward rule bridged traffic needs while the main dockerd runs. */
  createNetwork(): void {
    run("ip", ["link", "add", this.bridge, "type", "bridge"]);
    run("ip", ["addr", "add", `${this.bridgeAddress}/24`, "dev", this.bridge]);
    run("ip", ["link", "set", this.bridge, "up"]);
    for (const h of this.hosts) {
      run("ip", ["netns", "add", h.netns]);
      run("ip", ["link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.netns]);
      run("ip", ["link", "set", h.veth, "master", this.bridge, "up"]);
      for (const a of h.addresses) run("ip", ["-n", h.netns, "addr", "add", `${a}/24`, "dev", "eth0"]);
      run("ip", ["-n", h.netns, "link", "set", "eth0", "up"]);
      run("ip", ["-n", h.netns, "link", "set", "lo", "up"]);
      run("ip", ["-n", h.netns, "route", "add", "default", "via", this.bridgeAddress]);
    }
    // the main dockerd's FORWARD policy drops bridged traffic (bridge-nf-call-iptables): accept our bridge's own
    const chain = spawnSync("iptables", ["-n", "-L", "DOCKER-USER"], { stdio: "ignore" }).status === 0 ? "DOCKER-USER" : "FORWARD";
    this.forwardRule = [chain, "-i", this.bridge, "-o", this.bridge, "-j", "ACCEPT"];
    run("iptables", ["-I", ...this.forwardRule]);
  }

  /** Starts every host's dockerd in its namespace and waits until each answers. */
  async startEngines(timeoutMs = 90_000): Promise<void> {
    this.hosts.forEach((h, i) => {
      fs.mkdirSync(h.dataRoot, { recursive: true });
      fs.mkdirSync(h.execRoot, { recursive: true });
      const log = fs.openSync(h.log, "a");
      h.dockerd = spawn(
        "nsenter",
        [
          `--net=/run/netns/${h.netns}`,
          "dockerd",
          "--data-root",
          h.dataRoot,
          "--exec-root",
          h.execRoot,
          "--pidfile",
          h.pidFile,
          "-H",
          h.dockerHost,
          "--cgroup-parent",
          `/${h.netns}`,
          "--bip",
          `${this.poolBase}.${10 + i}.1/24`,
          "--default-address-pool",
          `base=${this.poolBase}.${64 * (i + 1)}.0/18,size=24`,
        ],
        { stdio: ["ignore", log, log], detached: true },
      );
      fs.closeSync(log);
      h.dockerd.unref();
    });
    const until = Date.now() + timeoutMs;
    for (const h of this.hosts) {
      for (;;) {
        const r = await this.engine(h.name)
          .request("GET", "/_ping")
          .catch(() => undefined);
        if (r?.status === 200) break;
        if (h.dockerd?.exitCode !== null) throw new Error(`dockerd of ${h.name} exited: ${tail(h.log)}`);
        if (Date.now() > until) throw new Error(`dockerd of ${h.name} does not answer on ${h.socket} after ${timeoutMs} ms: ${tail(h.log)}`);
        await sleep(300);
      }
    }
  }

  /** Copies images from the main engine into the hosts' engines (one `docker save` per host, layers shared). */
  loadImages(imagesByHost: Map<string, string[]>): void {
    for (const [host, images] of imagesByHost) {
      if (images.length === 0) continue;
      const h = this.host(host);
      const r = spawnSync("sh", ["-c", 'docker save "$@" | docker -H "$H" load -q', "sh", ...images], {
        env: { ...process.env, H: h.dockerHost },
        encoding: "utf8",
        timeout: 900_000,
      });
      if (r.status !== 0) throw new Error(`loading ${images.join(", ")} into ${host}: ${r.stderr || r.error?.message}`);
    }
  }

  /**
   * The host lost at once, as at a power cut: its link down (its peers hear nothing more), every container of its
   * engine SIGKILLed, then its dockerd stopped. Answers the containers killed.
   */
  async killHost(name: string): Promise<string[]> {
    const h = this.host(name);
    run("ip", ["link", "set", h.veth, "down"]);
    const engine = this.engine(name);
    const list = (await engine.ok("GET", "/containers/json")) as Array<{ Id: string; Names: string[] }>;
    await Promise.all(list.map((c) => engine.request("POST", `/containers/${c.Id}/kill?signal=SIGKILL`)));
    await this.stopEngine(h);
    return list.map((c) => c.Names[0].replace(/^\//, ""));
  }

  /** Whether `address` is on the host's interface (the VIP's holder). */
  holds(name: string, address: string): boolean {
    return run("ip", ["-n", this.host(name).netns, "-o", "-4", "addr", "show", "dev", "eth0"]).includes(` ${address}/`);
  }

  /**
   * Stops every engine (its containers stop with it), removes their data and exec roots, the namespaces, the bridge
   * and the forward rule. Safe to call after a partial setup and more than once.
   */
  async destroy(): Promise<void> {
    for (const h of this.hosts) {
      const engine = this.engine(h.name);
      const list = (await engine.request("GET", "/containers/json?all=1").catch(() => undefined))?.body as Array<{ Id: string }> | undefined;
      if (Array.isArray(list)) await Promise.all(list.map((c) => engine.request("DELETE", `/containers/${c.Id}?force=1&v=1`).catch(() => undefined)));
      await this.stopEngine(h);
    }
    for (const h of this.hosts) {
      // what a killed engine left mounted under its roots
      const mounts = fs
        .readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .map((l) => l.split(" ")[1])
        .filter((m) => m && (m.startsWith(`${h.dataRoot}/`) || m.startsWith(`${h.execRoot}/`) || m === h.execRoot))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) tryRun("umount", ["-l", m]);
      fs.rmSync(h.execRoot, { recursive: true, force: true });
      fs.rmSync(h.socket, { force: true });
      fs.rmSync(h.pidFile, { force: true });
      tryRun("ip", ["link", "del", h.veth]);
      tryRun("ip", ["netns", "del", h.netns]);
    }
    tryRun("ip", ["link", "del", this.bridge]);
    if (this.forwardRule) tryRun("iptables", ["-D", ...this.forwardRule]);
    this.forwardRule = undefined;
    fs.rmSync(this.work, { recursive: true, force: true });
  }

  /** SIGTERM to the host's dockerd (and its containerd with it), SIGKILL after 30 s. */
  private async stopEngine(h: RunningHost): Promise<void> {
    const pid = h.dockerd?.pid ?? readPid(h.pidFile);
    if (!pid || !alive(pid)) return;
    process.kill(pid, "SIGTERM");
    const until = Date.now() + 30_000;
    while (alive(pid) && Date.now() < until) await sleep(200);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    while (alive(pid)) await sleep(100);
  }

  get workDir(): string {
    return this.work;
  }
}

function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie child counts as gone
    return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-15).join(os.EOL);
  } catch {
    return "(no log)";
  }
}
