import pino from "pino";
import { createServiceLogger } from "../../service-kit/src/logger";

/**
 * The portal's logger: besides the common paths, cookies (the session id) and form fields with passwords or
 * CSRF tokens are censored; the request serializer logs the path only (never a query string or a cookie).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger(
    "status-portal",
    level,
    ["req.headers.cookie", "headers.cookie", "cookie", "res.headers['set-cookie']", "session", "*.session", "csrf", "*.csrf", "passwordHash", "*.passwordHash"],
    destination,
    {
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: String(req.url ?? "").split("?")[0], remoteAddress: req.ip }),
      },
    },
  );
}
