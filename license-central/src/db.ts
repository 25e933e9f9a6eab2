import * as mysql from "mysql2/promise";
import type { LcConfig } from "./config";
import { STARTED_IN_MAINTENANCE } from "./maintenanceState";

export type Pool = mysql.Pool;
export type PoolConn = mysql.PoolConnection;

/** What the store runs SQL through: a timed connection inside a transaction, or the Database itself. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<[unknown, unknown]>;
}
/** A connection inside a transaction (see Database.transaction). */
export type Conn = Queryable;

export interface DbTimeouts {
  /** Longest wait for a pooled connection (pool busy, or a new connection's handshake). */
  acquireMs: number;
  /** Longest wait for one statement's answer; the connection is dropped after it, as it may be stuck. */
  queryMs: number;
}

/** The database did not answer in time: a connection-level failure (503, another line may serve it), not an error of the request. */
export class DbTimeoutError extends Error {
  readonly code = "LC_DB_TIMEOUT";
  constructor(what: string, ms: number) {
    super(`the database did not answer within ${ms} ms (${what})`);
  }
}

function deadline<T>(p: Promise<T>, ms: number, what: string, onLate?: (v: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DbTimeoutError(what, ms));
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

export function createPool(db: LcConfig["db"]): Pool {
  const pool = mysql.createPool({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    connectionLimit: db.poolSize,
    waitForConnections: true,
    // bounded: beyond this many waiting requests, answer 503 at once instead of queueing without end
    queueLimit: db.queueLimit,
    timezone: "Z",
    dateStrings: false,
    supportBigNumbers: true,
    enableKeepAlive: true,
    connectTimeout: db.connectTimeoutMs,
  });
  // READ COMMITTED: every read in a transaction sees what was committed before it, not a snapshot from the
  // transaction's first read; a hard quota counts usage after taking its lock and must see the latest.
  pool.on("connection", (conn) => {
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  });
  return pool;
}

/**
 * The pool with deadlines on everything: acquiring a connection, and each statement. mysql2's own query
 * timeout starts only when a statement reaches the server, so a statement queued behind a stuck one would
 * wait forever; here a statement that overruns drops its connection (it may be stuck) and the request fails
 * with DbTimeoutError (503 + Retry-After) within acquireMs + queryMs.
 */
export class Database implements Queryable {
  constructor(
    readonly pool: Pool,
    readonly timeouts: DbTimeouts,
  ) {}

  private acquire(ms = this.timeouts.acquireMs): Promise<PoolConn> {
    return deadline(this.pool.getConnection(), ms, "acquiring a connection", (late) => late.release());
  }

  private timed(conn: PoolConn, ms = this.timeouts.queryMs): Queryable & { broken: boolean } {
    const t = {
      broken: false,
      query: async (sql: string, params?: unknown[]): Promise<[unknown, unknown]> => {
        try {
          return (await deadline(conn.query(sql, params), ms, "a statement")) as [unknown, unknown];
        } catch (err) {
          if (err instanceof DbTimeoutError) t.broken = true;
          throw err;
        }
      },
    };
    return t;
  }

  private done(conn: PoolConn, broken: boolean): void {
    if (broken) conn.destroy();
    else conn.release();
  }

  /** One statement outside a transaction; `totalMs` bounds acquiring plus the statement (readiness checks). */
  async query(sql: string, params?: unknown[], totalMs?: number): Promise<[unknown, unknown]> {
    const started = Date.now();
    const conn = await this.acquire(totalMs ?? this.timeouts.acquireMs);
    const q = this.timed(conn, totalMs !== undefined ? Math.max(1, totalMs - (Date.now() - started)) : this.timeouts.queryMs);
    try {
      return await q.query(sql, params);
    } finally {
      this.done(conn, q.broken);
    }
  }

  /**
   * Runs `fn` in a transaction and commits; rolls back on any error (no partial writes). Deadlocks and
   * Galera certification failures (reported as ER_LOCK_DEADLOCK) are retried up to `attempts` times.
   */
  async transaction<T>(fn: (conn: Conn) => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.acquire();
      const q = this.timed(conn);
      try {
        await q.query("START TRANSACTION");
        const out = await fn(q);
        await q.query("COMMIT");
        return out;
      } catch (err: any) {
        if (!q.broken) {
          try {
            await q.query("ROLLBACK");
          } catch {
            /* connection may be broken */
          }
        }
        if (RETRYABLE.has(err?.code) && attempt < attempts) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
          continue;
        }
        throw err;
      } finally {
        this.done(conn, q.broken);
      }
    }
  }
}

