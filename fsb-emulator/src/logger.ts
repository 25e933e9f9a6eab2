import pino from "pino";

/** Paths pino censors in every log line: bearer tokens, passwords and the token map never reach the logs. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "token",
  "*.token",
  "firmTokens",
  "*.firmTokens",
  "password",
  "*.password",
];

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    { name: "fsb-emulator", level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
    destination ?? pino.destination(1),
  );
}
