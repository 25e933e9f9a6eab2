/**
 * A real Galera cluster of local processes for the heal proofs and bench:heal: each node is real mariadbd with
 * the rendered node config and the rendered start script (the one the containers run, founding marker and saved
 * views included: components/render/mariadbConfig.ts), on loopback addresses of its own (127.242.<block>.<n>),
 * its process group killed as a whole like a container. Activations are written the way License Central writes
 * them (`license_central.lc_activations`, one row per idempotency key), one writer per node as the HA lines do,
 * and a key counts as acknowledged only once the INSERT returned OK.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { renderDatabaseStartScript, renderGaleraNodeConfig } from "../components/render/mariadbConfig";
import { GaleraProcessNode, ProcessGaleraControl } from "../heal/seams/galera";

const PROBE_USER = "heal_probe";

export interface LocalGaleraCluster {
  customer: string;
  dir: string;
  addresses: string[];
  control: ProcessGaleraControl;
  nodes: GaleraProcessNode[];
  /** Starts node 1 (founds), then the others; resolves when all are synced members with the schema in place. */
  bootstrap(timeoutMs?: number): Promise<void>;
  /** SIGKILL to every process of the given nodes (default: all) in one tight loop: "the same moment". */
  kill9(nodes?: number[]): void;
  running(node: number): boolean;
  /** SQL on a node through its socket as root (verification). */
  sql(node: number, query: string): string;
  logTail(node: number): string;
  destroy(): Promise<void>;
}

