import type { FastifyPluginAsync } from "fastify";
import { LC_HEALTH_PATH, LC_READY_PATH } from "../env";
import type { LcServices } from "../lcServices";

const READY_DB_TIMEOUT_MS = 800;
const READY_FSB_TIMEOUT_MS = 800;

/** /healthz (the process answers) and /readyz (database and FSB answer): on both ports, never gated by maintenance. */
export function healthRoutes(s: LcServices): FastifyPluginAsync {
  return async (app) => {
    app.get(LC_HEALTH_PATH, async () => ({ status: "ok" }));
    app.get(LC_READY_PATH, async (_req, reply) => {
      const [db, fsbOk] = await Promise.all([
        // within 1 s even when the database hangs: the balancer must see a frozen node's line as not ready
        s.store.ping(READY_DB_TIMEOUT_MS).then(
          () => "ok",
          (err: any) => `unreachable: ${err?.code ?? err?.message}`,
        ),
        s.fsb.healthy(READY_FSB_TIMEOUT_MS),
      ]);
      const body = { status: db === "ok" && fsbOk ? "ready" : "not_ready", database: db, fsb: fsbOk ? "ok" : "unreachable" };
      return reply.code(body.status === "ready" ? 200 : 503).send(body);
    });
  };
}
