/** One Fastify server of License Central (public or admin port): error shape, JSON only, health routes. */
import Fastify, { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { LcConfig } from "./config";
import { FsbError } from "./fsbClient";
import { HttpError, sendError } from "./httpErrors";
import type { LcServices } from "./lcServices";
import { healthRoutes } from "./routes/health";
import { AJV_OPTIONS, schemaErrorToHttpError } from "./schemas";

export function createLcServer(config: LcConfig, logger: Logger, s: LcServices): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    schemaErrorFormatter: schemaErrorToHttpError,
  }) as unknown as FastifyInstance;
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
  app.register(healthRoutes(s));
  return app;
}
