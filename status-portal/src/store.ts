/** The portal's reads and writes (SQL only here). */
import * as crypto from "crypto";
import type { PortalDatabase, Queryable } from "./db";
import type { IncidentSeverity, MonthAvailabilityRequest, PortalCustomers, PortalLanguage } from "./env";
import type { AlertAction } from "./incidentsFromAlerts";

export interface CustomerView {
  name: string;
  edition: string;
  guaranteePercent: number;
  parts: string[];
  timeZone: string;
  /** The customers file's default language. */
  language: PortalLanguage;
  createdAt: Date;
}

export interface IncidentRow {
  id: string;
  scope: "customer" | "fleet";
  customer: string | null;
  source: "alert" | "manual";
  alertname: string | null;
  component: string | null;
  parts: string[];
  severity: IncidentSeverity;
  title: string | null;
  titleLanguage: PortalLanguage | null;
  summary: string | null;
  startedAt: Date;
  resolvedAt: Date | null;
  updatedAt: Date;
}

export interface IncidentUpdateRow {
  at: Date;
  kind: "detected" | "update" | "severity" | "resolved";
  author: "alertmanager" | "team";
  message: string | null;
  language: PortalLanguage | null;
}

export interface MaintenanceRow {
  id: string;
  customer: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  language: PortalLanguage;
  announcedAt: Date;
}

export type AlertOutcome = "opened" | "updated" | "unchanged" | "resolved" | "ignored";

const sha256hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

function incidentOf(r: any): IncidentRow {
  return {
    id: r.id,
    scope: r.scope,
    customer: r.customer,
    source: r.source,
    alertname: r.alertname,
    component: r.component,
    parts: JSON.parse(r.parts),
    severity: r.severity,
    title: r.title,
    titleLanguage: r.title_language,
    summary: r.summary,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    updatedAt: r.updated_at,
  };
}

