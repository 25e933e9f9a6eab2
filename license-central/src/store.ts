/**
 * License Central's store: every SQL statement the service runs (besides the schema in db.ts), with typed
 * rows. Functions taking a `Conn` run inside the caller's transaction (see withTransaction); the others
 * use the database outside a transaction. Every statement has a deadline (db.ts, Database).
 */
import * as crypto from "crypto";
import type { Conn, Database, Queryable } from "./db";
import type { MaintenanceState } from "./maintenanceState";
import { monthOf, TicketItem } from "./validation";

export interface TicketRow {
  ticket: string;
  order_id: string;
  source: string;
  active_key: string | null;
  created_at: Date;
}

export type ActivationStatus = "pending" | "active" | "deactivated";

export interface ActivationRow {
  idempotency_key: string;
  ticket: string;
  container: string;
  status: ActivationStatus;
  created_at: Date;
  activated_at: Date | null;
  deactivated_at: Date | null;
  signed_update: string | null;
}

export type UsageKind = "activation" | "deactivation" | "ws_call";

export interface MonthlyUsage {
  activations: number;
  deactivations: number;
  webServiceCalls: number;
}

/** One index range scan (ix_lc_usage_month_kind) per month: cheap enough for every scrape. */
const USAGE_SQL = "SELECT kind, COUNT(*) AS n FROM lc_usage_events WHERE month = ? GROUP BY kind";

function usageOfRows(rows: unknown): MonthlyUsage {
  const by = new Map((rows as Array<{ kind: string; n: number | string }>).map((r) => [r.kind, Number(r.n)]));
  return { activations: by.get("activation") ?? 0, deactivations: by.get("deactivation") ?? 0, webServiceCalls: by.get("ws_call") ?? 0 };
}

interface WriteResult {
  affectedRows: number;
}

const quotaRowId = (month: string, quota: string) => `${month}/${quota}`;

export class LcStore {
  /** (month, quota) lock rows known to exist, so they are created once per process and month. */
  private readonly quotaRows = new Set<string>();

  constructor(readonly db: Database) {}

