import type { FastifyPluginAsync } from "fastify";
import { bearerAuth } from "../auth";
import type { LcServices } from "../lcServices";
import type { MaintenanceRequest, MaintenanceState } from "../maintenance";
import { DEFAULT_RETRY_AFTER_SECONDS } from "../maintenance";
import { QUOTA_READ_TIMEOUT_MS, ScrapeSources } from "../metrics";
import { checkReadiness } from "../readiness";
import { WRITES } from "../routeConfig";
import { sendOutcome } from "../outcome";
import { maintenanceRequestSchema, ticketRequestSchema, usageQuerySchema } from "../schemas";
import type { TicketRequest } from "../tickets";

/** The operator's port: Prometheus metrics (no auth) and /admin/v1 (admin token). */
export function adminRoutes(s: LcServices): FastifyPluginAsync {
  /** The stored state plus what this line sees: a migration waits until every line observes it and serves no write. */
  const maintenanceView = (state: MaintenanceState) => {
    const seen = s.maintenance.observed();
    return {
      ...state,
      line: { observedEnabled: seen.state.enabled, observedAt: seen.observedAt, inFlightRequests: s.maintenance.inFlight, pollMs: s.maintenance.pollMs },
    };
  };
  return async (app) => {
    const scrapeSources: ScrapeSources = {
      quotaUsage: () => s.metering.quotaUsage(QUOTA_READ_TIMEOUT_MS),
      quotaLimits: () => s.metering.quotaLimits(),
      readiness: async () => {
        const r = await checkReadiness(s);
        return { ready: r.ready, database: r.database === "ok" };
      },
    };
    app.get("/metrics", async (_req, reply) => {
      await s.metrics.refresh(scrapeSources);
      reply.header("Content-Type", s.metrics.registry.contentType);
      return s.metrics.registry.metrics();
    });
    app.register(
      async (admin) => {
        admin.addHook("onRequest", bearerAuth(s.config.adminToken, "admin"));
        admin.post<{ Body: TicketRequest }>("/tickets", { config: WRITES, schema: { body: ticketRequestSchema } }, async (req, reply) =>
          sendOutcome(reply, await s.tickets.create(req.body, "admin")),
        );
        admin.get("/maintenance", async () => maintenanceView(await s.maintenance.current()));
        admin.put<{ Body: Partial<MaintenanceRequest> & { enabled: boolean } }>("/maintenance", { schema: { body: maintenanceRequestSchema } }, async (req) =>
          maintenanceView(
            await s.maintenance.set({
              enabled: req.body.enabled,
              retryAfterSeconds: req.body.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
              reason: req.body.reason ?? null,
            }),
          ),
        );
        admin.get<{ Params: { ticket: string } }>("/tickets/:ticket", async (req) => s.tickets.view(req.params.ticket));
        admin.get<{ Querystring: { month?: string } }>("/usage", { schema: { querystring: usageQuerySchema } }, async (req) =>
          s.metering.usageView(req.query.month),
        );
      },
      { prefix: "/admin/v1" },
    );
  };
}
