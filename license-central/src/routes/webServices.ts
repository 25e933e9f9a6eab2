import type { FastifyPluginAsync } from "fastify";
import { bearerAuth } from "../auth";
import { HttpError } from "../httpErrors";
import type { LcServices } from "../lcServices";
import { WRITES } from "../routeConfig";
import { sendOutcome } from "../outcome";
import { ticketRequestSchema, usageQuerySchema } from "../schemas";
import type { TicketRequest } from "../tickets";

/** /ws/v1: the customer's ERP/CRM creates and reads tickets and usage; every call that passes auth is metered (a write: all routes are WRITES). */
export function webServiceRoutes(s: LcServices): FastifyPluginAsync {
  const auth = s.config.wsToken ? bearerAuth(s.config.wsToken, "web-service") : null;
  return async (ws) => {
    ws.addHook("onRequest", async (req, reply) => {
      if (!s.config.webServices || !auth) {
        throw new HttpError(
          403,
          "web_services_disabled",
          `web services are not part of this edition (${s.config.edition}: LC_WEB_SERVICES=false); tickets are created by the operator's admin API`,
        );
      }
      await auth(req);
      const exceeded = await s.metering.countWebServiceCall(`${req.method} ${req.url.split("?")[0]}`.slice(0, 160), req.log);
      if (exceeded) reply.header("X-Quota-Exceeded", exceeded);
    });
    ws.post<{ Body: TicketRequest }>("/tickets", { config: WRITES, schema: { body: ticketRequestSchema } }, async (req, reply) =>
      sendOutcome(reply, await s.tickets.create(req.body, "ws")),
    );
    ws.get<{ Params: { ticket: string } }>("/tickets/:ticket", { config: WRITES }, async (req) => s.tickets.view(req.params.ticket));
    ws.get<{ Querystring: { month?: string } }>("/usage", { config: WRITES, schema: { querystring: usageQuerySchema } }, async (req) =>
      s.metering.usageView(req.query.month),
    );
  };
}
