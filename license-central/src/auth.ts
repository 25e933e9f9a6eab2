import * as crypto from "crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./httpErrors";

function sha256(s: string): Buffer {
  return crypto.createHash("sha256").update(s).digest();
}

/** An onRequest check for `Authorization: Bearer <token>` (compared in constant time): 401 without one, 403 with a wrong one. */
export function bearerAuth(token: string, what: string): (req: FastifyRequest) => Promise<void> {
  const digest = sha256(token);
  return async (req) => {
    const h = req.headers.authorization;
    const m = typeof h === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) {
      throw new HttpError(401, "unauthorized", `authorization: missing bearer token (Authorization: Bearer <${what} token>)`, "authorization", {
        "WWW-Authenticate": 'Bearer realm="license-central"',
      });
    }
    if (!crypto.timingSafeEqual(sha256(m[1]), digest))
      throw new HttpError(403, "forbidden", `authorization: the bearer token is not a valid ${what} token`, "authorization");
  };
}
