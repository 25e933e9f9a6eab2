import type { FastifyPluginAsync } from "fastify";
import { LC_HEALTH_PATH, LC_READY_PATH } from "../env";
import type { LcServices } from "../lcServices";

/** /healthz (the process answers) and /readyz (database and FSB answer): on both ports, never gated by maintenance. */
export function healthRoutes(s: LcServices): FastifyPluginAsync {
  return async (app) => {
    app.get(LC_HEALTH_PATH, async () => ({ status: "ok" }));
    app.get(LC_READY_PATH, async (_req, reply) => {
      const [db, fsbOk] = await Promise.all([
        s.store.ping().then(
          () => "ok",
          (err: any) => `unreachable: ${err?.code ?? err?.message}`,
        ),
        s.fsb.healthy(1000),
      ]);
      const body = { status: db === "ok" && fsbOk ? "ready" : "not_ready", database: db, fsb: fsbOk ? "ok" : "unreachable" };
      return reply.code(body.status === "ready" ? 200 : 503).send(body);
    });
  };
}
