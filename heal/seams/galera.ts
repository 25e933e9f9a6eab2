/**
 * The Galera capability of the heal seams (issue 12): what the full-cluster recovery playbook needs to read and
 * start the nodes of one customer's cluster, once per runtime — process control for the sandbox and the real
 * process proofs (`ProcessGaleraControl`), the Docker Engine API for Docker deployments (`DockerGaleraControl`).
 *
 * A playbook finds it as `seams.galera` (heal/playbook.ts: capabilities a runtime lacks stay undefined).
 *
 * Starting a node as founder or joiner prepares its data directory first, the same way on every runtime
 * (`prepareScript`): the saved views (`gvwstate.dat`, and the start script's copy `gvwstate.dat.lchost`) are
 * moved aside on every node, so Galera's pc.recovery does not wait for a member that may be lost; the founder
 * alone gets `safe_to_bootstrap: 1` and the start script's one-time founding marker
 * (HEAL_BOOTSTRAP_MARKER, components/render/mariadbConfig.ts); every joiner gets `safe_to_bootstrap: 0` and
 * no marker, so no node's own start logic founds a second cluster.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HEAL_BOOTSTRAP_MARKER } from "../../components/render/mariadbConfig";
import { DATABASE_PATHS } from "../../components/render/databasePaths";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { dockerExec } from "../../dockerRun/dockerExec";

export interface GaleraNodeStatus {
  /** 1-based node index (node 1 = the `…-db` container). */
  node: number;
  /** The process / container runs (it may still be starting or refusing to). */
  running: boolean;
  /** `wsrep_ready` = ON: the node accepts queries in a primary component. */
  ready: boolean;
  /** `wsrep_cluster_size` as this node sees it, when it answers. */
  clusterSize?: number;
  /** `wsrep_cluster_status` (Primary, non-Primary, Disconnected), when it answers. */
  clusterStatus?: string;
}

export interface GaleraControl {
  /** The node indexes of the customer's cluster (1-based, ascending). */
  nodes(customer: string): Promise<number[]>;
  status(customer: string, node: number): Promise<GaleraNodeStatus>;
  /** Stops the node if it runs (and, on Docker, ends a restart loop): the data is read only when nothing runs. */
  stop(customer: string, node: number): Promise<void>;
  /** The node's grastate.dat as text (throws when it cannot be read). */
  readGrastate(customer: string, node: number): Promise<string>;
  /** Runs `mariadbd --wsrep-recover` on the stopped node's data and returns its log. */
  recover(customer: string, node: number): Promise<string>;
  /** Prepares the data directory (see the module comment) and starts the node as the one founder or as a joiner. */
  start(customer: string, node: number, as: "founder" | "joiner"): Promise<void>;
  /** Runs SQL on the node as its root and returns the tab-separated rows (verification only). */
  query(customer: string, node: number, sql: string): Promise<string>;
}

/** The shell steps that prepare a stopped node's data directory `$1` (POSIX sh; the same text on every runtime). */
export function prepareScript(as: "founder" | "joiner", stamp: string): string {
  if (!/^[0-9A-Za-z-]+$/.test(stamp)) throw new Error(`prepareScript: stamp '${stamp}' may only hold letters, digits and '-'`);
  const safe = as === "founder" ? 1 : 0;
  return [
    "set -eu",
    'D="$1"',
    '[ -f "$D/grastate.dat" ] || { echo "no grastate.dat in $D" >&2; exit 3; }',
    `for f in gvwstate.dat gvwstate.dat.lchost; do if [ -f "$D/$f" ]; then mv "$D/$f" "$D/$f.heal-${stamp}"; fi; done`,
    `if grep -q '^safe_to_bootstrap:' "$D/grastate.dat"; then sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: ${safe}/' "$D/grastate.dat"; else echo 'safe_to_bootstrap: ${safe}' >> "$D/grastate.dat"; fi`,
    as === "founder" ? `touch "$D/${HEAL_BOOTSTRAP_MARKER}"` : `rm -f "$D/${HEAL_BOOTSTRAP_MARKER}"`,
    'chown mysql:mysql "$D/grastate.dat" 2>/dev/null || true',
    "",
  ].join("\n");
}

