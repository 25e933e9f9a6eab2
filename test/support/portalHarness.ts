/**
 * A status portal running in-process on 127.0.0.1 against the services suite's MariaDB (a fresh database per
 * harness), with two customers (acme: High Availability, 2 lines; globex: Dedicated Server), its logs
 * captured, and a small cookie-keeping client for the pages.
 */
import type { FastifyInstance } from "fastify";
import { buildPortalApp } from "../../status-portal/src/app";
import { parsePortalConfig, PortalConfig } from "../../status-portal/src/config";
import { migratePortal, PortalDatabase } from "../../status-portal/src/db";
import { PortalCustomers } from "../../status-portal/src/env";
import { createLogger } from "../../status-portal/src/logger";
import { MonthAvailabilitySource, publishedAvailability } from "../../status-portal/src/monthAvailability";
import { hashPortalPassword } from "../../status-portal/src/passwordHash";
import { PortalStore } from "../../status-portal/src/store";
import { createTestDatabase, dropTestDatabase, testDbSettings } from "./mariadbServer";
import { LogCapture } from "./services";

export const AM_TOKEN = "portal-am-token-0123456789abcdef";
export const ADMIN_TOKEN = "portal-admin-token-0123456789abcdef";
export const PASSWORDS = { acme: "acme-portal-password-1", globex: "globex-portal-password-2", initech: "initech-portal-password-3" } as const;
// cheaper scrypt than production (N = 2^15) so the suite's many logins stay fast; verify reads N from the hash
const TEST_SCRYPT = { N: 4096, r: 8, p: 1 };

export function testCustomers(): PortalCustomers {
  return {
    customers: {
      acme: {
        edition: "high-availability",
        guaranteePercent: 99.9,
        parts: ["entry", "line-1", "line-2", "database", "fsb-1", "fsb-2"],
        passwordHash: hashPortalPassword(PASSWORDS.acme, TEST_SCRYPT),
        timeZone: "Europe/Berlin",
        language: "de",
      },
      globex: {
        edition: "dedicated",
        guaranteePercent: 99.5,
        parts: ["entry", "line-1", "database", "fsb"],
        passwordHash: hashPortalPassword(PASSWORDS.globex, TEST_SCRYPT),
        timeZone: "America/New_York",
        language: "en",
      },
      initech: {
        edition: "datacenter",
        guaranteePercent: 99.5,
        parts: ["entry", "line-1", "database", "fsb"],
        passwordHash: hashPortalPassword(PASSWORDS.initech, TEST_SCRYPT),
        timeZone: "Europe/Berlin",
        language: "de",
      },
    },
  };
}

export interface PortalHarness {
  url: string;
  app: FastifyInstance;
  store: PortalStore;
  db: PortalDatabase;
  database: string;
  logs: LogCapture;
  count(table: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startPortal(
  opts: { config?: Partial<PortalConfig>; monthAvailability?: MonthAvailabilitySource; now?: () => Date } = {},
): Promise<PortalHarness> {
  const database = await createTestDatabase("portal");
  const s = testDbSettings();
  const config: PortalConfig = {
    ...parsePortalConfig({
      DB_HOST: s.host,
      DB_PORT: String(s.port),
      DB_USER: s.user,
      DB_PASSWORD: s.password || "unused",
      DB_NAME: database,
      PORTAL_HOST: "127.0.0.1",
      PORTAL_PORT: "0",
      PORTAL_COOKIE_SECURE: "false",
      LOG_LEVEL: "info",
      // generous: tests post bursts of alerts through a pool of 10; a loaded machine must not turn them into 503s
      DB_TIMEOUT_MS: "20000",
    }),
    ...opts.config,
  };
  config.db.password = s.password;
  const db = new PortalDatabase(config.db);
  await migratePortal(db);
  const store = new PortalStore(db, opts.now);
  await store.syncCustomers(testCustomers());
  const logs = new LogCapture();
  const { app } = buildPortalApp(config, {
    logger: createLogger("info", logs),
    store,
    alertmanagerToken: AM_TOKEN,
    adminToken: ADMIN_TOKEN,
    monthAvailability: opts.monthAvailability ?? publishedAvailability(store),
    now: opts.now,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    app,
    store,
    db,
    database,
    logs,
    count: async (table) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n),
    stop: async () => {
      await app.close();
      await db.close();
      await dropTestDatabase(database);
    },
  };
}

export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** A browser-like client: keeps cookies, never follows redirects, posts forms. */
export class PortalClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(
    method: string,
    path: string,
    opts: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const headers: Record<string, string> = { ...this.headers, ...(opts.headers ?? {}) };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request("GET", path, { headers });
  }

  /** GET /login, then POST the form with the token it carried. */
  async login(username: string, password: string): Promise<PageResponse> {
    const page = await this.get("/login");
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    return this.request("POST", "/login", { form: { username, password, csrf } });
  }

  /** The CSRF token of the forms on a page. */
  static csrfOf(page: PageResponse): string {
    return /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
  }
}

/** A page's text as a reader sees it: tags dropped, whitespace collapsed (the HTML's line breaks are the formatter's). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** Alertmanager's webhook payload (version 4) of one alert of a customer. */
export function amAlert(labels: Record<string, string>, change: Record<string, unknown> = {}): any {
  return {
    status: "firing",
    labels: { alertname: "LineDown", customer: "acme", edition: "high-availability", severity: "warning", component: "line", part: "line-2", ...labels },
    annotations: { summary: "License Central line line-2 of acme is not running; the other lines carry the load." },
    startsAt: "2026-11-28T07:41:00.123Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://lc-ops-dc1-prometheus:9090/graph",
    fingerprint: "0123456789abcdef",
    ...change,
  };
}

export function amPayload(alerts: any[]): any {
  return {
    version: "4",
    groupKey: `{}:{alertname="${alerts[0].labels.alertname}", customer="${alerts[0].labels.customer}", part="${alerts[0].labels.part}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "status-portal",
    groupLabels: { alertname: alerts[0].labels.alertname, customer: alerts[0].labels.customer, part: alerts[0].labels.part },
    commonLabels: alerts[0].labels,
    commonAnnotations: alerts[0].annotations,
    externalURL: "http://lc-ops-dc1-alertmanager:9093",
    alerts,
  };
}

export async function postAlerts(
  base: string,
  payload: unknown,
  token: string | null = AM_TOKEN,
  raw?: { body: string; contentType: string },
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { "content-type": raw?.contentType ?? "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/v1/alertmanager`, { method: "POST", headers, body: raw?.body ?? JSON.stringify(payload) });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

export async function admin(
  base: string,
  method: string,
  path: string,
  json?: unknown,
  token: string | null = ADMIN_TOKEN,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
