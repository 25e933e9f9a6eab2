import type { FastifyPluginAsync } from "fastify";
import { LC_HEALTH_PATH, LC_READY_PATH } from "../env";
import type { LcServices } from "../lcServices";
import { checkReadiness } from "../readiness";

/** /healthz (the process answers) and /readyz (database and FSB answer): on both ports, never gated by maintenance. */
export function healthRoutes(s: LcServices): FastifyPluginAsync {
  return async (app) => {
    app.get(LC_HEALTH_PATH, async () => ({ status: "ok" }));
    app.get(LC_READY_PATH, async (_req, reply) => {
      const r = await checkReadiness(s);
      const body = { status: r.ready ? "ready" : "not_ready", database: r.database, fsb: r.fsb };
      return reply.code(r.ready ? 200 : 503).send(body);
    });
  };
}
