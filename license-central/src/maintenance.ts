/**
 * Maintenance mode: while an operator moves a customer's data (edition change), depot, web-service and
 * admin ticket writes answer 503 with Retry-After on every line. The state is one row in the customer's
 * database (lc_maintenance), so stateless lines agree on it; each line re-reads it at most every
 * `pollMs`, which bounds how long a line may still accept writes after the switch. The line also counts
 * the requests it is serving, so whoever switched maintenance on can wait until nothing is half-written.
 */
import type { LcStore } from "./store";
import { MAINTENANCE_OFF, MaintenanceState } from "./maintenanceState";

export { DEFAULT_RETRY_AFTER_SECONDS, MAINTENANCE_OFF, STARTED_IN_MAINTENANCE } from "./maintenanceState";
export type { MaintenanceState } from "./maintenanceState";

export interface MaintenanceRequest {
  enabled: boolean;
  retryAfterSeconds: number;
  reason: string | null;
}

export class MaintenanceGate {
  private state: MaintenanceState;
  private readAt = 0;
  private reading: Promise<MaintenanceState> | null = null;
  /** Requests that may write (depot, web services, admin ticket creation) being served by this line now. */
  inFlight = 0;
  /** Why the last read of the state failed (null after a good read): a write then fails at once instead of trying the database again. */
  lastReadError: unknown = null;

  constructor(
    private readonly store: LcStore,
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
            this.lastReadError = null;
            return s;
          },
          (err) => {
            this.lastReadError = err;
            return this.state;
          },
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

  async set(req: MaintenanceRequest): Promise<MaintenanceState> {
    const at = this.now();
    await this.store.writeMaintenance({ ...req, changedAt: at });
    this.state = { enabled: req.enabled, retryAfterSeconds: req.retryAfterSeconds, reason: req.reason, changedAt: at.toISOString() };
    this.readAt = Date.now();
    return this.state;
  }

  private async read(): Promise<MaintenanceState> {
    return (await this.store.readMaintenance()) ?? this.withoutRow;
  }
}
