/**
 * The record of announced maintenance that SLA accounting reads (docs/sla.md): a small JSON file, one
 * entry per announcement, written when maintenance is announced and kept for as long as months are
 * reported on. Alertmanager's silences are not that record: Alertmanager forgets an expired silence after
 * its retention (5 days by default) and keeps no announcement time.
 *
 *   { "announcements": [ { "customers": ["acme"], "from": "2026-02-12T02:00:00Z", "to": "2026-02-12T03:00:00Z",
 *                          "announcedAt": "2026-02-01T09:00:00Z", "reason": "database upgrade", "stack": "acme" } ] }
 *
 * `customers` are customer names (the `customer` label): a shared server's announcement lists its tenants.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { MaintenanceWindow } from "./sla";

/** Where the record is when no flag names it (lchost sla report --maintenance, lchost maintenance announce --maintenance-file). */
export const MAINTENANCE_FILE_ENV = "LCHOST_MAINTENANCE_FILE";
/** Relative to the project root; a missing default file means nothing was announced. */
export const DEFAULT_MAINTENANCE_FILE = path.join("maintenance", "announcements.json");

export interface MaintenanceAnnouncement extends MaintenanceWindow {
  customers: string[];
  announcedAt: Date;
  reason: string;
  /** The stack it was announced for (informational). */
  stack?: string;
}

/** The file (or a value in it) is not usable; the message names the file and the entry's path. */
export class MaintenanceFileError extends Error {}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses and checks the announcements file's text; every problem names `source` and the entry's path. */
export function parseMaintenanceAnnouncements(text: string, source: string): MaintenanceAnnouncement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MaintenanceFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const list = (doc as { announcements?: unknown } | null)?.announcements;
  if (!Array.isArray(list)) throw new MaintenanceFileError(`${source}: expected {"announcements": [...]}`);
  return list.map((raw, i) => {
    const at = `${source}: announcements[${i}]`;
    const e = raw as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || Array.isArray(e)) throw new MaintenanceFileError(`${at} is not an object`);
    const time = (k: string): Date => {
      const v = e[k];
      if (typeof v !== "string" || !ISO_TIME.test(v) || Number.isNaN(Date.parse(v)))
        throw new MaintenanceFileError(`${at}.${k}: ${JSON.stringify(v ?? null)} is not an ISO 8601 time with a time zone`);
      return new Date(v);
    };
    const customers = e.customers;
    if (!Array.isArray(customers) || customers.length === 0 || customers.some((c) => typeof c !== "string" || c === ""))
      throw new MaintenanceFileError(`${at}.customers: must be a non-empty list of customer names`);
    const from = time("from");
    const to = time("to");
    if (to.getTime() <= from.getTime()) throw new MaintenanceFileError(`${at}.to: ${e.to} must be after from ${e.from}`);
    const announcedAt = time("announcedAt");
    if (typeof e.reason !== "string" || e.reason.trim() === "") throw new MaintenanceFileError(`${at}.reason: must say why`);
    if (e.stack !== undefined && typeof e.stack !== "string") throw new MaintenanceFileError(`${at}.stack: must be a stack name`);
    return { customers: customers as string[], from, to, announcedAt, reason: e.reason, ...(e.stack !== undefined ? { stack: e.stack as string } : {}) };
  });
}

/** The windows of one customer. */
export function maintenanceOf(customer: string, announcements: MaintenanceAnnouncement[]): MaintenanceAnnouncement[] {
  return announcements.filter((a) => a.customers.includes(customer));
}

/** A time as the file holds it: ISO 8601 in UTC, whole seconds without ".000". */
export function announcementTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/**
 * The file's new text with `added` appended: the old document is kept as it was (its times and any extra
 * keys are not rewritten), the result is checked by the same parser that reads it. `oldText` undefined: a new file.
 */
export function appendMaintenanceAnnouncements(oldText: string | undefined, added: MaintenanceAnnouncement[], source: string): string {
  if (oldText !== undefined) parseMaintenanceAnnouncements(oldText, source);
  const doc = (oldText !== undefined ? JSON.parse(oldText) : { announcements: [] }) as { announcements: unknown[] };
  for (const a of added) {
    doc.announcements.push({
      customers: a.customers,
      ...(a.stack !== undefined ? { stack: a.stack } : {}),
      from: announcementTime(a.from),
      to: announcementTime(a.to),
      announcedAt: announcementTime(a.announcedAt),
      reason: a.reason,
    });
  }
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  parseMaintenanceAnnouncements(text, source);
  return text;
}

/**
 * Replaces a file's content all at once: written beside it under a temporary name, flushed, then renamed
 * over it, so a reader (sla report) sees the old text or the new, never half of one. Keeps the old mode.
 */
export function writeFileAtomically(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o644;
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = fs.openSync(temp, "wx", mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}