/**
 * Schema, created idempotently at start (several lines may run it at the same time: every statement is
 * IF NOT EXISTS / INSERT IGNORE). InnoDB, explicit primary key on every table, no auto-increment: ready
 * for a Galera cluster.
 */
export const MIGRATIONS: Array<{ version: number; statements: string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS lc_schema_version (
         version INT NOT NULL PRIMARY KEY,
         applied_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS lc_tickets (
         ticket CHAR(29) NOT NULL PRIMARY KEY,
         order_id VARCHAR(128) NOT NULL,
         source VARCHAR(16) NOT NULL,
         active_key VARCHAR(128) NULL,
         created_at DATETIME(3) NOT NULL,
         UNIQUE KEY uq_lc_tickets_order (order_id)
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS lc_ticket_items (
         ticket CHAR(29) NOT NULL,
         line_no INT NOT NULL,
         product_code BIGINT UNSIGNED NOT NULL,
         quantity INT NOT NULL,
         PRIMARY KEY (ticket, line_no)
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS lc_activations (
         idempotency_key VARCHAR(128) NOT NULL PRIMARY KEY,
         ticket CHAR(29) NOT NULL,
         container VARCHAR(64) NOT NULL,
         status VARCHAR(16) NOT NULL,
         created_at DATETIME(3) NOT NULL,
         activated_at DATETIME(3) NULL,
         deactivated_at DATETIME(3) NULL,
         signed_update MEDIUMTEXT NULL,
         KEY ix_lc_activations_ticket (ticket, status)
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS lc_usage_events (
         id CHAR(36) NOT NULL PRIMARY KEY,
         month CHAR(7) NOT NULL,
         kind VARCHAR(16) NOT NULL,
         at DATETIME(3) NOT NULL,
         ref VARCHAR(160) NULL,
         KEY ix_lc_usage_month_kind (month, kind)
       ) ENGINE=InnoDB`,
    ],
  },
  {
    // Maintenance lives in the database, not in a process: every (stateless) line of a customer reads
    // the same row, so switching it on stops writes on all lines within one poll interval.
    version: 2,
    statements: [
      `CREATE TABLE IF NOT EXISTS lc_maintenance (
         id TINYINT NOT NULL PRIMARY KEY,
         enabled TINYINT NOT NULL,
         retry_after_seconds INT NOT NULL,
         reason VARCHAR(200) NULL,
         changed_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB`,
    ],
  },
  {
    // Hard quotas are reserved atomically: a request that may count against a quota locks its
    // (month, quota) row by writing it (a row lock on one server, a certification conflict across a
    // Galera cluster), then counts usage plus reservations (pending activations) and only then reserves.
    version: 3,
    statements: [
      `CREATE TABLE IF NOT EXISTS lc_quota_locks (
         month CHAR(7) NOT NULL,
         quota VARCHAR(32) NOT NULL,
         version BIGINT NOT NULL,
         PRIMARY KEY (month, quota)
       ) ENGINE=InnoDB`,
      `CREATE INDEX IF NOT EXISTS ix_lc_activations_status ON lc_activations (status, created_at)`,
    ],
  },
];

const RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

export async function migrate(pool: Pool, now: () => Date = () => new Date(), opts: { startInMaintenance?: boolean } = {}): Promise<number> {
  let version = 0;
  for (const m of MIGRATIONS) {
    for (const sql of m.statements) await pool.query(sql);
    await pool.query("INSERT IGNORE INTO lc_schema_version (version, applied_at) VALUES (?, ?)", [m.version, now()]);
    version = m.version;
  }
  // only where no state was ever written (INSERT IGNORE on the one row): a restored or running database keeps its own
  if (opts.startInMaintenance) {
    await pool.query("INSERT IGNORE INTO lc_maintenance (id, enabled, retry_after_seconds, reason, changed_at) VALUES (1, 1, ?, ?, ?)", [
      STARTED_IN_MAINTENANCE.retryAfterSeconds,
      STARTED_IN_MAINTENANCE.reason,
      now(),
    ]);
  }
  return version;
}
