/**
 * The status portal's customers file (status-portal/src/env.ts: PortalCustomers), rendered from the fleet and
 * the edition catalog (pure): the parts each customer's page lists (from the same fleet model the monitoring
 * labels its alerts with), the edition's guarantee (the catalog's availability), the time zone and language
 * (its notification language), and the hash of its portal password (hashed by the caller with the portal's
 * own code, status-portal/src/passwordHash.ts).
 */
import * as crypto from "crypto";
import { editionFacts } from "../../model/catalog";
import type { Fleet, MonitoredCustomer } from "../../model/fleet";
import { DEFAULT_TIME_ZONE, parsePortalCustomers, PortalCustomers } from "../../status-portal/src/env";
import { hashPortalPassword } from "../../status-portal/src/passwordHash";

/**
 * The stored hash of a customer's generated portal password, hashed with the portal's own code and a salt derived
 * from the customer and the password (HMAC-SHA256): the same password gives the same hash at every `up`, so the
 * customers file, and with it the portal's container, changes only when a password does. The salt still differs
 * per customer and per password, so equal hashes never reveal equal passwords; the password itself is random.
 */
export function stablePortalPasswordHash(customer: string, password: string): string {
  const salt = crypto.createHmac("sha256", "lchost status-portal password salt").update(`${customer}\0${password}`).digest().subarray(0, 16);
  return hashPortalPassword(password, undefined, salt);
}

/** The parts of a customer's page: entry, each line, the database, each FSB (`fsb` when it is a shared one). */
export function portalParts(c: MonitoredCustomer): string[] {
  const fsbs = c.fsbs.length === 1 && c.fsbs[0].shared ? ["fsb"] : c.fsbs.map((f) => f.part);
  return ["entry", ...c.lines.map((l) => l.part), "database", ...fsbs];
}

/** The customers file's JSON for the fleet; `passwordHashOf(customer)` gives each customer's hash. Validated by the portal's own parser before it is returned. */
export function renderPortalCustomers(fleet: Fleet, passwordHashOf: (customer: string) => string): string {
  const doc: PortalCustomers = { customers: {} };
  for (const c of fleet.customers) {
    doc.customers[c.customer] = {
      edition: c.edition,
      guaranteePercent: editionFacts(c.edition).availabilityPercent,
      parts: portalParts(c),
      passwordHash: passwordHashOf(c.customer),
      timeZone: DEFAULT_TIME_ZONE,
      language: c.notifications?.language ?? "de",
    };
  }
  parsePortalCustomers(doc); // what the portal would refuse at start is refused here, at plan time
  return `${JSON.stringify(doc, null, 2)}\n`;
}
