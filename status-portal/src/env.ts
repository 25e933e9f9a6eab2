/**
 * The status portal's contract: its environment variables, defaults, port and paths, the customers file
 * (type + validating parser) and the admin API's requests. The portal reads these; the operations stack,
 * the CLI (`lchost incident …`) and the sandbox write or call them. This file imports nothing, so the
 * toolkit may import it without pulling in the service.
 */
export const PORTAL_ENV = {
  /** TCP port of the HTTP server (pages, Atom feeds, Alertmanager webhook, admin API, /healthz, /metrics). */
  port: "PORTAL_PORT",
  /** Address to listen on. */
  host: "PORTAL_HOST",
  dbHost: "DB_HOST",
  dbPort: "DB_PORT",
  dbName: "DB_NAME",
  dbUser: "DB_USER",
  /** Secret. */
  dbPassword: "DB_PASSWORD",
  /** Milliseconds one statement (or acquiring a pooled connection) may take; then the request answers 503. */
  dbTimeoutMs: "DB_TIMEOUT_MS",
  /** Path of the customers file (JSON, secret: password hashes; mode 0600); re-read when it changes. */
  customersFile: "PORTAL_CUSTOMERS_FILE",
  /** Path of the file holding the bearer token Alertmanager presents (same content as Alertmanager's credentials_file). */
  alertmanagerTokenFile: "PORTAL_ALERTMANAGER_TOKEN_FILE",
  /** Path of the file holding the hosting team's bearer token for the admin API (`lchost incident …`). */
  adminTokenFile: "PORTAL_ADMIN_TOKEN_FILE",
  /** "true" (default) | "false": session cookies carry Secure (false only for a portal reached over plain http on loopback: tests). */
  cookieSecure: "PORTAL_COOKIE_SECURE",
  /** Minutes a session lives without a request (then the customer logs in again). */
  sessionIdleMinutes: "PORTAL_SESSION_IDLE_MINUTES",
  /** Failed logins per user name (and, ×4, per client address) within 15 minutes before logins are refused with 429. */
  loginFailuresAllowed: "PORTAL_LOGIN_FAILURES_ALLOWED",
  /**
   * Comma-separated addresses or CIDRs of the reverse proxy in front (the HTTPS entry): only from these is
   * X-Forwarded-For believed, so login throttling per client address sees the client, not the proxy. Unset: none.
   */
  trustedProxies: "PORTAL_TRUSTED_PROXIES",
  /** Request body limit in bytes (larger bodies: 413). */
  bodyLimitBytes: "PORTAL_BODY_LIMIT_BYTES",
  /** pino log level. */
  logLevel: "LOG_LEVEL",
} as const;

export const PORTAL_DEFAULTS = {
  port: 9096,
  host: "0.0.0.0",
  dbPort: 3306,
  dbTimeoutMs: 3000,
  customersFile: "/etc/lchost/status-portal/customers.json",
  alertmanagerTokenFile: "/etc/lchost/status-portal/alertmanager-token",
  adminTokenFile: "/etc/lchost/status-portal/admin-token",
  cookieSecure: true,
  sessionIdleMinutes: 60,
  loginFailuresAllowed: 5,
  bodyLimitBytes: 1024 * 1024,
  logLevel: "info",
} as const;

export const PORTAL_HEALTH_PATH = "/healthz";
export const PORTAL_METRICS_PATH = "/metrics";
/** Where Alertmanager posts (webhook_configs url), with `Authorization: Bearer <alertmanager token>`. */
export const PORTAL_ALERTMANAGER_PATH = "/v1/alertmanager";

/** The admin API (bearer: the admin token), called by `lchost incident post|update|resolve`. */
export const PORTAL_ADMIN_PATHS = {
  incidents: "/v1/admin/incidents",
  incident: (id: string) => `/v1/admin/incidents/${encodeURIComponent(id)}`,
  updates: (id: string) => `/v1/admin/incidents/${encodeURIComponent(id)}/updates`,
  resolve: (id: string) => `/v1/admin/incidents/${encodeURIComponent(id)}/resolve`,
  maintenance: "/v1/admin/maintenance",
  /** DELETE: withdraws an announcement (lchost maintenance announce undoes its own when a later step fails). */
  maintenanceEntry: (id: string) => `/v1/admin/maintenance/${encodeURIComponent(id)}`,
  /** PUT: this month's (or a past month's) SLA figures of one customer, as `lchost sla report` computes them. */
  availability: (customer: string, month: string) => `/v1/admin/availability/${encodeURIComponent(customer)}/${encodeURIComponent(month)}`,
} as const;