/** The wsrep status rows (`SHOW GLOBAL STATUS LIKE 'wsrep_%'`, tab-separated) as a node status. */
export function parseWsrepStatus(node: number, running: boolean, rows: string | undefined): GaleraNodeStatus {
  if (rows === undefined) return { node, running, ready: false };
  const v = new Map(
    rows
      .split("\n")
      .map((l) => l.split("\t"))
      .filter((c) => c.length >= 2)
      .map((c) => [c[0].toLowerCase(), c[1].trim()]),
  );
  const size = Number(v.get("wsrep_cluster_size"));
  return {
    node,
    running,
    ready: v.get("wsrep_ready") === "ON",
    clusterSize: Number.isFinite(size) && v.has("wsrep_cluster_size") ? size : undefined,
    clusterStatus: v.get("wsrep_cluster_status"),
  };
}

const WSREP_STATUS_SQL = "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready','wsrep_cluster_size','wsrep_cluster_status')";
/** Galera options --wsrep-recover needs besides the data directory (without a config file: a one-off container has none). */
const RECOVER_ARGS = ["--wsrep-on=ON", "--wsrep-provider=/usr/lib/galera/libgalera_smm.so", "--binlog-format=ROW", "--wsrep-recover"];

// ---------------------------------------------------------------------------------------------------------
// Process control (the sandbox, and the real-process proofs)

/** One Galera node run as a local process tree (its start script, as a container's first process). */
export interface GaleraProcessNode {
  node: number;
  datadir: string;
  /** The rendered my.cnf the node runs with (--wsrep-recover reads it too). */
  configPath: string;
  socket: string;
  running(): boolean;
  /** Starts the node's start script (its data directory already prepared); does not wait. */
  start(): void | Promise<void>;
  /** Stops it (SIGTERM to the start script, SIGKILL after a timeout); resolves when it is gone. */
  stop(): Promise<void>;
}

function mariadbBinary(name: "mariadbd" | "mariadb"): string {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error(`${name} was not found (PATH, /usr/sbin, /usr/bin): install the Debian package mariadb-server`);
}

export class ProcessGaleraControl implements GaleraControl {
  constructor(private readonly clusters: Record<string, GaleraProcessNode[]>) {}

  private cluster(customer: string): GaleraProcessNode[] {
    const c = this.clusters[customer];
    if (!c) throw new Error(`no Galera cluster known for customer '${customer}' (known: ${Object.keys(this.clusters).join(", ") || "none"})`);
    return c;
  }

  private get(customer: string, node: number): GaleraProcessNode {
    const n = this.cluster(customer).find((x) => x.node === node);
    if (!n) throw new Error(`customer '${customer}' has no database node ${node}`);
    return n;
  }

  async nodes(customer: string): Promise<number[]> {
    return this.cluster(customer)
      .map((n) => n.node)
      .sort((a, b) => a - b);
  }

