/**
 * What the FSB emulator accepts before any route sees a request, and how it answers what fails there:
 * a body only as `application/json` (parameters allowed; `application/jsonx`, `application/json-seq`
 * and the like are 415, where Fastify's own parser would take them), and every answer of Fastify's or
 * Node's own in the `{ error, message, field }` shape, quoting at most a short prefix of the path.
 */
import type { IncomingMessage } from "http";
import type { Socket } from "net";
import { HttpError } from "../../service-kit/src/httpErrors";

/** `type/subtype *(OWS ";" OWS parameter)` (RFC 9110 8.3.1) with type/subtype exactly application/json. */
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(;.*)?$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType.trim());
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}

const QUOTE_LIMIT = 64;

/** A client's text quoted in an answer: JSON-quoted and cut after QUOTE_LIMIT characters. */
export function quoteShort(text: string): string {
  return text.length > QUOTE_LIMIT ? `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}… (${text.length} characters)` : JSON.stringify(text);
}

/** 415 for a request with a body that is not application/json. */
export function requireJsonBody(req: IncomingMessage): void {
  if (!hasBody(req)) return;
  const type = req.headers["content-type"];
  if (isJsonMediaType(type)) return;
  throw new HttpError(
    415,
    "unsupported_media_type",
    `content-type: must be application/json (parameters such as charset allowed), got ${type === undefined ? "none" : quoteShort(type)}`,
    "content-type",
  );
}

export function notFound(method: string, url: string): HttpError {
  return new HttpError(404, "not_found", `path: no route ${method} ${quoteShort(url.split("?")[0])}`, "path");
}

/** Fastify's errors before routing (a URL it cannot decode, …) as a 400 naming the path. */
export function frameworkError(err: { code?: string; message?: string }): HttpError {
  if (err.code === "FST_ERR_BAD_URL") return new HttpError(400, "bad_url", "path: not a valid URL (malformed percent-encoding)", "path");
  return new HttpError(400, "bad_request", `request: ${err.code ?? "malformed request"}`, "request");
}

/**
 * Node's HTTP parser errors (headers too large, a malformed request line, a timeout) answered on the
 * raw socket in the same shape; Fastify's default writes its own body there.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "headers_too_large", "headers: larger than the server accepts"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request_timeout", "request: not received completely in time"]
        : [400, "Bad Request", "malformed_request", "request: not a valid HTTP/1.1 request"];
  const body = JSON.stringify({ error: code, message, field: status === 431 ? "headers" : "request" });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
