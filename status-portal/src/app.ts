/**
 * The status portal's HTTP server: server-rendered pages for customers (after login) and the public, the
 * customer's Atom feed, Alertmanager's webhook (incidents from alerts), the hosting team's admin API, and
 * /healthz, /metrics. A customer only ever sees its own pages: any other customer's URL answers the same 404
 * as a page that does not exist.
 */
import * as crypto from "crypto";
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Counter, Registry, collectDefaultMetrics } from "prom-client";
import { AJV_OPTIONS, AlertmanagerPayload, alertmanagerPayloadSchema, schemaErrorToHttpError } from "../../notifier/src/alertmanagerPayload";
import { answerClientError, bad, HttpError, sendClientError, sendInternalError, truncateForEcho } from "../../service-kit/src/httpErrors";
import type { PortalConfig } from "./config";
import { DbTimeoutError } from "./db";
import {
  customerPagePath,
  CUSTOMER_NAME_PATTERN,
  IncidentSummary,
  IncidentUpdateRequest,
  INCIDENT_SEVERITIES,
  isTimeZone,
  MaintenanceRequest,
  ManualIncidentRequest,
  MonthAvailabilityRequest,
  PART_PATTERN,
  PortalLanguage,
  PORTAL_ADMIN_PATHS,
  PORTAL_ALERTMANAGER_PATH,
  PORTAL_ENV,
  PORTAL_HEALTH_PATH,
  PORTAL_LANGUAGES,
  PORTAL_METRICS_PATH,
} from "./env";
import { MESSAGES, pickLanguage } from "./i18n";
import { alertActions } from "./incidentsFromAlerts";
import { LoginThrottle } from "./loginThrottle";
import type { MonthAvailabilitySource } from "./monthAvailability";
import { atomFeed, customerPage, incidentPage, loginPage, notFoundPage, PageContext, publicPage } from "./pages/render";
import { PORTAL_CSS } from "./pages/portalCss";
import { dailyHistory, IncidentSpan, overallState, partStates } from "./partStatus";
import { unknownUserHash, verifyPortalPassword } from "./passwordHash";
import type { CustomerView, IncidentRow, PortalStore } from "./store";
import { utcMonth } from "./timeFormat";

export interface PortalAppOptions {
  logger: Logger;
  store: PortalStore;
  alertmanagerToken: string;
  adminToken: string;
  monthAvailability: MonthAvailabilitySource;
  now?: () => Date;
  defaultMetrics?: boolean;
}

export function listenerTimeouts() {
  return { connectionTimeout: 60_000, keepAliveTimeout: 5_000, requestTimeout: 30_000, headersTimeout: 10_000 };
}

