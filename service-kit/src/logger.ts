import pino from "pino";

/** Paths every service censors: bearer tokens and passwords never reach the logs. */
export const COMMON_REDACT_PATHS = ["req.headers.authorization", "headers.authorization", "authorization", "token", "*.token", "password", "*.password"];

export function createServiceLogger(
  name: string,
  level: string,
  extraRedactPaths: string[],
  destination?: pino.DestinationStream,
  /** More pino options (serializers, hooks) of one service. */
  extra: Pick<pino.LoggerOptions, "serializers" | "hooks"> = {},
): pino.Logger {
  return pino(
    { ...extra, name, level, redact: { paths: [...COMMON_REDACT_PATHS, ...extraRedactPaths], censor: "[redacted]" } },
    destination ?? pino.destination(1),
  );
}