export class PortalStore {
  constructor(
    readonly db: PortalDatabase,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- customers and users (mirrored from the customers file) ----

  /** Makes the customer and user tables say what the file says; a customer removed from the file can no longer log in. */
  async syncCustomers(file: PortalCustomers): Promise<void> {
    const now = this.now();
    await this.db.transaction(async (q) => {
      for (const [name, c] of Object.entries(file.customers)) {
        await q.query(
          `INSERT INTO portal_customers (name, edition, guarantee_percent, parts, default_time_zone, default_language, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE edition = VALUES(edition), guarantee_percent = VALUES(guarantee_percent), parts = VALUES(parts),
             default_time_zone = VALUES(default_time_zone), default_language = VALUES(default_language), updated_at = VALUES(updated_at)`,
          [name, c.edition, c.guaranteePercent, JSON.stringify(c.parts), c.timeZone, c.language, now, now],
        );
        await q.query(
          `INSERT INTO portal_users (username, customer, password_hash, updated_at) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE customer = VALUES(customer), password_hash = VALUES(password_hash), updated_at = VALUES(updated_at)`,
          [name, name, c.passwordHash, now],
        );
      }
      const names = Object.keys(file.customers);
      const gone = (await q.query<{ username: string }>("SELECT username FROM portal_users")).map((r) => r.username).filter((u) => !names.includes(u));
      for (const u of gone) {
        await q.query("DELETE FROM portal_users WHERE username = ?", [u]);
        await q.query("DELETE FROM portal_sessions WHERE customer = ?", [u]);
        await q.query("DELETE FROM portal_customers WHERE name = ?", [u]);
      }
    });
  }

  async user(username: string): Promise<{ customer: string; passwordHash: string } | undefined> {
    const [r] = await this.db.query("SELECT customer, password_hash FROM portal_users WHERE username = ?", [username]);
    return r ? { customer: r.customer, passwordHash: r.password_hash } : undefined;
  }

  async customer(name: string): Promise<CustomerView | undefined> {
    const [r] = await this.db.query(
      `SELECT c.*, s.time_zone AS chosen_time_zone FROM portal_customers c LEFT JOIN portal_settings s ON s.customer = c.name WHERE c.name = ?`,
      [name],
    );
    if (!r) return undefined;
    return {
      name: r.name,
      edition: r.edition,
      guaranteePercent: Number(r.guarantee_percent),
      parts: JSON.parse(r.parts),
      timeZone: r.chosen_time_zone ?? r.default_time_zone,
      language: r.default_language,
      createdAt: r.created_at,
    };
  }

  async customerNames(): Promise<string[]> {
    return (await this.db.query<{ name: string }>("SELECT name FROM portal_customers ORDER BY name")).map((r) => r.name);
  }

  async saveTimeZone(customer: string, timeZone: string): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_settings (customer, time_zone, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE time_zone = VALUES(time_zone), updated_at = VALUES(updated_at)`,
      [customer, timeZone, this.now()],
    );
  }

  // ---- sessions: the id goes to the cookie, only its hash to the table ----

  async createSession(customer: string, idleMinutes: number): Promise<{ id: string; csrf: string }> {
    const id = crypto.randomBytes(32).toString("base64url");
    const csrf = crypto.randomBytes(32).toString("base64url");
    const now = this.now();
    await this.db.query("INSERT INTO portal_sessions (id_hash, customer, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", [
      sha256hex(id),
      customer,
      csrf,
      now,
      now,
      new Date(now.getTime() + idleMinutes * 60_000),
    ]);
    // expired sessions of anyone go now and then, so the table does not grow
    if (Math.random() < 0.05) await this.db.query("DELETE FROM portal_sessions WHERE expires_at < ?", [now]);
    return { id, csrf };
  }

  /** The live session of a cookie's id (its idle expiry pushed on), or undefined. */
  async session(id: string, idleMinutes: number): Promise<{ customer: string; csrf: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const now = this.now();
    const [r] = await this.db.query("SELECT customer, csrf, expires_at, last_seen_at FROM portal_sessions WHERE id_hash = ?", [sha256hex(id)]);
    if (!r || r.expires_at.getTime() <= now.getTime()) return undefined;
    if (now.getTime() - r.last_seen_at.getTime() > 60_000) {
      await this.db.query("UPDATE portal_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?", [
        now,
        new Date(now.getTime() + idleMinutes * 60_000),
        sha256hex(id),
      ]);
    }
    return { customer: r.customer, csrf: r.csrf };
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.query("DELETE FROM portal_sessions WHERE id_hash = ?", [sha256hex(id)]);
  }

  // ---- incidents ----

  /** Applies one alert's action in one transaction; answers what happened (to the customer's incident). */
  async applyAlert(a: AlertAction): Promise<AlertOutcome> {
    if (a.kind === "ignore") return "ignored";
    const now = this.now();
    return this.db.transaction(async (q) => {
      const outcome = a.kind === "fire" ? await this.fire(q, a, a.key, "customer", a.customer, now) : await this.resolve(q, a.key, a.endsAt ?? now, now);
      if (a.fleetKey) {
        if (a.kind === "fire") await this.fire(q, a, a.fleetKey, "fleet", null, now);
        else {
          const [{ n }] = await q.query("SELECT COUNT(*) AS n FROM portal_incidents WHERE fleet_key = ? AND resolved_at IS NULL AND scope = 'customer'", [
            a.fleetKey,
          ]);
          if (Number(n) === 0) await this.resolve(q, a.fleetKey, a.endsAt ?? now, now);
        }
      }
      return outcome;
    });
  }

  private async fire(
    q: Queryable,
    a: Extract<AlertAction, { kind: "fire" | "resolve" }>,
    key: string,
    scope: "customer" | "fleet",
    customer: string | null,
    now: Date,
  ): Promise<AlertOutcome> {
    const [open] = await q.query("SELECT id, severity FROM portal_incidents WHERE open_key = ? FOR UPDATE", [key]);
    if (open) {
      if (open.severity === a.severity) {
        await q.query("UPDATE portal_incidents SET updated_at = ? WHERE id = ?", [now, open.id]);
        return "unchanged";
      }
      await q.query("UPDATE portal_incidents SET severity = ?, updated_at = ? WHERE id = ?", [a.severity, now, open.id]);
      await this.addUpdate(q, open.id, now, "severity", "alertmanager", a.severity, null);
      return "updated";
    }
    // a late retry of a notification whose alert has since been resolved opens nothing
    const [old] = await q.query("SELECT id FROM portal_incidents WHERE alert_key = ? AND alert_started_at = ? AND resolved_at IS NOT NULL LIMIT 1", [
      key,
      a.startsAt,
    ]);
    if (old) return "unchanged";
    const id = crypto.randomUUID();
    await q.query(
      `INSERT INTO portal_incidents (id, scope, customer, source, alert_key, open_key, fleet_key, alertname, component, parts, severity, title, title_language, summary,
         alert_started_at, started_at, resolved_at, updated_at)
       VALUES (?, ?, ?, 'alert', ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL, ?)`,
      [
        id,
        scope,
        customer,
        key,
        key,
        scope === "customer" ? a.fleetKey : null,
        a.alertname,
        a.component,
        JSON.stringify([a.pagePart]),
        a.severity,
        scope === "customer" ? a.summary : null,
        a.startsAt,
        a.startsAt,
        now,
      ],
    );
    await this.addUpdate(q, id, a.startsAt, "detected", "alertmanager", null, null);
    return "opened";
  }

  private async resolve(q: Queryable, key: string, at: Date, now: Date): Promise<AlertOutcome> {
    const [open] = await q.query("SELECT id, started_at FROM portal_incidents WHERE open_key = ? FOR UPDATE", [key]);
    if (!open) return "unchanged";
    const resolvedAt = at.getTime() < open.started_at.getTime() ? open.started_at : at;
    await q.query("UPDATE portal_incidents SET resolved_at = ?, open_key = NULL, updated_at = ? WHERE id = ?", [resolvedAt, now, open.id]);
    await this.addUpdate(q, open.id, resolvedAt, "resolved", "alertmanager", null, null);
    return "resolved";
  }

  private async addUpdate(
    q: Queryable,
    incidentId: string,
    at: Date,
    kind: IncidentUpdateRow["kind"],
    author: IncidentUpdateRow["author"],
    message: string | null,
    language: PortalLanguage | null,
  ) {
    await q.query("INSERT INTO portal_incident_updates (id, incident_id, at, kind, author, message, language) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      crypto.randomUUID(),
      incidentId,
      at,
      kind,
      author,
      message,
      language,
    ]);
  }

  async createManualIncident(i: {
    customer: string | null;
    title: string;
    message: string;
    severity: IncidentSeverity;
    parts: string[];
    language: PortalLanguage;
  }): Promise<IncidentRow> {
    const id = crypto.randomUUID();
    const now = this.now();
    await this.db.transaction(async (q) => {
      await q.query(
        `INSERT INTO portal_incidents (id, scope, customer, source, alert_key, open_key, fleet_key, alertname, component, parts, severity, title, title_language, summary,
           alert_started_at, started_at, resolved_at, updated_at)
         VALUES (?, ?, ?, 'manual', NULL, NULL, NULL, NULL, NULL, ?, ?, ?, ?, NULL, NULL, ?, NULL, ?)`,
        [id, i.customer === null ? "fleet" : "customer", i.customer, JSON.stringify(i.parts), i.severity, i.title, i.language, now, now],
      );
      await this.addUpdate(q, id, now, "detected", "team", i.message, i.language);
    });
    return (await this.incident(id))!;
  }

  /** A human update; `resolve` also closes the incident (an alert incident too: its later resolved notification then changes nothing). */
  async teamUpdate(id: string, message: string, language: PortalLanguage, resolve: boolean): Promise<IncidentRow | undefined> {
    const now = this.now();
    const found = await this.db.transaction(async (q) => {
      const [r] = await q.query("SELECT id, resolved_at FROM portal_incidents WHERE id = ? FOR UPDATE", [id]);
      if (!r) return false;
      if (resolve && r.resolved_at === null) {
        await q.query("UPDATE portal_incidents SET resolved_at = ?, open_key = NULL, updated_at = ? WHERE id = ?", [now, now, id]);
        await this.addUpdate(q, id, now, "resolved", "team", message, language);
      } else {
        await q.query("UPDATE portal_incidents SET updated_at = ? WHERE id = ?", [now, id]);
        await this.addUpdate(q, id, now, "update", "team", message, language);
      }
      return true;
    });
    return found ? this.incident(id) : undefined;
  }

  async incident(id: string): Promise<IncidentRow | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const [r] = await this.db.query("SELECT * FROM portal_incidents WHERE id = ?", [id]);
    return r ? incidentOf(r) : undefined;
  }

  async updates(incidentIds: string[]): Promise<Map<string, IncidentUpdateRow[]>> {
    const out = new Map<string, IncidentUpdateRow[]>(incidentIds.map((i) => [i, []]));
    if (incidentIds.length === 0) return out;
    const rows = await this.db.query(`SELECT * FROM portal_incident_updates WHERE incident_id IN (?) ORDER BY at, kind = 'resolved'`, [incidentIds]);
    for (const r of rows) out.get(r.incident_id)!.push({ at: r.at, kind: r.kind, author: r.author, message: r.message, language: r.language });
    return out;
  }

  /** A customer's incidents that were open at some time since `since` (open ones whatever their age), newest first. */
  async customerIncidents(customer: string, since: Date): Promise<IncidentRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM portal_incidents WHERE customer = ? AND scope = 'customer' AND (resolved_at IS NULL OR resolved_at >= ?) ORDER BY started_at DESC LIMIT 1000`,
      [customer, since],
    );
    return rows.map(incidentOf);
  }

