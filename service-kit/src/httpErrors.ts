import type { FastifyReply } from "fastify";

/**
 * Errors as both services answer them: a JSON body `{ error, message, field? }` naming what the caller
 * got wrong, 4xx for bad requests, never a 5xx for them.
 */
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

/**
 * Answers our HttpErrors and fastify's own 4xx errors (malformed JSON, body too large, content type,
 * empty body) as JSON; returns undefined for anything else, which the service decides on.
 */
export function sendClientError(reply: FastifyReply, err: any, bodyLimitVariable: string): FastifyReply | undefined {
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  }
  const status: number | undefined = err?.statusCode;
  if (!status || status < 400 || status >= 500) return undefined;
  let message = truncateForEcho(String(err.message));
  let code = String(err.code ?? "bad_request");
  if (err instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON") {
    code = "malformed_json";
    message = `body: malformed JSON (${truncateForEcho(String(err.message))})`;
  } else if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    code = "body_too_large";
    message = `body: larger than the configured limit (${bodyLimitVariable})`;
  } else if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    code = "unsupported_media_type";
    message = "body: Content-Type must be application/json (parameters such as charset allowed)";
  } else if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    code = "empty_body";
    message = "body: must be a JSON object, got an empty body";
  }
  return reply.code(status).send({ error: code, message, field: "body" });
}

/** The last resort: logged, answered without details. */
export function sendInternalError(reply: FastifyReply, err: unknown): FastifyReply {
  reply.log.error({ err }, "internal error");
  return reply.code(500).send({ error: "internal", message: "internal error" });
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers too large, a malformed
 * request line, a raw non-ASCII target, a request that took too long) in the services' shape
 * `{ error, message, field }`; never echoes the request back. For Fastify's `clientErrorHandler`.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: import("net").Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  let status = 400;
  let body: { error: string; message: string; field: string };
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    status = 408;
    body = { error: "request_timeout", message: "request: not received completely in time", field: "request" };
  } else if (err.code === "HPE_HEADER_OVERFLOW") {
    status = 431;
    body = { error: "headers_too_large", message: "headers: larger than the server accepts (16 KiB in total)", field: "headers" };
  } else {
    body = { error: "bad_request", message: "request: not a valid HTTP/1.1 request (request line, target or headers)", field: "request" };
  }
  const text = JSON.stringify(body);
  const reason = status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request";
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

/** How much of a request path an error message repeats: enough to recognise it, never a long echo. */
export const ECHO_LIMIT = 80;

export function truncateForEcho(s: string): string {
  return s.length <= ECHO_LIMIT ? s : `${s.slice(0, ECHO_LIMIT)}… (${s.length} characters)`;
}
