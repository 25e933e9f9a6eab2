import pino from "pino";
import { createServiceLogger } from "../../service-kit/src/logger";

/**
 * A request as logged: the path without its query string (Alertmanager sends none; whatever a caller puts
 * there, a token tried in the wrong place included, stays out of the logs), cut at 200 characters.
 */
export function loggedRequest(req: { method?: string; url?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
  const url = String(req.url ?? "");
  const q = url.indexOf("?");
  const path = q === -1 ? url : `${url.slice(0, q)}?…`;
  return {
    method: req.method,
    url: path.length <= 200 ? path : `${path.slice(0, 200)}… (${path.length} characters)`,
    hostname: req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The notifier's logger: webhook secrets, the SMTP password and whole recipient entries are censored besides
 * the common paths; request URLs are logged without their query string.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger(
    "notifier",
    level,
    ["secret", "*.secret", "*.*.secret", "recipients", "*.recipients", "smtp.password", "auth", "*.auth"],
    destination,
    { serializers: { req: loggedRequest } },
  );
}
