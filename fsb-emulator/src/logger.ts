import pino from "pino";
import { createServiceLogger } from "../../service-kit/src/logger";

/** The emulator's logger: the firm-token map is censored besides the common token and password paths. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return createServiceLogger("fsb-emulator", level, ["firmTokens", "*.firmTokens"], destination);
}
