/**
 * Moving a customer's database: mariadb-dump (consistent: --single-transaction), restore with the
 * mariadb client, and reading what verification and the quota check need (per-table checksums, usage).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as mysql from "mysql2/promise";
import type { MonthUsage } from "./quotaCheck";
import { TableChecksum, TableDigest } from "./tableChecksums";

export interface DbConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

function clientArgs(db: DbConnection): string[] {
  return [`--host=${db.host}`, `--port=${db.port}`, `--user=${db.user}`, "--protocol=TCP"];
}

function run(bin: string, args: string[], db: DbConnection, stdin: number | "ignore", stdout: number | "ignore"): Promise<void> {
  return new Promise((resolve, reject) => {
    // the password goes through the environment, never the command line (visible in ps)
    const child = spawn(bin, args, { stdio: [stdin, stdout, "pipe"], env: { ...process.env, MYSQL_PWD: db.password } });
    let err = "";
    child.stderr!.on("data", (d) => (err += d.toString()));
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${bin} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-2000)}`)),
    );
  });
}

/** mariadb-dump's options for a consistent snapshot of one schema without locking the tables (InnoDB). */
export const MARIADB_DUMP_OPTIONS = [
  "--single-transaction",
  "--skip-lock-tables",
  "--skip-add-locks",
  "--hex-blob",
  "--no-create-db",
  "--skip-triggers",
  "--quick",
];

/** Dumps one database to a file: a consistent snapshot without locking the tables (InnoDB). */
export async function dumpDatabase(db: DbConnection, file: string): Promise<{ bytes: number }> {
  const fd = fs.openSync(file, "w");
  try {
    await run("mariadb-dump", [...clientArgs(db), ...MARIADB_DUMP_OPTIONS, db.database], db, "ignore", fd);
  } finally {
    fs.closeSync(fd);
  }
  return { bytes: fs.statSync(file).size };
}

/** Loads a dump into a database (which must exist); the dump drops and recreates each table. */
export async function restoreDatabase(db: DbConnection, file: string): Promise<void> {
  const fd = fs.openSync(file, "r");
  try {
    await run("mariadb", [...clientArgs(db), db.database], db, fd, "ignore");
  } finally {
    fs.closeSync(fd);
  }
}

export async function connect(db: DbConnection, extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 5000,
    ...extra,
  });
}

/**
 * Row count and SHA-256 of every base table, rows in primary-key order. On a Galera node the read
 * waits until the node has applied everything committed in the cluster (wsrep_sync_wait).
 */
export async function tableChecksums(db: DbConnection, opts: { galera?: boolean } = {}): Promise<TableChecksum[]> {
  const conn = await connect(db);
  try {
    if (opts.galera) await conn.query("SET SESSION wsrep_sync_wait = 1");
    const [tables] = await conn.query(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      [db.database],
    );
    // the schema's columns and primary keys in two queries, not two per table: information_schema reads
    // are slow (each opens table definitions), and inside a maintenance window every round trip counts
    const [cols] = await conn.query(
      "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION",
      [db.database],
    );
    const [pks] = await conn.query(
      "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION",
      [db.database],
    );
    const byTable = (rows: unknown) => {
      const m = new Map<string, string[]>();
      for (const r of rows as Array<{ t: string; c: string }>) m.set(r.t, [...(m.get(r.t) ?? []), r.c]);
      return m;
    };
    const columnsOf = byTable(cols);
    const keysOf = byTable(pks);
    const out: TableChecksum[] = [];
    for (const { t } of tables as Array<{ t: string }>) {
      const columns = columnsOf.get(t) ?? [];
      const key = keysOf.get(t) ?? [];
      const order = (key.length ? key : columns).map((c) => `\`${c}\``).join(", ");
      const [rows] = await conn.query(`SELECT * FROM \`${t}\` ORDER BY ${order}`);
      const d = new TableDigest(t);
      for (const r of rows as Array<Record<string, unknown>>) d.add(r, columns);
      out.push(d.result());
    }
    return out;
  } finally {
    await conn.end();
  }
}

/** Usage of the given months from License Central's metering table. */
export async function readUsage(db: DbConnection, months: string[]): Promise<MonthUsage[]> {
  const conn = await connect(db);
  try {
    const [rows] = await conn.query("SELECT month, kind, COUNT(*) AS n FROM lc_usage_events WHERE month IN (?) GROUP BY month, kind", [months]);
    return months.map((month) => {
      const of = (kind: string) =>
        Number((rows as Array<{ month: string; kind: string; n: string }>).find((r) => r.month === month && r.kind === kind)?.n ?? 0);
      return { month, activations: of("activation"), deactivations: of("deactivation"), webServiceCalls: of("ws_call") };
    });
  } catch (e: any) {
    if (e?.code === "ER_NO_SUCH_TABLE") return months.map((month) => ({ month, activations: 0, deactivations: 0, webServiceCalls: 0 }));
    throw e;
  } finally {
    await conn.end();
  }
}

/** Rows in all tables of the database (for the downtime estimate; InnoDB's estimate is enough). */
export async function estimateRows(db: DbConnection): Promise<number> {
  const conn = await connect(db);
  try {
    const [rows] = await conn.query("SELECT COALESCE(SUM(TABLE_ROWS), 0) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [db.database]);
    return Number((rows as Array<{ n: string }>)[0].n);
  } finally {
    await conn.end();
  }
}
