/**
 * The portal's MariaDB: a pool with a deadline on every statement (acquiring included), transactions, and
 * its own schema created idempotently at start like License Central's (IF NOT EXISTS everywhere; InnoDB,
 * an explicit primary key on every table, no auto-increment: ready for Galera).
 */
import * as mysql from "mysql2/promise";
import type { PortalConfig } from "./config";

export interface Queryable {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The database did not answer in time: the request answers 503. */
export class DbTimeoutError extends Error {
  readonly code = "PORTAL_DB_TIMEOUT";
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
  }
}

function deadline<T>(p: Promise<T>, ms: number, onLate?: (v: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DbTimeoutError(ms));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        if (late) onLate?.(v);
        else resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        if (!late) reject(err);
      },
    );
  });
}

export class PortalDatabase implements Queryable {
  readonly pool: mysql.Pool;
  constructor(
    db: PortalConfig["db"],
    readonly timeoutMs: number = db.timeoutMs,
  ) {
    this.pool = mysql.createPool({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
      connectionLimit: 10,
      waitForConnections: true,
      queueLimit: 500,
      timezone: "Z",
      dateStrings: false,
      enableKeepAlive: true,
      connectTimeout: Math.min(db.timeoutMs, 10_000),
      charset: "utf8mb4",
    });
    // READ COMMITTED, as License Central: "is an incident open for this key? else insert" must not lock the gap of
    // a key not there yet (REPEATABLE READ does, and two such transactions deadlock at INSERT: a burst of alert
    // groups got 500s). The unique open_key still allows one open incident per key; a second insert of the same
    // key waits for the first and fails as a duplicate, which transaction() retries.
    this.pool.on("connection", (conn) => {
      conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    });
  }

  private async withConn<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const conn = await deadline(this.pool.getConnection(), this.timeoutMs, (late) => late.release());
    let broken = false;
    const q: Queryable = {
      query: async (sql, params) => {
        try {
          const [rows] = await deadline(conn.query(sql, params), this.timeoutMs);
          return rows as any[];
        } catch (err) {
          if (err instanceof DbTimeoutError) broken = true;
          throw err;
        }
      },
    };
    try {
      return await fn(q);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  query<T = any>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.withConn((q) => q.query<T>(sql, params));
  }