  /**
   * The timelines of customerIncidents(customer, since), read in one query beside it (not after it, by id): the
   * same filter, so the map has an entry for each of those incidents (ids of incidents beyond its LIMIT are unused).
   */
  async customerIncidentUpdates(customer: string, since: Date): Promise<Map<string, IncidentUpdateRow[]>> {
    const rows = await this.db.query(
      `SELECT u.incident_id, u.at, u.kind, u.author, u.message, u.language FROM portal_incident_updates u
         JOIN portal_incidents i ON i.id = u.incident_id
       WHERE i.customer = ? AND i.scope = 'customer' AND (i.resolved_at IS NULL OR i.resolved_at >= ?)`,
      [customer, since],
    );
    const out = new Map<string, IncidentUpdateRow[]>();
    for (const r of rows) {
      let list = out.get(r.incident_id);
      if (!list) out.set(r.incident_id, (list = []));
      list.push({ at: r.at, kind: r.kind, author: r.author, message: r.message, language: r.language });
    }
    // the order of updates(): by time, "resolved" last among equals (sorted here: in SQL a temporary table and a filesort)
    const resolvedLast = (u: IncidentUpdateRow) => (u.kind === "resolved" ? 1 : 0);
    for (const list of out.values()) list.sort((a, b) => a.at.getTime() - b.at.getTime() || resolvedLast(a) - resolvedLast(b));
    return out;
  }

