/**
 * Maintenance mode: while an operator moves a customer's data (edition change), depot, web-service and
 * admin ticket writes answer 503 with Retry-After on every line. The state is one row in the customer's
 * database (lc_maintenance), so stateless lines agree on it; each line re-reads it at most every
 * `pollMs`, which bounds how long a line may still accept writes after the switch. The line also counts
 * the requests it is serving, so whoever switched maintenance on can wait until nothing is half-written.
 */
import type { Pool } from "./db";
import { bad } from "./httpErrors";

export interface MaintenanceState {
  enabled: boolean;
  retryAfterSeconds: number;
  reason: string | null;
  changedAt: string | null;
}

export const MAINTENANCE_OFF: MaintenanceState = { enabled: false, retryAfterSeconds: 0, reason: null, changedAt: null };
export const DEFAULT_RETRY_AFTER_SECONDS = 30;
/** What a line started with LC_START_IN_MAINTENANCE=true sees (and writes) while no state was written. */
export const STARTED_IN_MAINTENANCE: MaintenanceState = {
  enabled: true,
  retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
  reason: "started in maintenance (LC_START_IN_MAINTENANCE): no maintenance state written yet",
  changedAt: null,
};

export function parseMaintenanceRequest(body: unknown): { enabled: boolean; retryAfterSeconds: number; reason: string | null } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw bad("body", "must be a JSON object");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!["enabled", "retryAfterSeconds", "reason"].includes(k)) throw bad(k, "unknown field");
  if (typeof b.enabled !== "boolean") throw bad("enabled", "is required and must be true or false");
  let retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
  if (b.retryAfterSeconds !== undefined) {
    const v = b.retryAfterSeconds;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 3600) throw bad("retryAfterSeconds", "must be an integer between 1 and 3600");
    retryAfterSeconds = v;
  }
  let reason: string | null = null;
  if (b.reason !== undefined) {
    if (typeof b.reason !== "string" || b.reason.length > 200) throw bad("reason", "must be a string of at most 200 characters");
    reason = b.reason;
  }
  return { enabled: b.enabled, retryAfterSeconds, reason };
}

export class MaintenanceGate {
  private state: MaintenanceState;
  private readAt = 0;
  private reading: Promise<MaintenanceState> | null = null;
  /** Requests that may write (depot, web services, admin ticket creation) being served by this line now. */
  inFlight = 0;

  constructor(
    private readonly pool: Pool,
    readonly pollMs: number,
    private readonly now: () => Date,
    /** The state while the table holds no row (also while a restore re-creates it): on with LC_START_IN_MAINTENANCE. */
    private readonly withoutRow: MaintenanceState = MAINTENANCE_OFF,
  ) {
    this.state = withoutRow;
  }

  /** The state as this line sees it (re-read from the database when older than pollMs; the last known one if the database does not answer). */
  async current(): Promise<MaintenanceState> {
    if (Date.now() - this.readAt < this.pollMs) return this.state;
    if (!this.reading) {
      this.reading = this.read()
        .then(
          (s) => {
            this.state = s;
            this.readAt = Date.now();
            return s;
          },
          () => this.state,
        )
        .finally(() => {
          this.reading = null;
        });
    }
    return this.reading;
  }

  /** What this line last observed, without touching the database. */
  observed(): { state: MaintenanceState; observedAt: string | null } {
    return { state: this.state, observedAt: this.readAt ? new Date(this.readAt).toISOString() : null };
  }

  async set(req: { enabled: boolean; retryAfterSeconds: number; reason: string | null }): Promise<MaintenanceState> {
    const at = this.now();
    await this.pool.query(
      `INSERT INTO lc_maintenance (id, enabled, retry_after_seconds, reason, changed_at) VALUES (1, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), retry_after_seconds = VALUES(retry_after_seconds), reason = VALUES(reason), changed_at = VALUES(changed_at)`,
      [req.enabled ? 1 : 0, req.retryAfterSeconds, req.reason, at],
    );
    this.state = { enabled: req.enabled, retryAfterSeconds: req.retryAfterSeconds, reason: req.reason, changedAt: at.toISOString() };
    this.readAt = Date.now();
    return this.state;
  }

  private async read(): Promise<MaintenanceState> {
    const [rows] = await this.pool.query("SELECT enabled, retry_after_seconds, reason, changed_at FROM lc_maintenance WHERE id = 1");
    const r = (rows as Array<{ enabled: number; retry_after_seconds: number; reason: string | null; changed_at: Date }>)[0];
    if (!r) return this.withoutRow;
    return { enabled: r.enabled === 1, retryAfterSeconds: r.retry_after_seconds, reason: r.reason, changedAt: r.changed_at.toISOString() };
  }
}
