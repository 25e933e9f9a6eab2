import pino from "pino";
import { createServiceLogger } from "../../service-kit/src/logger";

/** The notifier's logger: webhook secrets, the SMTP password and whole recipient entries are censored besides the common paths. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger(
    "notifier",
    level,
    ["secret", "*.secret", "*.*.secret", "recipients", "*.recipients", "smtp.password", "auth", "*.auth"],
    destination,
  );
}