  transaction<T>(fn: (conn: Conn) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * Readiness: the database answers within `totalMs` (acquiring a connection included), and a Galera node is in
   * the primary component. A node cut off from its cluster's majority still answers `SELECT 1` but refuses
   * every table (docs/geo-clustering.md): its line must leave the balancer and DNS. MariaDB built with wsrep
   * reports `wsrep_ready OFF` on a server without Galera too, so `wsrep_on` decides whether it counts.
   */
  async ping(totalMs: number): Promise<void> {
    const started = Date.now();
    const [vars] = await this.db.query("SHOW VARIABLES LIKE 'wsrep_on'", [], totalMs);
    if ((vars as Array<{ Value?: string }>)[0]?.Value !== "ON") return;
    const [status] = await this.db.query("SHOW STATUS LIKE 'wsrep_ready'", [], Math.max(1, totalMs - (Date.now() - started)));
    if ((status as Array<{ Value?: string }>)[0]?.Value !== "ON") {
      throw Object.assign(new Error("the Galera node is not in the primary component (wsrep_ready is not ON)"), { code: "WSREP_NOT_READY" });
    }
  }

  // ---- tickets ------------------------------------------------------------------------------------

  async ticket(ticket: string, q: Queryable = this.db, forUpdate = false): Promise<TicketRow | undefined> {
    const [rows] = await q.query(`SELECT * FROM lc_tickets WHERE ticket = ?${forUpdate ? " FOR UPDATE" : ""}`, [ticket]);
    return (rows as TicketRow[])[0];
  }

  async ticketItems(ticket: string, q: Queryable = this.db): Promise<TicketItem[]> {
    const [items] = await q.query("SELECT product_code, quantity FROM lc_ticket_items WHERE ticket = ? ORDER BY line_no", [ticket]);
    return (items as Array<{ product_code: number | string; quantity: number }>).map((i) => ({ productCode: Number(i.product_code), quantity: i.quantity }));
  }

  async ticketOfOrder(orderId: string): Promise<string | undefined> {
    const [rows] = await this.db.query("SELECT ticket FROM lc_tickets WHERE order_id = ?", [orderId]);
    return (rows as Array<{ ticket: string }>)[0]?.ticket;
  }

  /** Inserts a ticket with its items (throws ER_DUP_ENTRY for a known orderId or a colliding code). */
  async insertTicket(conn: Conn, t: { ticket: string; orderId: string; source: string; createdAt: Date; items: TicketItem[] }): Promise<void> {
    await conn.query("INSERT INTO lc_tickets (ticket, order_id, source, active_key, created_at) VALUES (?, ?, ?, NULL, ?)", [
      t.ticket,
      t.orderId,
      t.source,
      t.createdAt,
    ]);
    let line = 0;
    for (const it of t.items) {
      await conn.query("INSERT INTO lc_ticket_items (ticket, line_no, product_code, quantity) VALUES (?, ?, ?, ?)", [
        t.ticket,
        ++line,
        it.productCode,
        it.quantity,
      ]);
    }
  }

  async setActiveKey(conn: Conn, ticket: string, key: string | null): Promise<void> {
    await conn.query("UPDATE lc_tickets SET active_key = ? WHERE ticket = ?", [key, ticket]);
  }

  /** Frees the ticket only if `key` still holds it. */
  async releaseActiveKey(conn: Conn, ticket: string, key: string): Promise<void> {
    await conn.query("UPDATE lc_tickets SET active_key = NULL WHERE ticket = ? AND active_key = ?", [ticket, key]);
  }

  // ---- activations --------------------------------------------------------------------------------

  async activation(key: string, q: Queryable = this.db, forUpdate = false): Promise<ActivationRow | undefined> {
    const [rows] = await q.query(`SELECT * FROM lc_activations WHERE idempotency_key = ?${forUpdate ? " FOR UPDATE" : ""}`, [key]);
    return (rows as ActivationRow[])[0];
  }

  async insertPendingActivation(conn: Conn, a: { key: string; ticket: string; container: string; createdAt: Date }): Promise<void> {
    await conn.query("INSERT INTO lc_activations (idempotency_key, ticket, container, status, created_at) VALUES (?, ?, ?, 'pending', ?)", [
      a.key,
      a.ticket,
      a.container,
      a.createdAt,
    ]);
  }

  /** Deletes the activation if it is still pending; true when it did. */
  async deletePendingActivation(conn: Conn, key: string): Promise<boolean> {
    const [res] = await conn.query("DELETE FROM lc_activations WHERE idempotency_key = ? AND status = 'pending'", [key]);
    return (res as WriteResult).affectedRows === 1;
  }

  /** Completes a pending activation; false when it was not pending any more (completed by someone else). */
  async completeActivation(conn: Conn, key: string, at: Date, signedUpdate: string): Promise<boolean> {
    const [res] = await conn.query(
      "UPDATE lc_activations SET status = 'active', activated_at = ?, signed_update = ? WHERE idempotency_key = ? AND status = 'pending'",
      [at, signedUpdate, key],
    );
    return (res as WriteResult).affectedRows === 1;
  }

  async markDeactivated(conn: Conn, key: string, at: Date): Promise<void> {
    await conn.query("UPDATE lc_activations SET status = 'deactivated', deactivated_at = ? WHERE idempotency_key = ?", [at, key]);
  }

  // ---- metering -----------------------------------------------------------------------------------

  async usage(month: string, q: Queryable = this.db): Promise<MonthlyUsage> {
    const [rows] = await q.query(USAGE_SQL, [month]);
    return usageOfRows(rows);
  }

  /** The month's usage within `totalMs` (acquiring a connection included): the metrics read it at every scrape. */
  async usageWithin(month: string, totalMs: number): Promise<MonthlyUsage> {
    const [rows] = await this.db.query(USAGE_SQL, [month], totalMs);
    return usageOfRows(rows);
  }

  /** Usage events of these kinds in a month (index ix_lc_usage_month_kind). */
  async countUsage(q: Queryable, month: string, kinds: UsageKind[]): Promise<number> {
    const [rows] = await q.query("SELECT COUNT(*) AS n FROM lc_usage_events WHERE month = ? AND kind IN (?)", [month, kinds]);
    return Number((rows as Array<{ n: number | string }>)[0].n);
  }

  /**
   * Activations and deactivations of a month, counting activations not completed yet (pending: each will
   * count once it completes) — in one statement, so one read view: a completion turning a pending row
   * into a usage event between two separate counts would be missed by both.
   */
  async countActivationsWithReservations(q: Queryable, month: string): Promise<number> {
    const from = new Date(`${month}-01T00:00:00.000Z`);
    const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
    const [rows] = await q.query(
      `SELECT (SELECT COUNT(*) FROM lc_usage_events WHERE month = ? AND kind IN ('activation', 'deactivation'))
            + (SELECT COUNT(*) FROM lc_activations WHERE status = 'pending' AND created_at >= ? AND created_at < ?) AS n`,
      [month, from, to],
    );
    return Number((rows as Array<{ n: number | string }>)[0].n);
  }

  /**
   * Creates the (month, quota) lock row if this process has not seen it yet. Called before a transaction
   * opens, never inside one: a transaction that held its connection while it took a second one from the
   * pool starved the pool under concurrency (ten holders each waited for an eleventh connection of ten,
   * and all fifty requests timed out). Autocommit, so racing first inserts cannot deadlock.
   */
  async ensureQuotaRow(month: string, quota: string): Promise<void> {
    const id = quotaRowId(month, quota);
    if (this.quotaRows.has(id)) return;
    await this.db.query("INSERT IGNORE INTO lc_quota_locks (month, quota, version) VALUES (?, ?, 0)", [month, quota]);
    this.quotaRows.add(id);
  }

  /**
   * Serialises every request that may count against (month, quota) until `conn`'s transaction ends, on
   * `conn` only: the row is written, not only locked, so concurrent transactions on other Galera nodes
   * conflict at commit (and are retried) instead of both passing. When the row is missing
   * (a month turned since ensureQuotaRow, or a restore of an older dump) it is created here; racing
   * creators queue on its key, and a deadlock or Galera certification conflict is retried by
   * Database.transaction.
   */
  async lockQuota(conn: Conn, month: string, quota: string): Promise<void> {
    const [res] = await conn.query("UPDATE lc_quota_locks SET version = version + 1 WHERE month = ? AND quota = ?", [month, quota]);
    if ((res as WriteResult).affectedRows === 1) return;
    this.quotaRows.delete(quotaRowId(month, quota));
    await conn.query("INSERT INTO lc_quota_locks (month, quota, version) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE version = version + 1", [month, quota]);
  }

  async recordUsage(q: Queryable, kind: UsageKind, at: Date, ref: string | null): Promise<void> {
    await q.query("INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES (?, ?, ?, ?, ?)", [crypto.randomUUID(), monthOf(at), kind, at, ref]);
  }

  // ---- maintenance --------------------------------------------------------------------------------

  async readMaintenance(): Promise<MaintenanceState | undefined> {
    const [rows] = await this.db.query("SELECT enabled, retry_after_seconds, reason, changed_at FROM lc_maintenance WHERE id = 1");
    const r = (rows as Array<{ enabled: number; retry_after_seconds: number; reason: string | null; changed_at: Date }>)[0];
    if (!r) return undefined;
    return { enabled: r.enabled === 1, retryAfterSeconds: r.retry_after_seconds, reason: r.reason, changedAt: r.changed_at.toISOString() };
  }

  async writeMaintenance(s: { enabled: boolean; retryAfterSeconds: number; reason: string | null; changedAt: Date }): Promise<void> {
    // one row that every line of a customer may write: on a Galera cluster two nodes writing it at once fail
    // certification with a deadlock error for one of them; the write is idempotent, so it is simply done again
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeMaintenanceOnce(s);
        return;
      } catch (err) {
        if ((err as { errno?: number }).errno !== 1213 || attempt >= 3) throw err;
      }
    }
  }

  private async writeMaintenanceOnce(s: { enabled: boolean; retryAfterSeconds: number; reason: string | null; changedAt: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO lc_maintenance (id, enabled, retry_after_seconds, reason, changed_at) VALUES (1, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), retry_after_seconds = VALUES(retry_after_seconds), reason = VALUES(reason), changed_at = VALUES(changed_at)`,
      [s.enabled ? 1 : 0, s.retryAfterSeconds, s.reason, s.changedAt],
    );
  }
}
