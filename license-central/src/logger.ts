import pino from "pino";

/** Paths pino censors in every log line: tokens and passwords never reach the logs. */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "token",
  "*.token",
  "adminToken",
  "*.adminToken",
  "wsToken",
  "*.wsToken",
  "password",
  "*.password",
  "*.*.password",
  "*.*.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    { name: "license-central", level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
    destination ?? pino.destination(1),
  );
}
