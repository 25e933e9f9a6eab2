/** One Fastify server of License Central (public or admin port): error shape, JSON only, health routes. */
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { nonCanonicalPathReason } from "../../service-kit/src/canonicalPath";
import { answerClientError, truncateForEcho } from "../../service-kit/src/httpErrors";
import type { LcConfig } from "./config";
import { FsbBadAnswerError, FsbError } from "./fsbClient";
import { HttpError, sendError } from "./httpErrors";
import type { LcServices } from "./lcServices";
import type { LcRouteConfig } from "./routeConfig";
import { healthRoutes } from "./routes/health";
import { AJV_OPTIONS, schemaErrorToHttpError } from "./schemas";

/**
 * `gate` runs on every request of a route declared with WRITES, after the path check and before any
 * other hook: it decides on the route the router matched, never on how the URL was spelled.
 */
const JSON_MEDIA_TYPE = /^application\/json[\t ]*(?:;.*)?$/i;

function nonCanonical(rawUrl: string | undefined): HttpError | null {
  const reason = nonCanonicalPathReason(rawUrl ?? "");
  return reason ? new HttpError(400, "non_canonical_path", `path: not in canonical form (${reason}); send the normalized path`, "path") : null;
}

export function createLcServer(
  config: LcConfig,
  logger: Logger,
  s: LcServices,
  gate: (req: FastifyRequest, reply: FastifyReply) => Promise<void>,
): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    schemaErrorFormatter: schemaErrorToHttpError,
    clientErrorHandler: answerClientError,
    // the router's own 400 (a malformed percent escape) in our shape, without echoing the path
    frameworkErrors: (err, req, reply) =>
      sendError(reply, nonCanonical(req.raw.url) ?? new HttpError(400, "bad_url", `path: not a valid URL path (${err.code})`, "path")),
  }) as unknown as FastifyInstance;
  // The gateway routed on the normalized path; a path that normalization would change (or a decoder could
  // read as another) did not come through it, or means something else here: refused before anything runs.
  app.addHook("onRequest", async (req) => {
    const refused = nonCanonical(req.raw.url);
    if (refused) throw refused;
  });
  app.addHook("onRequest", async (req, reply) => {
    if ((req.routeOptions.config as LcRouteConfig | undefined)?.writes === true) await gate(req, reply);
  });
  // JSON only, and only application/json (any parameters, any case): Fastify's own parser also took
  // application/jsonx or application/json-seq as JSON. Anything else is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: "string" }, app.getDefaultJsonParser("error", "ignore"));
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof FsbBadAnswerError) {
      reply.log.error({ fsbStatus: err.status }, err.message);
      return reply.code(502).send({ error: "fsb_bad_answer", message: `the license could not be signed: ${err.message}` });
    }
    if (err instanceof FsbError) {
      const status = err.retryAfterSeconds !== null ? 503 : 502;
      if (err.retryAfterSeconds !== null) reply.header("Retry-After", String(err.retryAfterSeconds));
      reply.log.warn({ fsbStatus: err.status }, err.message);
      return reply.code(status).send({ error: "fsb_unavailable", message: `the license could not be signed: ${err.message}` });
    }
    return sendError(reply, err);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new HttpError(404, "not_found", `no route ${req.method} ${truncateForEcho(req.url.split("?")[0])}`, "path")),
  );
  app.register(healthRoutes(s));
  return app;
}
