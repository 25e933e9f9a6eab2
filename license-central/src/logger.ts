import pino from "pino";
import { createServiceLogger } from "../../service-kit/src/logger";

/** License Central's logger: admin and web-service tokens are censored besides the common paths. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger("license-central", level, ["adminToken", "*.adminToken", "wsToken", "*.wsToken", "*.*.password", "*.*.token"], destination);
}
