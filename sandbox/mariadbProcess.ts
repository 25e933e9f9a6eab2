/**
 * Start and stop a MariaDB server (`mariadbd` from the Debian package `mariadb-server`) from a
 * defaults file, without systemd. Used by the services test suite, the services benchmark and the
 * local sandbox (which renders its own my.cnf, e.g. for Galera nodes).
 *
 *   const db = await startMariadb({ defaultsFile: "/tmp/x/my.cnf" });
 *   ...
 *   await stopMariadbPid(db.pid);
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { findExecutable } from "./prerequisites";
import { freePort } from "./freePort";
export { freePort };

export class MariadbNotInstalledError extends Error {
  constructor(binary: string) {
    super(`${binary} was not found (looked in PATH, /usr/sbin, /usr/bin). ` + `Install the Debian package mariadb-server (apt-get install -y mariadb-server).`);
    this.name = "MariadbNotInstalledError";
  }
}

/** Absolute path of a MariaDB binary (searching PATH plus /usr/sbin, /usr/bin), or throws naming the package. */
export function findMariadbBinary(name: "mariadbd" | "mariadb-install-db"): string {
  const found = findExecutable(name);
  if (!found) throw new MariadbNotInstalledError(name);
  return found;
}

/** Where a server described by a defaults file can be reached. */
export interface MariadbEndpoint {
  socket?: string;
  host?: string;
  port?: number;
}

/** Reads `socket`, `port` and `bind-address` from the [mysqld]/[mariadbd]/[server]/[mariadb] groups of a my.cnf. */
export function endpointFromDefaultsFile(defaultsFile: string): MariadbEndpoint {
  const text = fs.readFileSync(defaultsFile, "utf8");
  const serverGroups = new Set(["mysqld", "mariadbd", "server", "mariadb", "galera"]);
  let inServer = false;
  const out: MariadbEndpoint = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const group = /^\[(.+)\]$/.exec(line);
    if (group) {
      inServer = serverGroups.has(group[1].trim().toLowerCase());
      continue;
    }
    if (!inServer) continue;
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = kv[1].replace(/_/g, "-").toLowerCase();
    const value = kv[2].replace(/^["']|["']$/g, "");
    if (key === "socket") out.socket = value;
    else if (key === "port") out.port = Number(value);
    else if (key === "bind-address") out.host = value === "0.0.0.0" || value === "*" ? "127.0.0.1" : value;
  }
  return out;
}

/**
 * Resolves true when a server answers with a MariaDB handshake packet on the endpoint (no credentials
 * needed: the server greets first). Prefers the unix socket when one is given.
 */
export function probeMariadb(endpoint: MariadbEndpoint, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const opts: net.NetConnectOpts = endpoint.socket ? { path: endpoint.socket } : { host: endpoint.host ?? "127.0.0.1", port: endpoint.port ?? 3306 };
    const sock = net.connect(opts);
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.once("data", (buf: Buffer) => {
      // packet header (3 bytes length, 1 byte seq) then protocol version 10 for a handshake;
      // 0xff is an error packet (e.g. "too many connections") which still means "not ready for us".
      finish(buf.length > 4 && buf[4] === 10);
    });
    sock.once("error", () => finish(false));
    sock.once("close", () => finish(false));
  });
}