  /** Fleet-wide incidents open since `since`, newest first (the public page). */
  async fleetIncidents(since: Date): Promise<IncidentRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM portal_incidents WHERE scope = 'fleet' AND (resolved_at IS NULL OR resolved_at >= ?) ORDER BY started_at DESC LIMIT 200`,
      [since],
    );
    return rows.map(incidentOf);
  }

  /** Is any incident open, of anyone (the public page's overall state; it never says whose)? */
  async anyOpenIncident(): Promise<boolean> {
    return (await this.db.query("SELECT 1 AS open FROM portal_incidents WHERE resolved_at IS NULL LIMIT 1")).length > 0;
  }

  async openIncidents(filter: { customer?: string; fleet?: boolean } = {}): Promise<IncidentRow[]> {
    const where = ["resolved_at IS NULL"];
    const params: unknown[] = [];
    if (filter.customer !== undefined) {
      where.push("customer = ?");
      params.push(filter.customer);
    }
    if (filter.fleet) where.push("scope = 'fleet'");
    return (await this.db.query(`SELECT * FROM portal_incidents WHERE ${where.join(" AND ")} ORDER BY started_at DESC LIMIT 1000`, params)).map(incidentOf);
  }

  // ---- the SLA accounting's figures ----

  async saveMonthAvailability(customer: string, month: string, f: MonthAvailabilityRequest): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_month_availability (customer, month, availability_percent, minutes_down, minutes_maintenance, met, credit_percent, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE availability_percent = VALUES(availability_percent), minutes_down = VALUES(minutes_down),
         minutes_maintenance = VALUES(minutes_maintenance), met = VALUES(met), credit_percent = VALUES(credit_percent), updated_at = VALUES(updated_at)`,
      [customer, month, f.availabilityPercent, f.minutesDown, f.minutesMaintenance, f.met === null ? null : f.met ? 1 : 0, f.creditPercent, this.now()],
    );
  }

  async monthAvailability(customer: string, month: string): Promise<MonthAvailabilityRequest | undefined> {
    const [r] = await this.db.query("SELECT * FROM portal_month_availability WHERE customer = ? AND month = ?", [customer, month]);
    if (!r) return undefined;
    return {
      availabilityPercent: r.availability_percent === null ? null : Number(r.availability_percent),
      minutesDown: r.minutes_down,
      minutesMaintenance: r.minutes_maintenance,
      met: r.met === null ? null : r.met === 1,
      creditPercent: r.credit_percent === null ? null : Number(r.credit_percent),
    };
  }

  // ---- maintenance ----

  async addMaintenance(m: { customer: string | null; startsAt: Date; endsAt: Date; reason: string; language: PortalLanguage }): Promise<MaintenanceRow> {
    const row: MaintenanceRow = { id: crypto.randomUUID(), ...m, announcedAt: this.now() };
    await this.db.query("INSERT INTO portal_maintenance (id, customer, starts_at, ends_at, reason, language, announced_at) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      row.id,
      row.customer,
      row.startsAt,
      row.endsAt,
      row.reason,
      row.language,
      row.announcedAt,
    ]);
    return row;
  }

  /** Withdraws an announcement; false when there was none of that id. */
  async deleteMaintenance(id: string): Promise<boolean> {
    const r = await this.db.query("DELETE FROM portal_maintenance WHERE id = ?", [id]);
    // mysql2 answers a DELETE with a result header, not rows
    return (r as unknown as { affectedRows?: number }).affectedRows === 1;
  }

  /** Maintenance of this customer or of everyone (customer null: only everyone's) that ends after `since`. */
  async maintenance(customer: string | null, since: Date): Promise<MaintenanceRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM portal_maintenance WHERE (customer IS NULL OR customer = ?) AND ends_at >= ? ORDER BY starts_at LIMIT 200`,
      [customer ?? "", since],
    );
    return rows.map((r: any) => ({
      id: r.id,
      customer: r.customer,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      reason: r.reason,
      language: r.language,
      announcedAt: r.announced_at,
    }));
  }
}