export const PORTAL_LANGUAGES = ["de", "en"] as const;
export type PortalLanguage = (typeof PORTAL_LANGUAGES)[number];
export const INCIDENT_SEVERITIES = ["warning", "critical"] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** `POST /v1/admin/incidents`: a manual incident, of one customer or (fleet: true) of the whole service (public page). */
export interface ManualIncidentRequest {
  /** The customer (a stack name); omitted when fleet is true. */
  customer?: string;
  fleet?: boolean;
  title: string;
  message: string;
  severity: IncidentSeverity;
  /** Parts affected (e.g. entry, line-2, database); shown on the customer's page. */
  parts?: string[];
  language?: PortalLanguage;
}

/** `POST /v1/admin/incidents/{id}/updates` and `/resolve`: a human update of the timeline. */
export interface IncidentUpdateRequest {
  message: string;
  language?: PortalLanguage;
}

/** `POST /v1/admin/maintenance`: announced maintenance of one customer or (customer omitted) every customer. */
export interface MaintenanceRequest {
  customer?: string;
  from: string;
  to: string;
  reason: string;
  language?: PortalLanguage;
}

/** What `POST /v1/admin/maintenance` answers (201). */
export interface MaintenanceSummary {
  id: string;
  customer: string | null;
  from: string;
  to: string;
}

/**
 * `PUT /v1/admin/availability/{customer}/{YYYY-MM}`: one customer's month as the SLA accounting computed it
 * (model/sla.ts SlaMonthResult); availabilityPercent null = nothing measured (the page then says "not measured yet").
 */
export interface MonthAvailabilityRequest {
  availabilityPercent: number | null;
  minutesDown: number;
  minutesMaintenance: number;
  met: boolean | null;
  /** The credit band's percentage of the monthly fee; null when unknown. */
  creditPercent: number | null;
}

/** What the admin API answers for an incident. */
export interface IncidentSummary {
  id: string;
  customer: string | null;
  scope: "customer" | "fleet";
  source: "alert" | "manual";
  status: "open" | "resolved";
  severity: IncidentSeverity;
  title: string;
  startedAt: string;
  resolvedAt: string | null;
}

// ---- the customers file ----

/** One customer of the portal: who logs in (user name = customer), which parts its page shows, its guarantee. */
export interface PortalCustomer {
  /** Catalog edition id (datacenter, dedicated, high-performance, high-availability). */
  edition: string;
  /** The edition's monthly availability guarantee in percent (the catalog's `availability`), e.g. 99.9. */
  guaranteePercent: number;
  /**
   * The parts its page lists, in order: `entry`, `line-<n>`, `database`, `fsb-<n>` (`fsb` for a shared FSB).
   * Alerts map to them by their `part` label (db-<n> → database, gateway → entry).
   */
  parts: string[];
  /** The portal password's hash (`scrypt$…`, see passwordHash.ts); the password itself never leaves the operations stack's secrets. */
  passwordHash: string;
  /** Default time zone of the pages (IANA name); the customer may change it in its settings. */
  timeZone: string;
  /** Default language of the pages; the customer's browser or the switch may choose the other. */
  language: PortalLanguage;
}

export interface PortalCustomers {
  customers: Record<string, PortalCustomer>;
}

/** A customers file that does not validate; `field` is the JSON path (e.g. `customers.acme.parts[1]`). */
export class CustomersFileError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`customers file: ${field}: ${reason}`);
    this.name = "CustomersFileError";
  }
}

/** A customer name (a Pulumi stack name, DNS label style): also the user name of its login. */
export const CUSTOMER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const PART_PATTERN = /^(entry|database|fsb|line-\d{1,2}|fsb-\d{1,2})$/;
export const PASSWORD_HASH_PATTERN = /^scrypt\$\d{1,7}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9+/=]{16,}\$[A-Za-z0-9+/=]{32,}$/;
export const DEFAULT_TIME_ZONE = "Europe/Berlin";

