import type { FastifyReply } from "fastify";
import type { QuotaName } from "./quota";

/** What a use case answers, without knowing HTTP framework details: status, body and the flags that become headers. */
export interface Outcome<T> {
  status: number;
  body: T;
  /** The same request was served before: Idempotent-Replayed: true. */
  replayed?: boolean;
  /** Soft mode served it over this quota: X-Quota-Exceeded. */
  quotaExceeded?: QuotaName;
}

export function sendOutcome<T>(reply: FastifyReply, o: Outcome<T>): T {
  reply.code(o.status);
  if (o.replayed) reply.header("Idempotent-Replayed", "true");
  if (o.quotaExceeded) reply.header("X-Quota-Exceeded", o.quotaExceeded);
  return o.body;
}