export async function startLocalGaleraCluster(opts: {
  block: number;
  /** The nodes' addresses are `<addressPrefix>.<n>`; default `127.242.<block>`. */
  addressPrefix?: string;
  customer?: string;
  nodes?: number;
  log?: (l: string) => void;
}): Promise<LocalGaleraCluster> {
  const count = opts.nodes ?? 3;
  const customer = opts.customer ?? "galera-heal";
  const log = opts.log ?? (() => undefined);
  const addresses = Array.from({ length: count }, (_, i) => `${opts.addressPrefix ?? `127.242.${opts.block}`}.${i + 1}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-galera-heal-"));
  fs.chmodSync(dir, 0o755);
  const nodeDir = (i: number) => path.join(dir, `n${i}`);
  const sock = (i: number) => path.join(nodeDir(i), "run", "mysqld.sock");
  const procs = new Map<number, ChildProcess>();

  for (let i = 1; i <= count; i++) {
    for (const sub of ["data", "run", "tmp"]) fs.mkdirSync(path.join(nodeDir(i), sub), { recursive: true });
    const cnf =
      renderGaleraNodeConfig({
        port: 3306,
        bindAddress: addresses[i - 1],
        datadir: path.join(nodeDir(i), "data"),
        socket: sock(i),
        pidFile: path.join(nodeDir(i), "run", "mysqld.pid"),
        innodbBufferPoolMb: 32,
        clusterName: customer,
        nodeName: `n${i}`,
        nodeAddress: addresses[i - 1],
        clusterAddresses: addresses.map((a) => `${a}:4567`),
        gcommPort: 4567,
        istPort: 4568,
        sstPort: 4444,
        listenAddress: addresses[i - 1],
      }) + `tmpdir = ${path.join(nodeDir(i), "tmp")}\nlog-error = ${path.join(nodeDir(i), "error.log")}\nconnect_timeout = 5\n`;
    fs.writeFileSync(path.join(nodeDir(i), "my.cnf"), cnf);
    fs.writeFileSync(path.join(nodeDir(i), "init.sql"), "SELECT 1;\n");
    const script = renderDatabaseStartScript({
      datadir: path.join(nodeDir(i), "data"),
      configPath: path.join(nodeDir(i), "my.cnf"),
      initFilePath: path.join(nodeDir(i), "init.sql"),
      galera: { bootstrapNode: i === 1 },
    }).replace(" /run/mysqld", ` ${path.join(nodeDir(i), "run")}`); // the image's /run/mysqld, per node here
    fs.writeFileSync(path.join(nodeDir(i), "start.sh"), script, { mode: 0o755 });
  }
  spawnSync("chown", ["-R", "mysql:mysql", dir]);

  const alive = (i: number) => {
    const c = procs.get(i);
    return !!c && c.exitCode === null && c.signalCode === null;
  };
  const startNode = (i: number) => {
    // the script's own output (not mariadbd's, which goes to error.log) appended to script.log, like a container's log
    const out = fs.openSync(path.join(nodeDir(i), "script.log"), "a");
    const child = spawn("sh", [path.join(nodeDir(i), "start.sh")], {
      detached: true, // its own process group, like a container
      stdio: ["ignore", out, out],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", TMPDIR: path.join(nodeDir(i), "tmp") },
    });
    fs.closeSync(out);
    procs.set(i, child);
  };
  const killGroup = (i: number, signal: NodeJS.Signals) => {
    const c = procs.get(i);
    if (!c?.pid) return;
    try {
      process.kill(-c.pid, signal);
    } catch {
      /* gone */
    }
  };
  const waitExit = (i: number, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (!alive(i)) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      procs.get(i)!.once("exit", () => {
        clearTimeout(t);
        resolve(true);
      });
    });

  const nodes: GaleraProcessNode[] = Array.from({ length: count }, (_, k) => {
    const i = k + 1;
    return {
      node: i,
      datadir: path.join(nodeDir(i), "data"),
      configPath: path.join(nodeDir(i), "my.cnf"),
      socket: sock(i),
      running: () => alive(i),
      start: () => startNode(i),
      stop: async () => {
        const c = procs.get(i);
        if (c?.pid && alive(i)) process.kill(c.pid, "SIGTERM");
        if (!(await waitExit(i, 60_000))) killGroup(i, "SIGKILL");
        await waitExit(i, 5000);
        killGroup(i, "SIGKILL"); // whatever is left of the "container"
      },
    };
  });
  const control = new ProcessGaleraControl({ [customer]: nodes });

  const sql = (i: number, query: string): string => {
    const r = spawnSync("mariadb", ["--no-defaults", "-uroot", `--socket=${sock(i)}`, "-N", "-B", "-e", query], { encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) throw new Error(`SQL on n${i}: ${(r.stderr || r.error?.message || "").trim()}`);
    return r.stdout.trim();
  };
  const logTail = (i: number) => {
    const tail = (file: string, n: number) => {
      try {
        return fs
          .readFileSync(path.join(nodeDir(i), file), "utf8")
          .split("\n")
          .slice(-n)
          .join("\n    ");
      } catch {
        return "(none)";
      }
    };
    return `${tail("error.log", 12)}\n    start script: ${tail("script.log", 4)}`;
  };
  const until = async (what: string, cond: () => Promise<boolean>, withinMs: number) => {
    const t0 = Date.now();
    while (!(await cond().catch(() => false))) {
      if (Date.now() - t0 > withinMs) throw new Error(`${what}: not within ${withinMs} ms\n${nodes.map((n) => `n${n.node}: ${logTail(n.node)}`).join("\n")}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  return {
    customer,
    dir,
    addresses,
    control,
    nodes,
    async bootstrap(timeoutMs = 120_000) {
      const t0 = Date.now();
      startNode(1);
      await until("node 1 founds the cluster", async () => (await control.status(customer, 1)).clusterStatus === "Primary", timeoutMs);
      for (let i = 2; i <= count; i++) startNode(i);
      await until(
        `${count} synced nodes`,
        async () => (await Promise.all(nodes.map((n) => control.status(customer, n.node)))).every((s) => s.ready && s.clusterSize === count),
        timeoutMs,
      );
      sql(
        1,
        [
          "CREATE DATABASE IF NOT EXISTS license_central",
          // the columns License Central writes (license-central/src/db.ts lc_activations)
          "CREATE TABLE IF NOT EXISTS license_central.lc_activations (idempotency_key VARCHAR(128) NOT NULL PRIMARY KEY, ticket CHAR(29) NOT NULL, container VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, created_at DATETIME(3) NOT NULL, activated_at DATETIME(3) NULL) ENGINE=InnoDB",
          `CREATE USER IF NOT EXISTS '${PROBE_USER}'@'127.%' IDENTIFIED BY '${probePassword(dir)}'`,
          `GRANT ALL ON license_central.* TO '${PROBE_USER}'@'127.%'`,
        ].join(";"),
      );
      log(`galera cluster of ${count} nodes on ${addresses.join(", ")} in ${Date.now() - t0} ms`);
    },
    kill9(which = nodes.map((n) => n.node)) {
      for (const i of which) killGroup(i, "SIGKILL");
    },
    running: alive,
    sql,
    logTail,
    async destroy() {
      for (const i of procs.keys()) killGroup(i, "SIGKILL");
      await Promise.all([...procs.keys()].map((i) => waitExit(i, 5000)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A per-cluster throw-away password for the writers' user (the cluster is local and deleted afterwards). */
function probePassword(dir: string): string {
  return `p${Buffer.from(path.basename(dir)).toString("hex").slice(0, 24)}`;
}

export interface ActivationWriters {
  /** Keys whose INSERT returned OK, in acknowledgement order. */
  acknowledged: string[];
  /** Writes that failed (the node died under them): not acknowledged, may or may not be in the data. */
  failed: number;
  /** The newest acknowledged key. */
  last(): string | undefined;
  /** Stops writing (the writers also stop by themselves when their node dies); resolves when all have ended. */
  stop(): Promise<void>;
  /** Resolves once at least n writes were acknowledged (rejects after withinMs, default 60 s). */
  reached(n: number, withinMs?: number): Promise<void>;
}

/** One writer per node (as each HA line uses one node), inserting activations back to back over TCP. */
export async function startActivationWriters(
  cluster: LocalGaleraCluster,
  onNodes = cluster.nodes.map((n) => n.node),
  /** Distinguishes the keys of several rounds of writers on one cluster (default "act"). */
  keyPrefix = "act",
): Promise<ActivationWriters> {
  const acknowledged: string[] = [];
  let failed = 0;
  let stopping = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const conns = await Promise.all(
    onNodes.map((i) =>
      mysql.createConnection({
        host: cluster.addresses[i - 1],
        port: 3306,
        user: PROBE_USER,
        password: probePassword(cluster.dir),
        connectTimeout: 5000,
      }),
    ),
  );
  const loops = conns.map(async (conn, k) => {
    conn.on("error", () => undefined);
    for (let n = 1; !stopping; n++) {
      const key = `${keyPrefix}-n${onNodes[k]}-${n}`;
      try {
        await conn.query(
          "INSERT INTO license_central.lc_activations (idempotency_key, ticket, container, status, created_at, activated_at) VALUES (?, ?, ?, 'active', NOW(3), NOW(3))",
          [key, "T".repeat(29), `container-${n}`],
        );
        acknowledged.push(key);
        for (let w = waiters.length - 1; w >= 0; w--)
          if (acknowledged.length >= waiters[w].n) {
            waiters[w].resolve();
            waiters.splice(w, 1);
          }
      } catch {
        failed++;
        break; // the node is gone: this writer ends, like a line whose database died
      }
    }
    conn.destroy();
  });
  return {
    acknowledged,
    get failed() {
      return failed;
    },
    last: () => acknowledged[acknowledged.length - 1],
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
    reached(n: number, withinMs = 60_000) {
      if (acknowledged.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${acknowledged.length} of ${n} activations acknowledged within ${withinMs} ms`)), withinMs);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}

/** How many of the acknowledged keys a node holds, and which are missing (first few). */
export function acknowledgedPresent(cluster: LocalGaleraCluster, node: number, keys: string[]): { present: number; missing: string[] } {
  const have = new Set(cluster.sql(node, "SELECT idempotency_key FROM license_central.lc_activations").split("\n").filter(Boolean));
  const missing = keys.filter((k) => !have.has(k));
  return { present: keys.length - missing.length, missing };
}
