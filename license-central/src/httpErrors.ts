import type { FastifyReply } from "fastify";

/** An answer with a JSON body `{ error, message, field? }`; 4xx for anything the caller got wrong. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function bad(field: string, message: string): HttpError {
  return new HttpError(400, "invalid_field", `${field}: ${message}`, field);
}

/** Maps our HttpErrors and fastify's own 4xx errors (malformed JSON, body too large, content type) to JSON; anything else is a logged 500. */
export function sendError(reply: FastifyReply, err: any): FastifyReply {
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  }
  const status: number | undefined = err?.statusCode;
  if (status && status >= 400 && status < 500) {
    let message = String(err.message);
    let code = String(err.code ?? "bad_request");
    if (err instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON") {
      code = "malformed_json";
      message = `body: malformed JSON (${err.message})`;
    } else if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      code = "body_too_large";
      message = "body: larger than the configured limit (LC_BODY_LIMIT_BYTES)";
    } else if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      code = "unsupported_media_type";
      message = "body: Content-Type must be application/json";
    } else if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      code = "empty_body";
      message = "body: must be a JSON object, got an empty body";
    }
    return reply.code(status).send({ error: code, message, field: "body" });
  }
  if (isDatabaseUnavailable(err)) {
    // Another line (on another cluster node) can serve it: 503 lets the balancer re-send it there.
    reply.log.warn({ code: err.code, errno: err.errno }, "database unavailable");
    return reply.code(503).header("Retry-After", "1").send({ error: "database_unavailable", message: `the database is not reachable (${err.code ?? err.errno}); retry` });
  }
  reply.log.error({ err }, "internal error");
  return reply.code(500).send({ error: "internal", message: "internal error" });
}

/** Connection-level database failures (server gone, Galera node not ready), not errors of the request. */
const DB_UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "PROTOCOL_CONNECTION_LOST", "ER_UNKNOWN_COM_ERROR", "ER_SERVER_SHUTDOWN", "ER_CON_COUNT_ERROR"]);

export function isDatabaseUnavailable(err: any): boolean {
  return Boolean(err) && (DB_UNAVAILABLE_CODES.has(err.code) || err.fatal === true);
}
