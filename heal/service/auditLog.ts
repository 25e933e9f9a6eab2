/**
 * The heal service's audit log: one row per decision about one action (what, why, result), in its database
 * (MariaDB table `heal_actions`). The action budget (heal/actionBudget.ts) reads its history from the same
 * rows, so a restart of the service does not reset the count of failed attempts.
 */
import type { Pool, RowDataPacket } from "mysql2/promise";
import type { ActionRecord } from "../actionBudget";

export type AuditOutcome =
  /** dry run: what would have been done */
  | "planned"
  | "succeeded"
  | "failed"
  | "skipped"
  /** the budget said: not yet (one action per interval) */
  | "waited"
  /** the budget was spent: on-call paged */
  | "paged"
  /** paged before: nothing more is tried */
  | "given-up"
  /** a person cleared the key: the budget starts again */
  | "cleared";

export interface AuditRow {
  id?: number;
  at: Date;
  customer: string;
  playbook: string;
  /** partKey() of the part */
  part: string;
  alertName: string;
  alertFingerprint?: string;
  summary: string;
  dryRun: boolean;
  outcome: AuditOutcome;
  detail: string;
  /** For failed actions: the customer is no worse off than before; null when not applicable. */
  leftAsBefore: boolean | null;
}

export interface AuditLog {
  record(row: AuditRow): Promise<void>;
  /** The budget's history of one key: real (not dry-run) succeeded, failed, paged and cleared rows. */
  history(customer: string, playbook: string, part: string): Promise<ActionRecord[]>;
  rows(customer?: string): Promise<AuditRow[]>;
}

const BUDGET_OUTCOMES = ["succeeded", "failed", "paged", "cleared"] as const;
const MAX_DETAIL = 8000;

export const HEAL_ACTIONS_DDL = `CREATE TABLE IF NOT EXISTS heal_actions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(3) NOT NULL,
  customer VARCHAR(63) NOT NULL,
  playbook VARCHAR(64) NOT NULL,
  part VARCHAR(128) NOT NULL,
  alert_name VARCHAR(128) NOT NULL,
  alert_fingerprint VARCHAR(64) NULL,
  summary VARCHAR(1024) NOT NULL,
  dry_run BOOLEAN NOT NULL,
  outcome ENUM('planned','succeeded','failed','skipped','waited','paged','given-up','cleared') NOT NULL,
  detail TEXT NOT NULL,
  left_as_before BOOLEAN NULL,
  KEY heal_actions_budget (customer, playbook, part, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** The table in MariaDB (mysql2 pool with `timezone: "Z"`, so DATETIME is UTC). */
export class MariadbAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async init(): Promise<void> {
    await this.pool.query(HEAL_ACTIONS_DDL);
  }

  async record(r: AuditRow): Promise<void> {
    await this.pool.execute(
      "INSERT INTO heal_actions (at, customer, playbook, part, alert_name, alert_fingerprint, summary, dry_run, outcome, detail, left_as_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [
        r.at,
        r.customer,
        r.playbook,
        r.part,
        cut(r.alertName, 128),
        r.alertFingerprint ?? null,
        cut(r.summary, 1024),
        r.dryRun,
        r.outcome,
        cut(r.detail, MAX_DETAIL),
        r.leftAsBefore,
      ],
    );
  }

  async history(customer: string, playbook: string, part: string): Promise<ActionRecord[]> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT at, outcome FROM heal_actions WHERE customer = ? AND playbook = ? AND part = ? AND dry_run = 0 AND outcome IN (${BUDGET_OUTCOMES.map(() => "?").join(", ")}) ORDER BY id`,
      [customer, playbook, part, ...BUDGET_OUTCOMES],
    );
    return rows.map((x) => ({ at: new Date(x.at).getTime(), outcome: x.outcome }));
  }

  async rows(customer?: string): Promise<AuditRow[]> {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT * FROM heal_actions ${customer ? "WHERE customer = ?" : ""} ORDER BY id`,
      customer ? [customer] : [],
    );
    return rows.map((x) => ({
      id: Number(x.id),
      at: new Date(x.at),
      customer: x.customer,
      playbook: x.playbook,
      part: x.part,
      alertName: x.alert_name,
      alertFingerprint: x.alert_fingerprint ?? undefined,
      summary: x.summary,
      dryRun: Boolean(x.dry_run),
      outcome: x.outcome,
      detail: x.detail,
      leftAsBefore: x.left_as_before === null ? null : Boolean(x.left_as_before),
    }));
  }
}

/** The same log in memory (unit tests). */
export class MemoryAuditLog implements AuditLog {
  readonly all: AuditRow[] = [];
  async record(r: AuditRow): Promise<void> {
    this.all.push({ ...r, id: this.all.length + 1, detail: cut(r.detail, MAX_DETAIL) });
  }
  async history(customer: string, playbook: string, part: string): Promise<ActionRecord[]> {
    return this.all
      .filter(
        (r) => r.customer === customer && r.playbook === playbook && r.part === part && !r.dryRun && (BUDGET_OUTCOMES as readonly string[]).includes(r.outcome),
      )
      .map((r) => ({ at: r.at.getTime(), outcome: r.outcome as ActionRecord["outcome"] }));
  }
  async rows(customer?: string): Promise<AuditRow[]> {
    return this.all.filter((r) => !customer || r.customer === customer);
  }
}
