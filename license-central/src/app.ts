/**
 * Builds one License Central line: the use cases (tickets, the activation state machine, metering) over
 * the store, and two Fastify servers made of route plugins — the public port (depot + web services) and
 * the admin port (metrics + admin API).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { ActivationMachine } from "./activation";
import type { LcConfig } from "./config";
import { createPool, Database, migrate, Pool } from "./db";
import { FsbClient } from "./fsbClient";
import { HttpError, isDatabaseUnavailable } from "./httpErrors";
import { createLcServer as createServer } from "./httpServer";
import type { LcServices } from "./lcServices";
import { createLogger } from "./logger";
import { MaintenanceGate } from "./maintenance";
import { MAINTENANCE_OFF, STARTED_IN_MAINTENANCE } from "./maintenanceState";
import { Metering } from "./metering";
import { LcMetrics } from "./metrics";
import { QuotaPolicy } from "./quota";
import { adminRoutes } from "./routes/admin";
import { depotRoutes } from "./routes/depot";
import { webServiceRoutes } from "./routes/webServices";
import { LcStore } from "./store";
import { TicketService } from "./tickets";

export { newTicketCode } from "./tickets";

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

export function buildLcApps(config: LcConfig, opts: LcAppOptions = {}): LcApps {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? (() => new Date());
  const pool = opts.pool ?? createPool(config.db);
  const fsb = opts.fsb ?? new FsbClient(config.fsb.url, config.fsb.firmCode, config.fsb.token, 30_000, config.fsb.publicKeyPem);
  const store = new LcStore(new Database(pool, { acquireMs: config.db.acquireTimeoutMs, queryMs: config.db.queryTimeoutMs }));
  const metrics = new LcMetrics(config.edition, opts.defaultMetrics);
  const quota = new QuotaPolicy(
    config.quotaMode,
    { activations: config.quotaActivationsPerMonth, webServiceCalls: config.quotaWebServiceCallsPerMonth },
    metrics,
    store,
  );
  const services: LcServices = {
    config,
    store,
    fsb,
    metrics,
    tickets: new TicketService(store, now),
    activations: new ActivationMachine(store, fsb, quota, metrics, now, {
      pendingWaitMs: opts.pendingWaitMs ?? 15_000,
      pendingTakeoverMs: opts.pendingTakeoverMs ?? 5_000,
    }),
    metering: new Metering(store, quota, metrics, now),
    maintenance: new MaintenanceGate(store, opts.maintenancePollMs ?? 1000, now, config.startInMaintenance ? STARTED_IN_MAINTENANCE : MAINTENANCE_OFF),
  };

  /**
   * Requests that may write go through here: in maintenance they are refused before touching anything
   * (503 + Retry-After); otherwise they are counted until their connection closes, so the operator can
   * wait for in-flight writes to finish. Health checks never come here: the balancer keeps the lines.
   */
  async function writeGate(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const m = await services.maintenance.current();
    // the database did not answer the state's read just now: the write would fail the same way, only later
    if (isDatabaseUnavailable(services.maintenance.lastReadError)) throw services.maintenance.lastReadError;
    if (m.enabled) {
      throw new HttpError(
        503,
        "maintenance",
        `License Central is in maintenance${m.reason ? ` (${m.reason})` : ""}; retry in ${m.retryAfterSeconds} s`,
        undefined,
        {
          "Retry-After": String(m.retryAfterSeconds),
        },
      );
    }
    services.maintenance.inFlight++;
    reply.raw.once("close", () => services.maintenance.inFlight--);
  }

  const publicApp = createServer(config, logger, services, writeGate);
  publicApp.register(depotRoutes(services));
  publicApp.register(webServiceRoutes(services), { prefix: "/ws/v1" });

  const adminApp = createServer(config, logger, services, writeGate);
  adminApp.register(adminRoutes(services));

  return {
    publicApp,
    adminApp,
    registry: metrics.registry,
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