  async status(customer: string, node: number): Promise<GaleraNodeStatus> {
    const n = this.get(customer, node);
    const running = n.running();
    if (!running) return { node, running, ready: false };
    const r = spawnSync(
      mariadbBinary("mariadb"),
      ["--no-defaults", "-uroot", `--socket=${n.socket}`, "--connect-timeout=2", "-N", "-B", "-e", WSREP_STATUS_SQL],
      {
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    return parseWsrepStatus(node, running, r.status === 0 ? r.stdout : undefined);
  }

  async stop(customer: string, node: number): Promise<void> {
    const n = this.get(customer, node);
    if (n.running()) await n.stop();
  }

  async readGrastate(customer: string, node: number): Promise<string> {
    return fs.promises.readFile(path.join(this.get(customer, node).datadir, "grastate.dat"), "utf8");
  }

  async recover(customer: string, node: number): Promise<string> {
    const n = this.get(customer, node);
    if (n.running()) throw new Error(`node ${node} of ${customer} runs: --wsrep-recover only on a stopped node`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-wsrep-recover-"));
    const log = path.join(tmp, "recover.log");
    try {
      fs.chmodSync(tmp, 0o777);
      const r = await runToEnd(
        mariadbBinary("mariadbd"),
        [
          `--defaults-extra-file=${n.configPath}`,
          "--user=mysql",
          `--datadir=${n.datadir}`,
          `--log-error=${log}`,
          `--socket=${path.join(tmp, "recover.sock")}`,
          `--pid-file=${path.join(tmp, "recover.pid")}`,
          "--skip-networking",
          ...RECOVER_ARGS,
        ],
        120_000,
      );
      const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
      if (r.code !== 0) throw new Error(`mariadbd --wsrep-recover on node ${node} exited with ${r.code}: ${(text || r.output).slice(-1500)}`);
      return text + r.output;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  async start(customer: string, node: number, as: "founder" | "joiner"): Promise<void> {
    const n = this.get(customer, node);
    if (n.running()) throw new Error(`node ${node} of ${customer} already runs: not started as ${as}`);
    const r = spawnSync("sh", ["-c", prepareScript(as, stampNow()), "prepare", n.datadir], { encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) throw new Error(`preparing node ${node} of ${customer} as ${as} failed: ${r.stderr || r.error?.message}`);
    await n.start();
  }

  async query(customer: string, node: number, sql: string): Promise<string> {
    const n = this.get(customer, node);
    const r = spawnSync(mariadbBinary("mariadb"), ["--no-defaults", "-uroot", `--socket=${n.socket}`, "--connect-timeout=5", "-N", "-B", "-e", sql], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`SQL on node ${node} of ${customer} failed: ${(r.stderr || r.error?.message || "").trim()}`);
    return r.stdout;
  }
}

function stampNow(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}

function runToEnd(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(t);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/**
 * The Galera nodes of one sandbox stack as process-control nodes: the sandbox runs each node's rendered start
 * script with the container's paths under the process's own directory (sandbox/containerTranslation.ts).
 */
export interface SandboxGaleraProcess {
  name: string;
  /** The container's filesystem root in the sandbox. */
  dir: string;
  socket: string;
  nodeIndex: number;
}

export function sandboxGaleraNodes(
  processes: SandboxGaleraProcess[],
  ops: { running(name: string): boolean; start(name: string): Promise<void>; stop(name: string): Promise<void> },
): GaleraProcessNode[] {
  return processes.map((p) => ({
    node: p.nodeIndex,
    datadir: `${p.dir}${DATABASE_PATHS.datadir}`,
    configPath: `${p.dir}${DATABASE_PATHS.config}`,
    socket: p.socket,
    running: () => ops.running(p.name),
    start: () => ops.start(p.name),
    stop: () => ops.stop(p.name),
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Docker (Engine API)

interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Labels: Record<string, string>;
  Mounts: Array<{ Type: string; Name?: string; Destination: string }>;
}

/** Node index from a database container's name: `…-db` is node 1, `…-db-N` node N (model/naming.ts dbHost). */
export function dbNodeIndex(containerName: string): number | undefined {
  const m = /-db(?:-(\d+))?$/.exec(containerName.replace(/^\//, ""));
  if (!m) return undefined;
  return m[1] ? Number(m[1]) : 1;
}

export class DockerGaleraControl implements GaleraControl {
  constructor(
    private readonly docker = new DockerEngine(),
    /** Only containers of this generation prefix (`lc-<customer>` or `lc-<customer>-gN`); default: the customer's newest. */
    private readonly containerPrefix?: (customer: string) => string,
  ) {}

  private async containers(customer: string): Promise<Map<number, ContainerSummary>> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`lchost.customer=${customer}`, "lchost.role=database"] }));
    const list = await this.docker.ok<ContainerSummary[]>("GET", `/containers/json?all=1&filters=${filters}`);
    const prefix = this.containerPrefix?.(customer);
    const out = new Map<number, ContainerSummary>();
    for (const c of list) {
      const name = c.Names[0].replace(/^\//, "");
      if (prefix && !name.startsWith(`${prefix}-db`)) continue;
      const i = dbNodeIndex(name);
      if (i === undefined) continue;
      if (out.has(i))
        throw new Error(`customer '${customer}' has two database containers for node ${i} (${out.get(i)!.Names[0]}, ${name}): pass the generation prefix`);
      out.set(i, c);
    }
    return out;
  }

  private async get(customer: string, node: number): Promise<ContainerSummary & { name: string; volume: string }> {
    const c = (await this.containers(customer)).get(node);
    if (!c) throw new Error(`customer '${customer}' has no database container for node ${node}`);
    const volume = c.Mounts.find((m) => m.Destination === DATABASE_PATHS.datadir && m.Type === "volume")?.Name;
    if (!volume) throw new Error(`${c.Names[0]}: no volume at ${DATABASE_PATHS.datadir}`);
    return { ...c, name: c.Names[0].replace(/^\//, ""), volume };
  }

  async nodes(customer: string): Promise<number[]> {
    return [...(await this.containers(customer)).keys()].sort((a, b) => a - b);
  }

  async status(customer: string, node: number): Promise<GaleraNodeStatus> {
    const c = await this.get(customer, node);
    const inspect = await this.docker.ok<{ State: { Running: boolean; Restarting: boolean } }>("GET", `/containers/${encodeURIComponent(c.name)}/json`);
    const running = inspect.State.Running && !inspect.State.Restarting;
    if (!running) return { node, running: false, ready: false };
    const rows = await dockerExec(this.docker, c.name, ["mariadb", "-uroot", "--connect-timeout=2", "-N", "-B", "-e", WSREP_STATUS_SQL]).then(
      (r) => r.stdout,
      () => undefined,
    );
    return parseWsrepStatus(node, running, rows);
  }

  async stop(customer: string, node: number): Promise<void> {
    const c = await this.get(customer, node);
    // a stop ends the restart policy's loop until the next explicit start (or engine restart)
    const r = await this.docker.request("POST", `/containers/${encodeURIComponent(c.name)}/stop?t=30`);
    if (r.status !== 204 && r.status !== 304) throw new Error(`docker stop ${c.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async readGrastate(customer: string, node: number): Promise<string> {
    const c = await this.get(customer, node);
    const r = await this.oneOff(c, ["cat", `${DATABASE_PATHS.datadir}/grastate.dat`], ["/bin/sh", "-c", 'exec "$@"', "sh"]);
    if (r.code !== 0) throw new Error(`reading grastate.dat of ${c.name} failed (${r.code}): ${r.log.slice(-500)}`);
    return r.log;
  }

  async recover(customer: string, node: number): Promise<string> {
    const c = await this.get(customer, node);
    if (c.State === "running" || c.State === "restarting") throw new Error(`${c.name} is ${c.State}: --wsrep-recover only on a stopped node`);
    // no socket, pid file or port of the image's defaults (its /run/mysqld is made by the start script, not here);
    // a cluster address because without the node's config mariadbd refuses rsync SST without one (measured on the
    // engine-restart proof: "rsync SST method requires wsrep_cluster_address"); --wsrep-recover never connects
    const r = await this.oneOff(
      c,
      [
        "--user=mysql",
        `--datadir=${DATABASE_PATHS.datadir}`,
        "--skip-networking",
        "--socket=/tmp/recover.sock",
        "--pid-file=/tmp/recover.pid",
        ...RECOVER_ARGS,
        "--wsrep-cluster-address=gcomm://",
      ],
      ["mariadbd"],
    );
    if (r.code !== 0) throw new Error(`mariadbd --wsrep-recover on ${c.name} exited with ${r.code}: ${r.log.slice(-1500)}`);
    return r.log;
  }

  async start(customer: string, node: number, as: "founder" | "joiner"): Promise<void> {
    const c = await this.get(customer, node);
    if (c.State === "running" || c.State === "restarting") throw new Error(`${c.name} is ${c.State}: not started as ${as}`);
    const prep = await this.oneOff(c, [prepareScript(as, stampNow()), "prepare", DATABASE_PATHS.datadir], ["/bin/sh", "-c"]);
    if (prep.code !== 0) throw new Error(`preparing ${c.name} as ${as} failed (${prep.code}): ${prep.log.slice(-500)}`);
    await this.docker.ok("POST", `/containers/${encodeURIComponent(c.name)}/start`);
  }

  async query(customer: string, node: number, sql: string): Promise<string> {
    const c = await this.get(customer, node);
    return (await dockerExec(this.docker, c.name, ["mariadb", "-uroot", "--connect-timeout=5", "-N", "-B", "-e", sql])).stdout;
  }

  /** A one-off container of the node's image on the node's volume, no network; its output (a TTY: not multiplexed) and exit code. */
  private async oneOff(c: { name: string; Image: string; volume: string }, cmd: string[], entrypoint: string[]): Promise<{ code: number; log: string }> {
    const name = `${c.name}-heal-${Date.now().toString(36)}`;
    await this.docker.ok("POST", `/containers/create?name=${encodeURIComponent(name)}`, {
      Image: c.Image,
      Entrypoint: entrypoint,
      Cmd: cmd,
      Tty: true,
      User: "root",
      Labels: { "lchost.heal": "one-off" },
      NetworkDisabled: true,
      HostConfig: { Binds: [`${c.volume}:${DATABASE_PATHS.datadir}`], NetworkMode: "none" },
    });
    try {
      await this.docker.ok("POST", `/containers/${encodeURIComponent(name)}/start`);
      const waited = await this.docker.ok<{ StatusCode: number }>("POST", `/containers/${encodeURIComponent(name)}/wait`);
      const logs = await this.docker.request<string>("GET", `/containers/${encodeURIComponent(name)}/logs?stdout=1&stderr=1`);
      return { code: waited.StatusCode, log: typeof logs.body === "string" ? logs.body.replace(/\r\n/g, "\n") : JSON.stringify(logs.body) };
    } finally {
      await this.docker.request("DELETE", `/containers/${encodeURIComponent(name)}?force=1`);
    }
  }
}
