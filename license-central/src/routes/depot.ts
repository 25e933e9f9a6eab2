import type { FastifyPluginAsync } from "fastify";
import type { ActivationRequest } from "../activation";
import type { LcServices } from "../lcServices";
import { maskInLogs } from "../logger";
import { WRITES } from "../routeConfig";
import { sendOutcome } from "../outcome";
import { activationRequestSchema } from "../schemas";

/** The depot (end users): activate a ticket in a container, deactivate it. The ticket code is the secret. */
export function depotRoutes(s: LcServices): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { ticket: string }; Body: ActivationRequest }>(
      "/depot/v1/tickets/:ticket/activations",
      { config: WRITES, schema: { body: activationRequestSchema } },
      async (req, reply) => {
        maskInLogs(req.log, req.params.ticket, req.body.idempotencyKey);
        const end = s.metrics.activationSeconds.startTimer();
        try {
          return sendOutcome(reply, await s.activations.activate(req.params.ticket, req.body, req.log));
        } finally {
          end();
        }
      },
    );
    app.delete<{ Params: { ticket: string; container: string } }>(
      "/depot/v1/tickets/:ticket/activations/:container",
      { config: WRITES },
      async (req, reply) => {
        maskInLogs(req.log, req.params.ticket);
        return sendOutcome(reply, await s.activations.deactivate(req.params.ticket, req.params.container, req.log));
      },
    );
  };
}