/** A time zone the runtime's Intl knows (IANA names such as Europe/Berlin, America/New_York, UTC). */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new CustomersFileError(field, "must be an object");
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, field: string, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new CustomersFileError(field ? `${field}.${k}` : k, `unknown key (allowed: ${allowed.join(", ")})`);
  }
}

function parseCustomer(v: unknown, field: string): PortalCustomer {
  const o = obj(v, field);
  onlyKeys(o, field, ["edition", "guaranteePercent", "parts", "passwordHash", "timeZone", "language"]);
  if (typeof o.edition !== "string" || !/^[a-z][a-z-]{0,40}$/.test(o.edition))
    throw new CustomersFileError(`${field}.edition`, "is required and must be an edition id (e.g. high-availability)");
  const g = o.guaranteePercent;
  if (typeof g !== "number" || !(g > 0 && g < 100))
    throw new CustomersFileError(`${field}.guaranteePercent`, `${JSON.stringify(g)} must be a number between 0 and 100 (e.g. 99.9)`);
  if (!Array.isArray(o.parts) || o.parts.length === 0) throw new CustomersFileError(`${field}.parts`, "is required and must be a non-empty list of parts");
  const seen = new Set<string>();
  o.parts.forEach((p, i) => {
    if (typeof p !== "string" || !PART_PATTERN.test(p))
      throw new CustomersFileError(`${field}.parts[${i}]`, `${JSON.stringify(p)} is not a part (entry, line-<n>, database, fsb, fsb-<n>)`);
    if (seen.has(p)) throw new CustomersFileError(`${field}.parts[${i}]`, `${JSON.stringify(p)} is listed twice`);
    seen.add(p);
  });
  // the hash is never echoed
  if (typeof o.passwordHash !== "string" || !PASSWORD_HASH_PATTERN.test(o.passwordHash)) {
    throw new CustomersFileError(
      `${field}.passwordHash`,
      "is required and must be a scrypt hash (scrypt$N$r$p$salt$hash, see status-portal/src/passwordHash.ts)",
    );
  }
  const timeZone = o.timeZone === undefined ? DEFAULT_TIME_ZONE : o.timeZone;
  if (typeof timeZone !== "string" || !isTimeZone(timeZone))
    throw new CustomersFileError(`${field}.timeZone`, `${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/Berlin)`);
  const language = o.language === undefined ? "de" : o.language;
  if (language !== "de" && language !== "en") throw new CustomersFileError(`${field}.language`, `${JSON.stringify(language)} is not one of de, en`);
  return { edition: o.edition, guaranteePercent: g, parts: o.parts as string[], passwordHash: o.passwordHash, timeZone, language };
}

/** Validates the parsed JSON of the customers file (pure); throws CustomersFileError naming the first bad field. */
export function parsePortalCustomers(value: unknown): PortalCustomers {
  const o = obj(value, "(root)");
  onlyKeys(o, "", ["customers"]);
  const inp = obj(o.customers ?? {}, "customers");
  const customers: Record<string, PortalCustomer> = {};
  for (const [name, c] of Object.entries(inp)) {
    if (!CUSTOMER_NAME_PATTERN.test(name)) throw new CustomersFileError(`customers.${name}`, `customer name must match ${CUSTOMER_NAME_PATTERN}`);
    customers[name] = parseCustomer(c, `customers.${name}`);
  }
  return { customers };
}

/** Parses the customers file's text (JSON); throws CustomersFileError. */
export function parsePortalCustomersJson(text: string): PortalCustomers {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    throw new CustomersFileError("(root)", `not valid JSON${at ? ` (at character ${at[1]})` : ""}`);
  }
  return parsePortalCustomers(value);
}

/** The portal's URL of a customer's page. */
export const customerPagePath = (customer: string) => `/c/${encodeURIComponent(customer)}`;
/** The customer's authenticated Atom feed (session cookie or HTTP Basic with the portal credentials). */
export const customerFeedPath = (customer: string) => `/c/${encodeURIComponent(customer)}/feed.atom`;