export interface StartMariadbOptions {
  /** my.cnf to pass as --defaults-file (must contain datadir, socket, pid-file, port or skip-networking). */
  defaultsFile: string;
  /** Extra command-line arguments, e.g. ["--wsrep-new-cluster"]. */
  extraArgs?: string[];
  /** Where stdout/stderr of mariadbd go (appended). Default: `<defaults file dir>/mariadbd.out`. */
  logFile?: string;
  /** How to probe readiness; default: read from the defaults file. */
  endpoint?: MariadbEndpoint;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

export interface MariadbProcess {
  pid: number;
  endpoint: MariadbEndpoint;
  logFile: string;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `mariadbd --defaults-file=FILE` detached, waits until it accepts connections and returns
 * its pid. Fails (and kills the process) when it exits early or is not ready within the timeout; the
 * error message carries the tail of the server log.
 */
export async function startMariadb(opts: StartMariadbOptions): Promise<MariadbProcess> {
  const bin = findMariadbBinary("mariadbd");
  const endpoint = opts.endpoint ?? endpointFromDefaultsFile(opts.defaultsFile);
  if (!endpoint.socket && !endpoint.port) {
    throw new Error(`${opts.defaultsFile}: no socket or port found in the [mysqld] group; cannot probe readiness`);
  }
  const logFile = opts.logFile ?? path.join(path.dirname(opts.defaultsFile), "mariadbd.out");
  const fd = fs.openSync(logFile, "a", 0o600);
  const child = spawn(bin, [`--defaults-file=${opts.defaultsFile}`, ...(opts.extraArgs ?? [])], {
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  fs.closeSync(fd);
  let exited: string | null = null;
  child.once("exit", (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once("error", (err) => {
    exited = `failed to start: ${err.message}`;
  });
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`mariadbd ${exited} before accepting connections; log ${logFile}:\n${tail(logFile)}`);
    if (pid !== undefined && (await probeMariadb(endpoint, 500))) break;
    if (Date.now() > deadline) {
      if (pid !== undefined) await stopMariadbPid(pid, 5000);
      throw new Error(`mariadbd did not accept connections within ${opts.readyTimeoutMs ?? 60_000} ms; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(50);
  }
  return { pid: pid!, endpoint, logFile, stop: (t?: number) => stopMariadbPid(pid!, t) };
}

/** SIGTERM (clean shutdown), wait until the pid is gone, SIGKILL after the timeout (default 30 s). */
export async function stopMariadbPid(pid: number, timeoutMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
      await sleep(100);
      return;
    }
    await sleep(50);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie (our own exited child not yet reaped) counts as gone
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) Z /.test(stat);
  } catch {
    return true;
  }
}

export interface ThrowawayMariadbOptions {
  /** Base directory; a fresh temp dir under os.tmpdir() by default. */
  baseDir?: string;
  /** TCP port on 127.0.0.1; a free one by default. */
  port?: number;
  /** Extra [mysqld] lines. */
  extraConfig?: string[];
}

export interface ThrowawayMariadb extends MariadbProcess {
  baseDir: string;
  defaultsFile: string;
  host: string;
  port: number;
  socket: string;
  /** root without password from 127.0.0.1 and via the socket: for tests and benchmarks only. */
  user: string;
  password: string;
}

/** Renders a my.cnf for a single local throw-away server listening on 127.0.0.1:port only. */
export function renderThrowawayMyCnf(baseDir: string, port: number, extraConfig: string[] = []): string {
  const runAsRoot = typeof process.getuid === "function" && process.getuid() === 0;
  return [
    "[mysqld]",
    ...(runAsRoot ? ["user=root"] : []),
    `datadir=${path.join(baseDir, "data")}`,
    `socket=${path.join(baseDir, "mysqld.sock")}`,
    `pid-file=${path.join(baseDir, "mysqld.pid")}`,
    // private: at start mariadbd deletes every #sql* file in its tmpdir, other servers' temporary tables too
    `tmpdir=${path.join(baseDir, "tmp")}`,
    "bind-address=127.0.0.1",
    `port=${port}`,
    "skip-name-resolve",
    "skip-log-bin",
    "innodb_buffer_pool_size=64M",
    "innodb_log_file_size=48M",
    "max_connections=300",
    "character-set-server=utf8mb4",
    "collation-server=utf8mb4_unicode_ci",
    ...extraConfig,
    "",
  ].join("\n");
}

/**
 * Creates a fresh datadir (mariadb-install-db, root without password: never for anything but local
 * throw-away servers), starts mariadbd on 127.0.0.1 and waits until it is ready.
 */
export async function startThrowawayMariadb(opts: ThrowawayMariadbOptions = {}): Promise<ThrowawayMariadb> {
  findMariadbBinary("mariadbd");
  const installDb = findMariadbBinary("mariadb-install-db");
  const baseDir = opts.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lchost-mariadb-"));
  fs.mkdirSync(path.join(baseDir, "data"), { recursive: true });
  fs.mkdirSync(path.join(baseDir, "tmp"), { recursive: true });
  const port = opts.port ?? (await freePort());
  const defaultsFile = path.join(baseDir, "my.cnf");
  fs.writeFileSync(defaultsFile, renderThrowawayMyCnf(baseDir, port, opts.extraConfig));
  const runAsRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const res = spawnSync(
    installDb,
    [`--defaults-file=${defaultsFile}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...(runAsRoot ? ["--user=root"] : [])],
    { encoding: "utf8" },
  );
  if (res.status !== 0) {
    throw new Error(`mariadb-install-db failed (${res.status ?? res.signal}): ${res.stderr || res.stdout}`);
  }
  const proc = await startMariadb({ defaultsFile, endpoint: { host: "127.0.0.1", port } });
  return { ...proc, baseDir, defaultsFile, host: "127.0.0.1", port, socket: path.join(baseDir, "mysqld.sock"), user: "root", password: "" };
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