const DAY = 86_400_000;
const LANG_COOKIE = "portal_lang";
const LOGIN_CSRF_COOKIE = "portal_login_csrf";
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest();
/** Equal-length digests: the comparison takes the same time whatever was sent. */
const sameSecret = (a: string, b: string) => crypto.timingSafeEqual(sha256(a), sha256(b));

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (!(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

const isApi = (url: string) => url.startsWith("/v1/") || url === PORTAL_HEALTH_PATH || url === PORTAL_METRICS_PATH;

const str = (max: number, description: string, min = 1) => ({ type: "string", minLength: min, maxLength: max, description });
const languageSchema = { type: "string", enum: [...PORTAL_LANGUAGES], description: `must be one of ${PORTAL_LANGUAGES.join(", ")}` };
const incidentIdParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[0-9a-f-]{36}$", description: "must be an incident id" } },
} as const;
const customerParams = {
  type: "object",
  required: ["customer"],
  properties: {
    customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer name" },
    id: { type: "string", maxLength: 36, description: "must be an incident id" },
  },
} as const;

export function buildPortalApp(config: PortalConfig, opts: PortalAppOptions): { app: FastifyInstance; registry: Registry } {
  const store = opts.store;
  const now = opts.now ?? (() => new Date());
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const alertsHandled = new Counter({
    name: "portal_alerts_total",
    help: "Alerts of Alertmanager notifications, by what they did to the customer's incident (opened, updated, unchanged, resolved, ignored)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const logins = new Counter({
    name: "portal_logins_total",
    help: "Login attempts by outcome (ok, failed, throttled, csrf)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const refused = new Counter({
    name: "portal_api_refused_total",
    help: "API requests refused, by route and HTTP status",
    labelNames: ["route", "status"],
    registers: [registry],
  });
  for (const o of ["opened", "updated", "unchanged", "resolved", "ignored"]) alertsHandled.labels(o);
  for (const o of ["ok", "failed", "throttled", "csrf"]) logins.labels(o);

  const throttle = new LoginThrottle(config.loginFailuresAllowed);
  const sessionCookie = config.cookieSecure ? "__Host-portal_session" : "portal_session";
  const secure = config.cookieSecure ? "; Secure" : "";

  const t = listenerTimeouts();
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: t.connectionTimeout,
    keepAliveTimeout: t.keepAliveTimeout,
    requestTimeout: t.requestTimeout,
    return503OnClosing: true,
    // only the configured proxy's X-Forwarded-For is believed: the login throttle keys on the client's address
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    schemaErrorFormatter: schemaErrorToHttpError,
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = t.headersTimeout;
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(String(body))) if (!(k in out)) out[k] = v;
    done(null, out);
  });

  // ---- language, pages, errors ----

  function languageOf(req: FastifyRequest, fallback?: PortalLanguage): PortalLanguage {
    return pickLanguage({
      query: (req.query as Record<string, unknown> | undefined)?.lang,
      cookie: parseCookies(req.headers.cookie)[LANG_COOKIE],
      acceptLanguage: req.headers["accept-language"],
      fallback,
    });
  }

  function sendPage(req: FastifyRequest, reply: FastifyReply, status: number, body: string): FastifyReply {
    const lang = (req.query as Record<string, unknown> | undefined)?.lang;
    if (lang === "de" || lang === "en")
      reply.header("Set-Cookie", [...cookiesOf(reply), `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax${secure}`]);
    return reply.code(status).header("Content-Type", "text/html; charset=utf-8").header("Vary", "Accept-Language, Cookie").send(body);
  }

  function cookiesOf(reply: FastifyReply): string[] {
    const v = reply.getHeader("Set-Cookie");
    return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
  }

  const pathOf = (req: FastifyRequest) => req.url.split("?")[0];
  const ctxOf = (req: FastifyRequest, language: PortalLanguage, session?: { customer: string; csrf: string }): PageContext => ({
    language,
    path: pathOf(req),
    session,
  });

  function sendNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    // the same page whatever was asked for (its language switch leads home): another customer's URL tells nothing
    return sendPage(req, reply, 404, notFoundPage({ language: languageOf(req), path: "/" }));
  }

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the portal's own form posts
    reply.header("Referrer-Policy", "same-origin");
    reply.header("X-Frame-Options", "DENY");
    reply.header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if (!reply.hasHeader("Cache-Control")) reply.header("Cache-Control", "no-store");
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    const e = err as { statusCode?: number; code?: string };
    if (
      err instanceof DbTimeoutError ||
      ["ECONNREFUSED", "PROTOCOL_CONNECTION_LOST", "ETIMEDOUT", "ER_CON_COUNT_ERROR", "POOL_CLOSED"].includes(String(e.code))
    ) {
      reply.log.warn({ code: e.code }, "database unavailable");
      reply.header("Retry-After", "5");
      if (isApi(pathOf(req)))
        return reply.code(503).send({ error: "database_unavailable", message: "the portal's database does not answer; try again shortly" });
      return reply.code(503).header("Content-Type", "text/plain; charset=utf-8").send("503 – the status portal's database does not answer; try again shortly");
    }
    const status = e.statusCode;
    if (status && status >= 400 && status < 500 && isApi(pathOf(req))) refused.labels(req.routeOptions.url ?? "none", String(status)).inc();
    if (!isApi(pathOf(req)) && status && status >= 400 && status < 500) {
      if (status === 404) return sendNotFound(req, reply);
      return reply
        .code(status)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(`${status} – ${err instanceof HttpError ? err.message : "bad request"}`);
    }
    return sendClientError(reply, err, PORTAL_ENV.bodyLimitBytes) ?? sendInternalError(reply, err);
  });
  app.setNotFoundHandler((req, reply) => {
    if (isApi(pathOf(req)))
      return sendClientError(
        reply,
        new HttpError(404, "not_found", `no route ${req.method} ${truncateForEcho(pathOf(req))}`, "path"),
        PORTAL_ENV.bodyLimitBytes,
      )!;
    return sendNotFound(req, reply);
  });

  // ---- sessions and who is asking ----

  async function sessionOf(req: FastifyRequest): Promise<{ id: string; customer: string; csrf: string } | undefined> {
    const id = parseCookies(req.headers.cookie)[sessionCookie];
    if (!id) return undefined;
    const s = await store.session(id, config.sessionIdleMinutes);
    return s ? { id, ...s } : undefined;
  }

  /** The user name and password of a login form or Basic header, checked with throttling; the customer on success. */
  async function checkCredentials(
    username: string,
    password: string,
    address: string,
  ): Promise<{ ok: true; customer: string } | { ok: false; retryAfter: number }> {
    const wait = throttle.retryAfterSeconds(username, address);
    if (wait > 0) {
      logins.labels("throttled").inc();
      return { ok: false, retryAfter: wait };
    }
    const user = CUSTOMER_NAME_PATTERN.test(username) ? await store.user(username) : undefined;
    // an unknown user name costs the same scrypt as a known one
    const match = await verifyPortalPassword(password, user?.passwordHash ?? unknownUserHash());
    if (!user || !match) {
      throttle.failed(username, address);
      logins.labels("failed").inc();
      return { ok: false, retryAfter: 0 };
    }
    throttle.succeeded(username);
    logins.labels("ok").inc();
    return { ok: true, customer: user.customer };
  }

  function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
    const m = typeof header === "string" ? /^Basic\s+([A-Za-z0-9+/=]{1,2048})\s*$/i.exec(header) : null;
    if (!m) return undefined;
    const text = Buffer.from(m[1], "base64").toString("utf8");
    const i = text.indexOf(":");
    return i < 0 ? undefined : { username: text.slice(0, i), password: text.slice(i + 1) };
  }

  /**
   * The customer of a /c/:customer/… request, or undefined after answering: no identity → login (pages) or
   * 401 (the feed, which also takes HTTP Basic); another customer's or an unknown name → the same 404.
   */
  async function customerGuard(
    req: FastifyRequest<{ Params: { customer: string } }>,
    reply: FastifyReply,
    opts: { basic?: boolean } = {},
  ): Promise<{ customer: CustomerView; session?: { id: string; customer: string; csrf: string } } | undefined> {
    // the named customer's row is read beside the session (one round trip, not two in a row); it is used only
    // once the session (or Basic login) has proven to be that customer
    const [session, named] = await Promise.all([sessionOf(req), store.customer(req.params.customer)]);
    let who = session?.customer;
    if (!who && opts.basic) {
      const creds = basicCredentials(req.headers.authorization);
      if (creds) {
        const r = await checkCredentials(creds.username, creds.password, req.ip);
        if (r.ok) who = r.customer;
        else if (r.retryAfter > 0) {
          reply.code(429).header("Retry-After", String(r.retryAfter)).header("Content-Type", "text/plain; charset=utf-8").send("429 – too many failed logins");
          return undefined;
        }
      }
    }
    if (!who) {
      if (opts.basic) {
        reply
          .code(401)
          .header("WWW-Authenticate", 'Basic realm="lchost status", charset="UTF-8"')
          .header("Content-Type", "text/plain; charset=utf-8")
          .send("401 – log in with your portal credentials");
      } else reply.code(303).header("Location", "/login").send();
      return undefined;
    }
    if (who !== req.params.customer) {
      sendNotFound(req, reply);
      return undefined;
    }
    const customer = named;
    if (!customer) {
      sendNotFound(req, reply);
      return undefined;
    }
    return { customer, session };
  }

  function csrfOk(req: FastifyRequest, expected: string): boolean {
    const sent = (req.body as Record<string, unknown> | undefined)?.csrf;
    // a cross-site form post from a browser names its origin: it must be this host
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== "null") {
      try {
        if (new URL(origin).host !== req.headers.host) return false;
      } catch {
        return false;
      }
    } else if (origin === "null") return false;
    return typeof sent === "string" && sent.length > 0 && expected.length > 0 && sameSecret(sent, expected);
  }

  // ---- public routes ----

  app.get(PORTAL_HEALTH_PATH, async () => ({ status: "ok" }));
  app.get(PORTAL_METRICS_PATH, async (_req, reply) => {
    reply.header("Content-Type", registry.contentType);
    return registry.metrics();
  });
  app.get("/portal.css", async (_req, reply) =>
    reply.header("Content-Type", "text/css; charset=utf-8").header("Cache-Control", "public, max-age=3600").send(PORTAL_CSS),
  );

  // The public page is the same for everyone in a language: built at most once a second (on the app's clock),
  // and anew after any write through this portal, so what this portal was just told shows at once; another
  // replica's writes show within the second. A write (any POST/PUT/DELETE) clears it when it starts and when it
  // has answered, and a page built while one ran is not kept.
  const publicPages = new Map<PortalLanguage, { at: number; body: string }>();
  let writes = 0;
  const written = async (req: FastifyRequest) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      writes++;
      publicPages.clear();
    }
  };
  app.addHook("onRequest", written);
  app.addHook("onResponse", written);

  app.get("/", async (req, reply) => {
    const at = now();
    const language = languageOf(req);
    const cached = publicPages.get(language);
    if (cached && Math.abs(at.getTime() - cached.at) < 1000) return sendPage(req, reply, 200, cached.body);
    const generation = writes;
    const [open, recent, maintenance, anyOpen] = await Promise.all([
      store.openIncidents({ fleet: true }),
      store.fleetIncidents(new Date(at.getTime() - 30 * DAY)),
      store.maintenance(null, at),
      store.anyOpenIncident(),
    ]);
    const updates = await store.updates([...new Set([...open, ...recent].map((i) => i.id))]);
    // the overall state: fleet incidents as they are; any customer's open incident makes it at most "impaired"
    let overall = overallState(open.map(span));
    if (overall === "operational" && anyOpen) overall = "degraded";
    const body = publicPage({ now: at, overall, open, recent, updates, maintenance }, ctxOf(req, language));
    if (generation === writes) publicPages.set(language, { at: at.getTime(), body });
    return sendPage(req, reply, 200, body);
  });

  app.get("/login", async (req, reply) => {
    const session = await sessionOf(req);
    if (session) return reply.code(303).header("Location", customerPagePath(session.customer)).send();
    const token = crypto.randomBytes(32).toString("base64url");
    reply.header("Set-Cookie", [`${LOGIN_CSRF_COOKIE}=${token}; Path=/login; HttpOnly; SameSite=Strict${secure}`]);
    return sendPage(req, reply, 200, loginPage(ctxOf(req, languageOf(req)), token));
  });

  app.post<{ Body: { username: string; password: string; csrf: string } }>(
    "/login",
    {
      schema: {
        body: {
          type: "object",
          required: ["username", "password", "csrf"],
          properties: {
            username: str(100, "is required (your customer name)"),
            password: str(1024, "is required"),
            csrf: str(100, "is required (reload the login page)"),
          },
        },
      },
    },
    async (req, reply) => {
      const language = languageOf(req);
      const m = MESSAGES[language];
      const expected = parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE] ?? "";
      const fresh = crypto.randomBytes(32).toString("base64url");
      const again = (status: number, error: string) => {
        reply.header("Set-Cookie", [`${LOGIN_CSRF_COOKIE}=${fresh}; Path=/login; HttpOnly; SameSite=Strict${secure}`]);
        return sendPage(req, reply, status, loginPage(ctxOf(req, language), fresh, error));
      };
      if (!csrfOk(req, expected)) {
        logins.labels("csrf").inc();
        return again(403, m.login.failed);
      }
      const r = await checkCredentials(req.body.username.trim(), req.body.password, req.ip);
      if (!r.ok) {
        if (r.retryAfter > 0) {
          reply.header("Retry-After", String(r.retryAfter));
          return again(429, m.login.tooMany(Math.ceil(r.retryAfter / 60)));
        }
        return again(401, m.login.failed);
      }
      const s = await store.createSession(r.customer, config.sessionIdleMinutes);
      req.log.info({ customer: r.customer }, "customer logged in");
      return reply
        .code(303)
        .header("Set-Cookie", [
          `${sessionCookie}=${s.id}; Path=/; HttpOnly; SameSite=Strict${secure}`,
          `${LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict${secure}`,
        ])
        .header("Location", customerPagePath(r.customer))
        .send();
    },
  );

  app.post("/logout", async (req, reply) => {
    const session = await sessionOf(req);
    if (session) {
      if (!csrfOk(req, session.csrf))
        return reply.code(403).header("Content-Type", "text/plain; charset=utf-8").send("403 – the form has expired; reload the page");
      await store.deleteSession(session.id);
    }
    return reply
      .code(303)
      .header("Set-Cookie", [`${sessionCookie}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`])
      .header("Location", "/")
      .send();
  });

  // ---- the customer's pages ----

  const span = (i: IncidentRow): IncidentSpan => ({ severity: i.severity, parts: i.parts, startedAt: i.startedAt, resolvedAt: i.resolvedAt });

  async function renderCustomerPage(
    req: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerView,
    session: { customer: string; csrf: string } | undefined,
    status: number,
    notice?: { kind: "ok" | "error"; text: string },
  ) {
    const at = now();
    const since = new Date(at.getTime() - 91 * DAY);
    // the timelines are read beside the incidents (same filter), not after them: one round trip less per view
    const [incidents, updates, maintenance, availability] = await Promise.all([
      store.customerIncidents(customer.name, since),
      store.customerIncidentUpdates(customer.name, since),
      store.maintenance(customer.name, at),
      opts.monthAvailability.monthAvailability(customer.name, utcMonth(at)),
    ]);
    const open = incidents.filter((i) => i.resolvedAt === null);
    const spans = incidents.map(span);
    const language = languageOf(req, customer.language);
    const page = customerPage(
      {
        customer,
        now: at,
        parts: partStates(customer.parts, spans),
        overall: overallState(spans),
        open,
        recent: incidents,
        updates,
        maintenance,
        availability,
        history: dailyHistory({ incidents: spans, now: at, timeZone: customer.timeZone, since: customer.createdAt }),
        notice,
      },
      ctxOf(req, language, session),
    );
    return sendPage(req, reply, status, page);
  }

  app.get<{ Params: { customer: string }; Querystring: { saved?: string } }>("/c/:customer", { schema: { params: customerParams } }, async (req, reply) => {
    const g = await customerGuard(req, reply);
    if (!g) return reply;
    const m = MESSAGES[languageOf(req, g.customer.language)];
    return renderCustomerPage(req, reply, g.customer, g.session, 200, req.query.saved === "1" ? { kind: "ok", text: m.settings.saved } : undefined);
  });

  app.get<{ Params: { customer: string; id: string } }>("/c/:customer/incidents/:id", { schema: { params: customerParams } }, async (req, reply) => {
    const g = await customerGuard(req, reply);
    if (!g) return reply;
    const incident = await store.incident(req.params.id);
    // another customer's incident, a fleet one, or none: the same 404
    if (!incident || incident.scope !== "customer" || incident.customer !== g.customer.name) return sendNotFound(req, reply);
    const updates = (await store.updates([incident.id])).get(incident.id) ?? [];
    return sendPage(req, reply, 200, incidentPage(incident, updates, g.customer, ctxOf(req, languageOf(req, g.customer.language), g.session), now()));
  });

  app.get<{ Params: { customer: string } }>("/c/:customer/feed.atom", { schema: { params: customerParams } }, async (req, reply) => {
    const g = await customerGuard(req, reply, { basic: true });
    if (!g) return reply;
    const at = now();
    const [incidents, maintenance] = await Promise.all([
      store.customerIncidents(g.customer.name, new Date(at.getTime() - 91 * DAY)),
      store.maintenance(g.customer.name, new Date(at.getTime() - 30 * DAY)),
    ]);
    const updates = await store.updates(incidents.map((i) => i.id));
    const base = `${config.cookieSecure ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
    const xml = atomFeed({ customer: g.customer, base, now: at, incidents, updates, maintenance }, languageOf(req, g.customer.language));
    return reply.header("Content-Type", "application/atom+xml; charset=utf-8").send(xml);
  });

  app.post<{ Params: { customer: string }; Body: { csrf?: string; timeZone?: string } }>(
    "/c/:customer/settings",
    {
      schema: {
        params: customerParams,
        body: {
          type: "object",
          properties: { csrf: str(100, "is required (reload the page)", 0), timeZone: str(64, "must be a time zone name of at most 64 characters", 0) },
        },
      },
    },
    async (req, reply) => {
      const g = await customerGuard(req, reply);
      if (!g) return reply;
      if (!g.session || !csrfOk(req, g.session.csrf))
        return reply.code(403).header("Content-Type", "text/plain; charset=utf-8").send("403 – the form has expired; reload the page");
      const tz = (req.body.timeZone ?? "").trim();
      if (!isTimeZone(tz)) {
        const m = MESSAGES[languageOf(req, g.customer.language)];
        return renderCustomerPage(req, reply, g.customer, g.session, 400, { kind: "error", text: m.settings.invalidTimeZone(tz) });
      }
      await store.saveTimeZone(g.customer.name, tz);
      return reply
        .code(303)
        .header("Location", `${customerPagePath(g.customer.name)}?saved=1`)
        .send();
    },
  );

  // ---- Alertmanager: incidents from alerts ----

  function bearer(expected: string, realm: string) {
    const digest = sha256(expected);
    return async (req: FastifyRequest) => {
      const m = typeof req.headers.authorization === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization) : null;
      if (!m)
        throw new HttpError(401, "unauthorized", `authorization: missing bearer token (Authorization: Bearer <the ${realm} token>)`, "authorization", {
          "WWW-Authenticate": `Bearer realm="${realm}"`,
        });
      if (!crypto.timingSafeEqual(sha256(m[1]), digest))
        throw new HttpError(401, "unauthorized", `authorization: the bearer token is not the portal's ${realm} token`, "authorization", {
          "WWW-Authenticate": `Bearer realm="${realm}"`,
        });
    };
  }

  app.post<{ Body: AlertmanagerPayload }>(
    PORTAL_ALERTMANAGER_PATH,
    // the token is checked before the body is read: a caller without it learns nothing about the payload's shape
    { schema: { body: alertmanagerPayloadSchema }, onRequest: bearer(opts.alertmanagerToken, "alertmanager") },
    async (req) => {
      const counts: Record<string, number> = { opened: 0, updated: 0, unchanged: 0, resolved: 0, ignored: 0 };
      for (const action of alertActions(req.body)) {
        const outcome = await store.applyAlert(action);
        counts[outcome]++;
        alertsHandled.labels(outcome).inc();
        if (outcome === "opened" || outcome === "resolved")
          req.log.info({ customer: action.customer, alertname: action.alertname, outcome }, "incident from alert");
      }
      return counts;
    },
  );

  // ---- the hosting team's admin API ----

  const adminAuth = bearer(opts.adminToken, "admin");
  const summaryOf = (i: IncidentRow): IncidentSummary => ({
    id: i.id,
    customer: i.customer,
    scope: i.scope,
    source: i.source,
    status: i.resolvedAt ? "resolved" : "open",
    severity: i.severity,
    title: incidentTitle(i),
    startedAt: i.startedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
  });
  const incidentTitle = (i: IncidentRow) => (i.source === "manual" && i.title ? i.title : `${i.alertname ?? "alert"} ${i.parts.join(", ")}`);

  async function knownCustomer(name: string, field: string): Promise<void> {
    if (!(await store.customer(name))) {
      const known = await store.customerNames();
      throw new HttpError(404, "unknown_customer", `${field}: unknown customer ${JSON.stringify(name)} (known: ${known.join(", ") || "none"})`, field);
    }
  }

  app.get<{ Querystring: { customer?: string; open?: string } }>(
    PORTAL_ADMIN_PATHS.incidents,
    {
      onRequest: adminAuth,
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer name" },
            open: { type: "string", enum: ["true", "false"], description: "must be true or false" },
          },
        },
      },
    },
    async (req) => {
      const at = now();
      if (req.query.open !== "false") return { incidents: (await store.openIncidents({ customer: req.query.customer })).map(summaryOf) };
      const rows = req.query.customer
        ? await store.customerIncidents(req.query.customer, new Date(at.getTime() - 91 * DAY))
        : await store.fleetIncidents(new Date(at.getTime() - 91 * DAY));
      return { incidents: rows.map(summaryOf) };
    },
  );

  app.post<{ Body: ManualIncidentRequest }>(
    PORTAL_ADMIN_PATHS.incidents,
    {
      onRequest: adminAuth,
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["title", "message", "severity"],
          description: "must be a JSON object",
          properties: {
            customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer name" },
            fleet: { type: "boolean", description: "must be true or false" },
            title: str(300, "is required: a short title of at most 300 characters"),
            message: str(4000, "is required: what happened and what the team does, at most 4000 characters"),
            severity: { type: "string", enum: [...INCIDENT_SEVERITIES], description: `is required and must be one of ${INCIDENT_SEVERITIES.join(", ")}` },
            parts: {
              type: "array",
              maxItems: 40,
              items: { type: "string", pattern: PART_PATTERN.source, description: "must be a part (entry, line-<n>, database, fsb, fsb-<n>)" },
              description: "must be a list of parts",
            },
            language: languageSchema,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.fleet === true && b.customer !== undefined) throw bad("customer", "give either customer or fleet: true, not both");
      if (b.fleet !== true && b.customer === undefined) throw bad("customer", "is required (or fleet: true for an incident of the whole service)");
      if (b.customer !== undefined) await knownCustomer(b.customer, "customer");
      const i = await store.createManualIncident({
        customer: b.customer ?? null,
        title: b.title,
        message: b.message,
        severity: b.severity,
        parts: b.parts ?? [],
        language: b.language ?? "en",
      });
      req.log.info({ incident: i.id, customer: i.customer, scope: i.scope }, "manual incident posted");
      return reply.code(201).send(summaryOf(i));
    },
  );

  const updateBody = {
    type: "object",
    additionalProperties: false,
    required: ["message"],
    description: "must be a JSON object",
    properties: { message: str(4000, "is required: the update's text, at most 4000 characters"), language: languageSchema },
  } as const;

  for (const [path, resolve] of [
    ["/v1/admin/incidents/:id/updates", false],
    ["/v1/admin/incidents/:id/resolve", true],
  ] as const) {
    app.post<{ Params: { id: string }; Body: IncidentUpdateRequest }>(
      path,
      { onRequest: adminAuth, schema: { params: incidentIdParams, body: updateBody } },
      async (req) => {
        const i = await store.teamUpdate(req.params.id, req.body.message, req.body.language ?? "en", resolve);
        if (!i) throw new HttpError(404, "unknown_incident", `id: no incident ${JSON.stringify(req.params.id)}`, "id");
        req.log.info({ incident: i.id, resolve }, "team update");
        return summaryOf(i);
      },
    );
  }

  app.post<{ Body: MaintenanceRequest }>(
    PORTAL_ADMIN_PATHS.maintenance,
    {
      onRequest: adminAuth,
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["from", "to", "reason"],
          description: "must be a JSON object",
          properties: {
            customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer name" },
            from: { type: "string", maxLength: 40, description: "is required: ISO 8601 time with zone" },
            to: { type: "string", maxLength: 40, description: "is required: ISO 8601 time with zone" },
            reason: str(2000, "is required: why, at most 2000 characters"),
            language: languageSchema,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const time = (v: string, field: string) => {
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v)))
          throw bad(field, `${JSON.stringify(v)} is not an ISO 8601 time with zone (e.g. 2026-12-01T22:00:00Z)`);
        return new Date(v);
      };
      const from = time(b.from, "from");
      const to = time(b.to, "to");
      if (to <= from) throw bad("to", "must be after from");
      if (to <= now()) throw bad("to", "is in the past");
      if (b.customer !== undefined) await knownCustomer(b.customer, "customer");
      const row = await store.addMaintenance({ customer: b.customer ?? null, startsAt: from, endsAt: to, reason: b.reason, language: b.language ?? "en" });
      return reply.code(201).send({ id: row.id, customer: row.customer, from: row.startsAt.toISOString(), to: row.endsAt.toISOString() });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/admin/maintenance/:id",
    {
      onRequest: adminAuth,
      schema: {
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", pattern: "^[0-9a-f-]{36}$", description: "must be a maintenance id (as POST answered it)" } },
        },
      },
    },
    async (req) => {
      if (!(await store.deleteMaintenance(req.params.id)))
        throw new HttpError(404, "unknown_maintenance", `id: no maintenance ${JSON.stringify(req.params.id)}`, "id");
      req.log.info({ maintenance: req.params.id }, "maintenance withdrawn");
      return { id: req.params.id, deleted: true };
    },
  );

  const pctOrNull = (what: string) => ({
    type: ["number", "null"],
    minimum: 0,
    maximum: 100,
    description: `must be ${what} from 0 to 100, or null when unknown`,
  });
  const minutes = (what: string) => ({ type: "integer", minimum: 0, maximum: 31 * 1440, description: `is required: ${what} (whole minutes of the month)` });
  app.put<{ Params: { customer: string; month: string }; Body: MonthAvailabilityRequest }>(
    "/v1/admin/availability/:customer/:month",
    {
      onRequest: adminAuth,
      schema: {
        params: {
          type: "object",
          required: ["customer", "month"],
          properties: {
            customer: { type: "string", pattern: CUSTOMER_NAME_PATTERN.source, description: "must be a customer name" },
            month: { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "must be a month YYYY-MM" },
          },
        },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["availabilityPercent", "minutesDown", "minutesMaintenance", "met", "creditPercent"],
          description: "must be a JSON object",
          properties: {
            availabilityPercent: pctOrNull("the availability in percent"),
            minutesDown: minutes("minutes down"),
            minutesMaintenance: minutes("minutes of announced maintenance"),
            met: { type: ["boolean", "null"], description: "is required: true, false, or null when unknown" },
            creditPercent: pctOrNull("the credit band's percentage"),
          },
        },
      },
    },
    async (req) => {
      await knownCustomer(req.params.customer, "customer");
      const b = req.body;
      if ((b.availabilityPercent === null) !== (b.met === null)) throw bad("met", "is null exactly when availabilityPercent is null");
      await store.saveMonthAvailability(req.params.customer, req.params.month, b);
      return { customer: req.params.customer, month: req.params.month, saved: true };
    },
  );

  return { app, registry };
}
