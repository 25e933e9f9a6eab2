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
  reply.log.error({ err }, "internal error");
  return reply.code(500).send({ error: "internal", message: "internal error" });
}