  /** Runs fn in a transaction; rolls back on any error; deadlocks are retried. */
  async transaction<T>(fn: (q: Queryable) => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withConn(async (q) => {
          await q.query("START TRANSACTION");
          try {
            const out = await fn(q);
            await q.query("COMMIT");
            return out;
          } catch (err) {
            await q.query("ROLLBACK").catch(() => undefined);
            throw err;
          }
        });
      } catch (err: any) {
        if ((err?.code === "ER_LOCK_DEADLOCK" || err?.code === "ER_LOCK_WAIT_TIMEOUT" || err?.code === "ER_DUP_ENTRY") && attempt < attempts) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
          continue;
        }
        throw err;
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Keys (customer|alertname|part) are ASCII: their unique index stays small. */
export const PORTAL_MIGRATIONS: Array<{ version: number; statements: string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS portal_schema_version (
         version INT NOT NULL PRIMARY KEY,
         applied_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB`,
      // mirrored from the customers file at start and whenever it changes
      `CREATE TABLE IF NOT EXISTS portal_customers (
         name VARCHAR(63) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         edition VARCHAR(40) NOT NULL,
         guarantee_percent DECIMAL(6,3) NOT NULL,
         parts TEXT NOT NULL,
         default_time_zone VARCHAR(64) NOT NULL,
         default_language CHAR(2) NOT NULL,
         created_at DATETIME(3) NOT NULL,
         updated_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE IF NOT EXISTS portal_users (
         username VARCHAR(63) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         customer VARCHAR(63) CHARACTER SET ascii NOT NULL,
         password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
         updated_at DATETIME(3) NOT NULL,
         KEY ix_portal_users_customer (customer)
       ) ENGINE=InnoDB`,
      // what the customer chose on its settings page (the file's defaults apply where NULL)
      `CREATE TABLE IF NOT EXISTS portal_settings (
         customer VARCHAR(63) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         time_zone VARCHAR(64) NULL,
         language CHAR(2) NULL,
         updated_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB`,
      // the session id is stored only as its SHA-256: a database dump logs no one in
      `CREATE TABLE IF NOT EXISTS portal_sessions (
         id_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         customer VARCHAR(63) CHARACTER SET ascii NOT NULL,
         csrf CHAR(43) CHARACTER SET ascii NOT NULL,
         created_at DATETIME(3) NOT NULL,
         last_seen_at DATETIME(3) NOT NULL,
         expires_at DATETIME(3) NOT NULL,
         KEY ix_portal_sessions_customer (customer),
         KEY ix_portal_sessions_expires (expires_at)
       ) ENGINE=InnoDB`,
      // scope customer: one customer's (customer set); scope fleet: the public page's (customer NULL).
      // open_key is the alert key while the incident is open and NULL after: at most one open incident per key.
      `CREATE TABLE IF NOT EXISTS portal_incidents (
         id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         scope VARCHAR(8) NOT NULL,
         customer VARCHAR(63) CHARACTER SET ascii NULL,
         source VARCHAR(8) NOT NULL,
         alert_key VARCHAR(300) CHARACTER SET ascii NULL,
         open_key VARCHAR(300) CHARACTER SET ascii NULL,
         fleet_key VARCHAR(300) CHARACTER SET ascii NULL,
         alertname VARCHAR(128) NULL,
         component VARCHAR(32) NULL,
         parts TEXT NOT NULL,
         severity VARCHAR(8) NOT NULL,
         title VARCHAR(300) NULL,
         title_language CHAR(2) NULL,
         summary VARCHAR(1000) NULL,
         alert_started_at DATETIME(3) NULL,
         started_at DATETIME(3) NOT NULL,
         resolved_at DATETIME(3) NULL,
         updated_at DATETIME(3) NOT NULL,
         UNIQUE KEY uq_portal_incidents_open (open_key),
         KEY ix_portal_incidents_customer (customer, started_at),
         KEY ix_portal_incidents_scope (scope, started_at),
         KEY ix_portal_incidents_fleet_key (fleet_key, resolved_at)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      `CREATE TABLE IF NOT EXISTS portal_incident_updates (
         id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         incident_id CHAR(36) CHARACTER SET ascii NOT NULL,
         at DATETIME(3) NOT NULL,
         kind VARCHAR(12) NOT NULL,
         author VARCHAR(16) NOT NULL,
         message TEXT NULL,
         language CHAR(2) NULL,
         KEY ix_portal_updates_incident (incident_id, at)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      // customer NULL: every customer (and the public page)
      `CREATE TABLE IF NOT EXISTS portal_maintenance (
         id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         customer VARCHAR(63) CHARACTER SET ascii NULL,
         starts_at DATETIME(3) NOT NULL,
         ends_at DATETIME(3) NOT NULL,
         reason TEXT NOT NULL,
         language CHAR(2) NOT NULL,
         announced_at DATETIME(3) NOT NULL,
         KEY ix_portal_maintenance_customer (customer, ends_at)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    ],
  },
  {
    // the SLA accounting's figures per customer and UTC month, published through the admin API
    version: 2,
    statements: [
      `CREATE TABLE IF NOT EXISTS portal_month_availability (
         customer VARCHAR(63) CHARACTER SET ascii NOT NULL,
         month CHAR(7) CHARACTER SET ascii NOT NULL,
         availability_percent DECIMAL(8,5) NULL,
         minutes_down INT NOT NULL,
         minutes_maintenance INT NOT NULL,
         met TINYINT NULL,
         credit_percent DECIMAL(6,3) NULL,
         updated_at DATETIME(3) NOT NULL,
         PRIMARY KEY (customer, month)
       ) ENGINE=InnoDB`,
    ],
  },
  {
    // "is anything open?" (the public page's overall state, every view) read every incident ever kept without it
    version: 3,
    statements: [`CREATE INDEX IF NOT EXISTS ix_portal_incidents_resolved ON portal_incidents (resolved_at)`],
  },
];

export async function migratePortal(db: Queryable, now: () => Date = () => new Date()): Promise<number> {
  let version = 0;
  for (const m of PORTAL_MIGRATIONS) {
    for (const sql of m.statements) await db.query(sql);
    await db.query("INSERT IGNORE INTO portal_schema_version (version, applied_at) VALUES (?, ?)", [m.version, now()]);
    version = m.version;
  }
  return version;
}
