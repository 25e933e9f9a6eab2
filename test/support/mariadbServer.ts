/**
 * The services suite's throw-away MariaDB: started once by the jest global setup, reached by the tests
 * through environment variables (inherited by jest workers) and stopped by pid in the global teardown.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { startThrowawayMariadb, stopMariadbPid, ThrowawayMariadb } from "../../sandbox/mariadbProcess";

export const TEST_DB_ENV = {
  host: "LCHOST_TEST_DB_HOST",
  port: "LCHOST_TEST_DB_PORT",
  user: "LCHOST_TEST_DB_USER",
  password: "LCHOST_TEST_DB_PASSWORD",
  pid: "LCHOST_TEST_DB_PID",
  baseDir: "LCHOST_TEST_DB_BASEDIR",
} as const;

/** Written by the global setup, read by the teardown (jest runs both in the parent process, but a file also survives a crash). */
export const STATE_FILE = path.join(os.tmpdir(), `lchost-services-mariadb-${process.ppid}-${process.pid}.json`);

export interface TestDbState {
  host: string;
  port: number;
  user: string;
  password: string;
  pid: number;
  baseDir: string;
}

export async function startTestMariadb(): Promise<TestDbState> {
  // No fsync per commit on this server: the suites that share it check License Central's logic (quotas reserved
  // under a row lock, tickets, maintenance), not durability, which the sandboxes' servers with the rendered
  // configuration prove (kill -9 tests). With an fsync per commit, 50 requests serialized on one quota row took
  // over 20 s on a busy disk and CI failed with 503 LC_DB_TIMEOUT (licenseCentralHardQuota, 2026-11-28).
  const db: ThrowawayMariadb = await startThrowawayMariadb({ extraConfig: ["innodb_flush_log_at_trx_commit=2"] });
  const state: TestDbState = { host: db.host, port: db.port, user: db.user, password: db.password, pid: db.pid, baseDir: db.baseDir };
  process.env[TEST_DB_ENV.host] = state.host;
  process.env[TEST_DB_ENV.port] = String(state.port);
  process.env[TEST_DB_ENV.user] = state.user;
  process.env[TEST_DB_ENV.password] = state.password;
  process.env[TEST_DB_ENV.pid] = String(state.pid);
  process.env[TEST_DB_ENV.baseDir] = state.baseDir;
  return state;
}

export async function stopTestMariadb(state: Pick<TestDbState, "pid" | "baseDir">): Promise<void> {
  await stopMariadbPid(state.pid);
  if (state.baseDir.startsWith(os.tmpdir())) fs.rmSync(state.baseDir, { recursive: true, force: true });
}

/** Connection settings of the suite's server, for use inside tests. */
export function testDbSettings(): { host: string; port: number; user: string; password: string } {
  const port = Number(process.env[TEST_DB_ENV.port]);
  if (!port) throw new Error("the services suite's MariaDB is not running (jest globalSetup test/support/mariadbGlobalSetup.ts)");
  return {
    host: process.env[TEST_DB_ENV.host] ?? "127.0.0.1",
    port,
    user: process.env[TEST_DB_ENV.user] ?? "root",
    password: process.env[TEST_DB_ENV.password] ?? "",
  };
}

let counter = 0;
/** Creates a fresh, empty database with a unique name and returns its name. */
export async function createTestDatabase(prefix = "t"): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.replace(/[^A-Za-z0-9_]/g, "_");
  const conn = await mysql.createConnection(testDbSettings());
  try {
    await conn.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await conn.end();
  }
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  const conn = await mysql.createConnection(testDbSettings());
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}
