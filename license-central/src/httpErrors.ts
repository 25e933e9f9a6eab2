import type { FastifyReply } from "fastify";
import { bad, HttpError, sendClientError, sendInternalError } from "../../service-kit/src/httpErrors";
import { LC_ENV } from "./env";

export { bad, HttpError };

/** Bad requests as JSON naming the field; a lost database as 503 (another line can serve it); else a logged 500. */
export function sendError(reply: FastifyReply, err: any): FastifyReply {
  const answered = sendClientError(reply, err, LC_ENV.bodyLimitBytes);
  if (answered) return answered;
  if (isDatabaseUnavailable(err)) {
    // Another line (on another cluster node) can serve it: 503 lets the balancer re-send it there.
    reply.log.warn({ code: err.code, errno: err.errno }, "database unavailable");
    return reply
      .code(503)
      .header("Retry-After", "1")
      .send({ error: "database_unavailable", message: `the database is not reachable (${err.code ?? err.errno ?? err.message}); retry` });
  }
  return sendInternalError(reply, err);
}

/** Connection-level database failures (server gone, Galera node not ready), not errors of the request. */
const DB_UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_UNKNOWN_COM_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_CON_COUNT_ERROR",
  // our own deadlines (db.ts): connection not acquired / statement not answered in time
  "LC_DB_TIMEOUT",
]);
/** mysql2's pool refusals carry no code. */
const POOL_REFUSALS = new Set(["Queue limit reached.", "No connections available.", "Pool is closed."]);

export function isDatabaseUnavailable(err: any): boolean {
  return Boolean(err) && (DB_UNAVAILABLE_CODES.has(err.code) || err.fatal === true || POOL_REFUSALS.has(err.message));
}
