import * as crypto from "crypto";
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { LcConfig } from "./config";
import { Conn, Pool, createPool, migrate, withTransaction } from "./db";
import { LC_HEALTH_PATH, LC_READY_PATH } from "./env";
import { FsbClient, FsbError, FsbSignedUpdate } from "./fsbClient";
import { HttpError, sendError } from "./httpErrors";
import { createLogger } from "./logger";
import { MAINTENANCE_OFF, MaintenanceGate, MaintenanceState, parseMaintenanceRequest, STARTED_IN_MAINTENANCE } from "./maintenance";
import { TICKET_PATTERN, TicketItem, monthOf, parseActivationRequest, parseMonth, parseTicketRequest } from "./validation";

export interface LcAppOptions {
  logger?: Logger;
  /** Injectable clock (tests move it across month boundaries). */
  now?: () => Date;
  pool?: Pool;
  fsb?: FsbClient;
  defaultMetrics?: boolean;
  /** How long a request waits for a concurrent request with the same idempotency key before answering 409 (default 15 s). */
  pendingWaitMs?: number;
  /**
   * A pending activation older than this is taken over (its line presumably died); default 5 s. Must be
   * well below pendingWaitMs: the balancer re-sends a request whose line died to another line, which
   * must complete it within that request, not answer 409 (taking over a live one is safe: the FSB
   * replays the same requestId and only one completion counts).
   */
  pendingTakeoverMs?: number;
  /** How often a line re-reads the maintenance state from the database (default 1000 ms): the bound on how long it may still accept writes after maintenance starts. */
  maintenancePollMs?: number;
}

export interface LcApps {
  publicApp: FastifyInstance;
  adminApp: FastifyInstance;
  registry: Registry;
  pool: Pool;
  fsb: FsbClient;
  /** Creates or migrates the schema (idempotent). Call before listening. */
  migrate(): Promise<number>;
  close(): Promise<void>;
}

type QuotaName = "activations" | "webServiceCalls";

interface TicketRow {
  ticket: string;
  order_id: string;
  source: string;
  active_key: string | null;
  created_at: Date;
}

interface ActivationRow {
  idempotency_key: string;
  ticket: string;
  container: string;
  status: "pending" | "active" | "deactivated";
  created_at: Date;
  activated_at: Date | null;
  deactivated_at: Date | null;
  signed_update: string | null;
}

const TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // 32 symbols, no 0/O/1/I

export function newTicketCode(): string {
  const bytes = crypto.randomBytes(25);
  let s = "";
  for (let i = 0; i < 25; i++) {
    if (i > 0 && i % 5 === 0) s += "-";
    s += TICKET_ALPHABET[bytes[i] & 31];
  }
  return s;
}

function sha256(s: string): Buffer {
  return crypto.createHash("sha256").update(s).digest();
}

export function buildLcApps(config: LcConfig, opts: LcAppOptions = {}): LcApps {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? (() => new Date());
  const pool = opts.pool ?? createPool(config.db);
  const fsb = opts.fsb ?? new FsbClient(config.fsb.url, config.fsb.firmCode, config.fsb.token);
  const pendingWaitMs = opts.pendingWaitMs ?? 15_000;
  const pendingTakeoverMs = opts.pendingTakeoverMs ?? 5_000;
  const maintenance = new MaintenanceGate(pool, opts.maintenancePollMs ?? 1000, now, config.startInMaintenance ? STARTED_IN_MAINTENANCE : MAINTENANCE_OFF);

  const registry = new Registry();
  registry.setDefaultLabels({ edition: config.edition });
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const activationsTotal = new Counter({ name: "lc_activations_total", help: "Activation requests by outcome", labelNames: ["result"], registers: [registry] });
  const deactivationsTotal = new Counter({ name: "lc_deactivations_total", help: "Deactivations", registers: [registry] });
  const wsCallsTotal = new Counter({ name: "lc_web_service_calls_total", help: "Web-service calls served", registers: [registry] });
  const quotaExceeded = new Counter({ name: "lc_quota_exceeded_total", help: "Requests over a monthly quota (soft: served; hard: refused)", labelNames: ["quota", "mode"], registers: [registry] });
  const fsbErrors = new Counter({ name: "lc_fsb_errors_total", help: "Failed calls to the FSB", registers: [registry] });
  const activationSeconds = new Histogram({
    name: "lc_activation_duration_seconds",
    help: "Activation request duration (database + FSB)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const adminDigest = sha256(config.adminToken);
  const wsDigest = config.wsToken ? sha256(config.wsToken) : null;

  function bearer(req: FastifyRequest, digest: Buffer, what: string): void {
    const h = req.headers.authorization;
    const m = typeof h === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) {
      throw new HttpError(401, "unauthorized", `authorization: missing bearer token (Authorization: Bearer <${what} token>)`, "authorization", {
        "WWW-Authenticate": 'Bearer realm="license-central"',
      });
    }
    if (!crypto.timingSafeEqual(sha256(m[1]), digest)) throw new HttpError(403, "forbidden", `authorization: the bearer token is not a valid ${what} token`, "authorization");
  }

  // ---- metering -------------------------------------------------------------------------------

  async function usage(month: string, conn?: Conn): Promise<{ activations: number; deactivations: number; webServiceCalls: number }> {
    const [rows] = await (conn ?? pool).query("SELECT kind, COUNT(*) AS n FROM lc_usage_events WHERE month = ? GROUP BY kind", [month]);
    const by = new Map((rows as Array<{ kind: string; n: number | string }>).map((r) => [r.kind, Number(r.n)]));
    return { activations: by.get("activation") ?? 0, deactivations: by.get("deactivation") ?? 0, webServiceCalls: by.get("ws_call") ?? 0 };
  }

  async function recordUsage(conn: Conn | Pool, kind: "activation" | "deactivation" | "ws_call", at: Date, ref: string | null): Promise<void> {
    await conn.query("INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES (?, ?, ?, ?, ?)", [crypto.randomUUID(), monthOf(at), kind, at, ref]);
  }

  /**
   * Checks a monthly quota before an operation that would count against it. Hard mode: throws 429.
   * Soft mode: flags the reply (X-Quota-Exceeded), counts the metric and logs a warning.
   */
  function enforceQuota(reply: FastifyReply, quota: QuotaName, limit: number | null, used: number, month: string): void {
    if (limit === null || used < limit) return;
    const variable = quota === "activations" ? "LC_QUOTA_ACTIVATIONS_PER_MONTH" : "LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH";
    quotaExceeded.inc({ quota, mode: config.quotaMode });
    if (config.quotaMode === "hard") {
      throw new HttpError(
        429,
        "quota_exceeded",
        `quota ${quota} exceeded for ${month}: limit ${limit} per month (${variable}), used ${used}`,
        undefined,
        { "X-Quota-Exceeded": quota },
      );
    }
    reply.header("X-Quota-Exceeded", quota);
    reply.log.warn({ quota, limit, used, month }, "monthly quota exceeded (soft mode: served)");
  }

  // ---- tickets --------------------------------------------------------------------------------

  async function loadTicket(ticket: string, conn?: Conn): Promise<{ row: TicketRow; items: TicketItem[] } | null> {
    if (!TICKET_PATTERN.test(ticket)) return null;
    const q = conn ?? pool;
    const [rows] = await q.query("SELECT * FROM lc_tickets WHERE ticket = ?", [ticket]);
    const row = (rows as TicketRow[])[0];
    if (!row) return null;
    const [items] = await q.query("SELECT product_code, quantity FROM lc_ticket_items WHERE ticket = ? ORDER BY line_no", [ticket]);
    return { row, items: (items as Array<{ product_code: number | string; quantity: number }>).map((i) => ({ productCode: Number(i.product_code), quantity: i.quantity })) };
  }

  function unknownTicket(ticket: string): HttpError {
    return new HttpError(404, "unknown_ticket", `ticket: unknown ticket ${JSON.stringify(ticket)}`, "ticket");
  }

  async function ticketView(ticket: string) {
    const t = await loadTicket(ticket);
    if (!t) throw unknownTicket(ticket);
    let activation = null;
    if (t.row.active_key) {
      const [rows] = await pool.query("SELECT * FROM lc_activations WHERE idempotency_key = ?", [t.row.active_key]);
      const a = (rows as ActivationRow[])[0];
      if (a) activation = { container: a.container, status: a.status, activatedAt: a.activated_at?.toISOString() ?? null };
    }
    return {
      ticket: t.row.ticket,
      orderId: t.row.order_id,
      items: t.items,
      createdAt: t.row.created_at.toISOString(),
      status: activation ? "activated" : "available",
      activation,
    };
  }

  async function createTicket(body: unknown, source: "ws" | "admin", reply: FastifyReply) {
    const req = parseTicketRequest(body);
    const sameItems = (a: TicketItem[]) => JSON.stringify(a) === JSON.stringify(req.items);
    for (let attempt = 0; attempt < 3; attempt++) {
      const ticket = newTicketCode();
      const createdAt = now();
      try {
        await withTransaction(pool, async (conn) => {
          await conn.query("INSERT INTO lc_tickets (ticket, order_id, source, active_key, created_at) VALUES (?, ?, ?, NULL, ?)", [ticket, req.orderId, source, createdAt]);
          let line = 0;
          for (const it of req.items) {
            await conn.query("INSERT INTO lc_ticket_items (ticket, line_no, product_code, quantity) VALUES (?, ?, ?, ?)", [ticket, ++line, it.productCode, it.quantity]);
          }
        });
        reply.code(201);
        return { ticket, orderId: req.orderId, items: req.items, createdAt: createdAt.toISOString(), status: "available", activation: null };
      } catch (err: any) {
        if (err?.code !== "ER_DUP_ENTRY") throw err;
        // same orderId already has a ticket: an ERP retry gets the same ticket; other items are a conflict
        const [rows] = await pool.query("SELECT ticket FROM lc_tickets WHERE order_id = ?", [req.orderId]);
        const existing = (rows as Array<{ ticket: string }>)[0];
        if (!existing) continue; // ticket code collision: draw another
        const view = await ticketView(existing.ticket);
        if (!sameItems(view.items)) {
          throw new HttpError(409, "order_conflict", `orderId: order ${JSON.stringify(req.orderId)} already has ticket ${view.ticket} with other items`, "orderId");
        }
        reply.code(200).header("Idempotent-Replayed", "true");
        return view;
      }
    }
    throw new Error("could not allocate a ticket code");
  }

  // ---- activations ----------------------------------------------------------------------------

  function activationResult(a: ActivationRow) {
    const signed = JSON.parse(a.signed_update!) as FsbSignedUpdate;
    return { ticket: a.ticket, container: a.container, idempotencyKey: a.idempotency_key, activatedAt: a.activated_at!.toISOString(), ...signed };
  }

  async function readActivation(key: string): Promise<ActivationRow | undefined> {
    const [rows] = await pool.query("SELECT * FROM lc_activations WHERE idempotency_key = ?", [key]);
    return (rows as ActivationRow[])[0];
  }

  /** Signs through the FSB (requestId = idempotency key, so a retry gets the same update) and completes the pending row. */
  async function complete(a: { ticket: string; container: string; key: string; items: TicketItem[]; takeover?: boolean }): Promise<{ row: ActivationRow; counted: boolean }> {
    let signed: FsbSignedUpdate;
    try {
      signed = await fsb.signLicenseUpdate(a.key, a.container, a.items);
    } catch (err) {
      fsbErrors.inc();
      // a request that took over someone else's pending row leaves it: its owner may still complete it
      if (a.takeover) throw err;
      // release the ticket so the user can retry (the FSB keeps the signature for the same requestId)
      await withTransaction(pool, async (conn) => {
        const [res] = await conn.query("DELETE FROM lc_activations WHERE idempotency_key = ? AND status = 'pending'", [a.key]);
        if ((res as any).affectedRows === 1) await conn.query("UPDATE lc_tickets SET active_key = NULL WHERE ticket = ? AND active_key = ?", [a.ticket, a.key]);
      });
      throw err;
    }
    const at = now();
    const counted = await withTransaction(pool, async (conn) => {
      const [res] = await conn.query("UPDATE lc_activations SET status = 'active', activated_at = ?, signed_update = ? WHERE idempotency_key = ? AND status = 'pending'", [
        at,
        JSON.stringify(signed),
        a.key,
      ]);
      if ((res as any).affectedRows !== 1) return false; // completed by someone else meanwhile
      await recordUsage(conn, "activation", at, a.key);
      return true;
    });
    const row = await readActivation(a.key);
    if (!row || row.status === "pending") throw new Error(`activation ${a.key} vanished while completing`);
    return { row, counted };
  }

  async function activate(ticket: string, body: unknown, reply: FastifyReply) {
    const { container, idempotencyKey: key } = parseActivationRequest(body);
    if (!TICKET_PATTERN.test(ticket)) throw unknownTicket(ticket);
    const deadline = Date.now() + pendingWaitMs;
    for (;;) {
      type Step = { kind: "replay"; row: ActivationRow } | { kind: "pending"; row: ActivationRow } | { kind: "new"; items: TicketItem[] } | { kind: "again" };
      let step: Step;
      try {
        step = await withTransaction(pool, async (conn): Promise<Step> => {
          const [existing] = await conn.query("SELECT * FROM lc_activations WHERE idempotency_key = ?", [key]);
          const row = (existing as ActivationRow[])[0];
          if (row) {
            if (row.ticket !== ticket || row.container !== container) {
              throw new HttpError(
                409,
                "idempotency_conflict",
                `idempotencyKey: ${JSON.stringify(key)} was already used for another ticket or container`,
                "idempotencyKey",
              );
            }
            return row.status === "pending" ? { kind: "pending", row } : { kind: "replay", row };
          }
          const [trows] = await conn.query("SELECT * FROM lc_tickets WHERE ticket = ? FOR UPDATE", [ticket]);
          const t = (trows as TicketRow[])[0];
          if (!t) throw unknownTicket(ticket);
          // a concurrent request with the same key committed while we waited for the ticket lock: read it in a fresh transaction
          if (t.active_key === key) return { kind: "again" };
          if (t.active_key !== null) {
            const [arows] = await conn.query("SELECT container FROM lc_activations WHERE idempotency_key = ?", [t.active_key]);
            const other = (arows as Array<{ container: string }>)[0];
            throw new HttpError(409, "ticket_already_active", `ticket: ${ticket} is already activated in container ${other?.container ?? "?"}; deactivate it first`, "ticket");
          }
          const month = monthOf(now());
          const used = await usage(month, conn);
          enforceQuota(reply, "activations", config.quotaActivationsPerMonth, used.activations + used.deactivations, month);
          await conn.query("INSERT INTO lc_activations (idempotency_key, ticket, container, status, created_at) VALUES (?, ?, ?, 'pending', ?)", [key, ticket, container, now()]);
          await conn.query("UPDATE lc_tickets SET active_key = ? WHERE ticket = ?", [key, ticket]);
          const [items] = await conn.query("SELECT product_code, quantity FROM lc_ticket_items WHERE ticket = ? ORDER BY line_no", [ticket]);
          return { kind: "new", items: (items as any[]).map((i) => ({ productCode: Number(i.product_code), quantity: i.quantity })) };
        });
      } catch (err: any) {
        if (err?.code === "ER_DUP_ENTRY") continue; // another line inserted the same key: read it again
        throw err;
      }
      if (step.kind === "again") continue;
      if (step.kind === "replay") {
        activationsTotal.inc({ result: "replayed" });
        reply.code(201).header("Idempotent-Replayed", "true");
        return activationResult(step.row);
      }
      if (step.kind === "new") {
        const { row, counted } = await complete({ ticket, container, key, items: step.items });
        activationsTotal.inc({ result: counted ? "activated" : "replayed" });
        reply.code(201);
        if (!counted) reply.header("Idempotent-Replayed", "true");
        return activationResult(row);
      }
      // pending: a concurrent request with the same key is in flight (here or on another line)
      const age = now().getTime() - step.row.created_at.getTime();
      if (age > pendingTakeoverMs) {
        const t = await loadTicket(ticket);
        const { row, counted } = await complete({ ticket, container, key, items: t!.items, takeover: true });
        activationsTotal.inc({ result: counted ? "activated" : "replayed" });
        reply.code(201);
        if (!counted) reply.header("Idempotent-Replayed", "true");
        return activationResult(row);
      }
      if (Date.now() > deadline) {
        throw new HttpError(409, "activation_in_progress", `idempotencyKey: an activation with key ${JSON.stringify(key)} is still in progress; retry later`, "idempotencyKey", {
          "Retry-After": "1",
        });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function deactivate(ticket: string, container: string, reply: FastifyReply) {
    if (!TICKET_PATTERN.test(ticket)) throw unknownTicket(ticket);
    return withTransaction(pool, async (conn) => {
      const [trows] = await conn.query("SELECT * FROM lc_tickets WHERE ticket = ? FOR UPDATE", [ticket]);
      const t = (trows as TicketRow[])[0];
      if (!t) throw unknownTicket(ticket);
      const [arows] = t.active_key ? await conn.query("SELECT * FROM lc_activations WHERE idempotency_key = ? FOR UPDATE", [t.active_key]) : [[]];
      const a = (arows as ActivationRow[])[0];
      if (!a || a.status !== "active" || a.container !== container) {
        throw new HttpError(404, "not_activated", `container: ticket ${ticket} has no completed activation in container ${JSON.stringify(container)}`, "container");
      }
      const at = now();
      const month = monthOf(at);
      const used = await usage(month, conn);
      enforceQuota(reply, "activations", config.quotaActivationsPerMonth, used.activations + used.deactivations, month);
      await conn.query("UPDATE lc_activations SET status = 'deactivated', deactivated_at = ? WHERE idempotency_key = ?", [at, a.idempotency_key]);
      await conn.query("UPDATE lc_tickets SET active_key = NULL WHERE ticket = ?", [ticket]);
      await recordUsage(conn, "deactivation", at, a.idempotency_key);
      deactivationsTotal.inc();
      return {
        receiptId: crypto.randomUUID(),
        ticket,
        container,
        idempotencyKey: a.idempotency_key,
        activatedAt: a.activated_at?.toISOString() ?? null,
        deactivatedAt: at.toISOString(),
      };
    });
  }

  // ---- health ---------------------------------------------------------------------------------

  async function readiness(reply: FastifyReply) {
    const [db, fsbOk] = await Promise.all([
      pool.query("SELECT 1").then(
        () => "ok",
        (err: any) => `unreachable: ${err?.code ?? err?.message}`,
      ),
      fsb.healthy(1000),
    ]);
    const body = { status: db === "ok" && fsbOk ? "ready" : "not_ready", database: db, fsb: fsbOk ? "ok" : "unreachable" };
    return reply.code(body.status === "ready" ? 200 : 503).send(body);
  }

  function baseApp(): FastifyInstance {
    const app = Fastify({ logger, bodyLimit: config.bodyLimitBytes, return503OnClosing: true }) as unknown as FastifyInstance;
    app.removeContentTypeParser("text/plain"); // JSON only: anything else is 415
    app.setErrorHandler((err, _req, reply) => {
      if (err instanceof FsbError) {
        const status = err.retryAfterSeconds !== null ? 503 : 502;
        if (err.retryAfterSeconds !== null) reply.header("Retry-After", String(err.retryAfterSeconds));
        reply.log.warn({ fsbStatus: err.status }, err.message);
        return reply.code(status).send({ error: "fsb_unavailable", message: `the license could not be signed: ${err.message}` });
      }
      return sendError(reply, err);
    });
    app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, "not_found", `no route ${req.method} ${req.url.split("?")[0]}`, "path")));
    app.get(LC_HEALTH_PATH, async () => ({ status: "ok" }));
    app.get(LC_READY_PATH, async (_req, reply) => readiness(reply));
    return app;
  }

  /**
   * Requests that may write go through here: in maintenance they are refused before touching anything
   * (503 + Retry-After); otherwise they are counted until their connection closes, so the operator can
   * wait for in-flight writes to finish. Health checks never come here: the balancer keeps the lines.
   */
  async function writeGate(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const m: MaintenanceState = await maintenance.current();
    if (m.enabled) {
      throw new HttpError(
        503,
        "maintenance",
        `License Central is in maintenance${m.reason ? ` (${m.reason})` : ""}; retry in ${m.retryAfterSeconds} s`,
        undefined,
        { "Retry-After": String(m.retryAfterSeconds) },
      );
    }
    maintenance.inFlight++;
    reply.raw.once("close", () => maintenance.inFlight--);
  }

  // ---- public port: depot + web services --------------------------------------------------------

  const publicApp = baseApp();
  publicApp.addHook("onRequest", async (req, reply) => {
    if (req.url.startsWith("/depot/") || req.url.startsWith("/ws/")) await writeGate(req, reply);
  });

  publicApp.post<{ Params: { ticket: string } }>("/depot/v1/tickets/:ticket/activations", async (req, reply) => {
    const end = activationSeconds.startTimer();
    try {
      return await activate(req.params.ticket, req.body, reply);
    } finally {
      end();
    }
  });
  publicApp.delete<{ Params: { ticket: string; container: string } }>("/depot/v1/tickets/:ticket/activations/:container", async (req, reply) =>
    deactivate(req.params.ticket, req.params.container, reply),
  );

  publicApp.register(
    async (ws) => {
      ws.addHook("onRequest", async (req, reply) => {
        if (!config.webServices) {
          throw new HttpError(403, "web_services_disabled", `web services are not part of this edition (${config.edition}: LC_WEB_SERVICES=false); tickets are created by the operator's admin API`);
        }
        bearer(req, wsDigest!, "web-service");
        const at = now();
        const month = monthOf(at);
        const used = await usage(month);
        enforceQuota(reply, "webServiceCalls", config.quotaWebServiceCallsPerMonth, used.webServiceCalls, month);
        await recordUsage(pool, "ws_call", at, `${req.method} ${req.url.split("?")[0]}`.slice(0, 160));
        wsCallsTotal.inc();
      });
      ws.post("/tickets", async (req, reply) => createTicket(req.body, "ws", reply));
      ws.get<{ Params: { ticket: string } }>("/tickets/:ticket", async (req) => ticketView(req.params.ticket));
      ws.get<{ Querystring: { month?: string } }>("/usage", async (req) => usageView(req.query.month));
    },
    { prefix: "/ws/v1" },
  );

  /** The stored state plus what this line sees: a migration waits until every line observes it and serves no write. */
  function maintenanceView(state: MaintenanceState) {
    const seen = maintenance.observed();
    return { ...state, line: { observedEnabled: seen.state.enabled, observedAt: seen.observedAt, inFlightRequests: maintenance.inFlight, pollMs: maintenance.pollMs } };
  }

  async function usageView(rawMonth: unknown) {
    const month = parseMonth(rawMonth, now());
    return {
      month,
      ...(await usage(month)),
      quotas: { activationsPerMonth: config.quotaActivationsPerMonth, webServiceCallsPerMonth: config.quotaWebServiceCallsPerMonth, mode: config.quotaMode },
    };
  }

  // ---- admin port ---------------------------------------------------------------------------------

  const adminApp = baseApp();
  adminApp.get("/metrics", async (_req, reply) => {
    reply.header("Content-Type", registry.contentType);
    return registry.metrics();
  });
  adminApp.register(
    async (admin) => {
      admin.addHook("onRequest", async (req) => bearer(req, adminDigest, "admin"));
      admin.post("/tickets", { onRequest: writeGate }, async (req, reply) => createTicket(req.body, "admin", reply));
      admin.get("/maintenance", async () => maintenanceView(await maintenance.current()));
      admin.put("/maintenance", async (req) => maintenanceView(await maintenance.set(parseMaintenanceRequest(req.body))));
      admin.get<{ Params: { ticket: string } }>("/tickets/:ticket", async (req) => ticketView(req.params.ticket));
      admin.get<{ Querystring: { month?: string } }>("/usage", async (req) => usageView(req.query.month));
    },
    { prefix: "/admin/v1" },
  );

  return {
    publicApp,
    adminApp,
    registry,
    pool,
    fsb,
    migrate: () => migrate(pool, now, { startInMaintenance: config.startInMaintenance }),
    async close() {
      await Promise.allSettled([publicApp.close(), adminApp.close()]);
      fsb.close();
      if (!opts.pool) await pool.end();
    },
  };
}
