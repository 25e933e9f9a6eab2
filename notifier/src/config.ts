import * as fs from "fs";
import { ConfigError, Env, intVar, logLevelVar, present } from "../../service-kit/src/envVars";
import { NOTIFIER_DEFAULTS, NOTIFIER_ENV } from "./env";

export { ConfigError };

export interface NotifierConfig {
  port: number;
  host: string;
  recipientsFile: string;
  tokenFile: string;
  caFile: string | null;
  webhookTimeoutMs: number;
  smtpTimeoutMs: number;
  bodyLimitBytes: number;
  logLevel: string;
}

function absolutePath(env: Env, name: string, dflt: string): string {
  const v = present(env, name) ?? dflt;
  if (!v.startsWith("/")) throw new ConfigError(name, v, "must be an absolute path");
  return v;
}

/** Reads the notifier's configuration from an environment (pure: no I/O); throws ConfigError naming the variable. */
export function parseNotifierConfig(env: Env): NotifierConfig {
  const ca = present(env, NOTIFIER_ENV.caFile);
  return {
    port: intVar(env, NOTIFIER_ENV.port, NOTIFIER_DEFAULTS.port, 0, 65535),
    host: present(env, NOTIFIER_ENV.host) ?? NOTIFIER_DEFAULTS.host,
    recipientsFile: absolutePath(env, NOTIFIER_ENV.recipientsFile, NOTIFIER_DEFAULTS.recipientsFile),
    tokenFile: absolutePath(env, NOTIFIER_ENV.tokenFile, NOTIFIER_DEFAULTS.tokenFile),
    caFile: ca === undefined ? null : absolutePath(env, NOTIFIER_ENV.caFile, ca),
    webhookTimeoutMs: intVar(env, NOTIFIER_ENV.webhookTimeoutMs, NOTIFIER_DEFAULTS.webhookTimeoutMs, 100, 120_000),
    smtpTimeoutMs: intVar(env, NOTIFIER_ENV.smtpTimeoutMs, NOTIFIER_DEFAULTS.smtpTimeoutMs, 100, 120_000),
    bodyLimitBytes: intVar(env, NOTIFIER_ENV.bodyLimitBytes, NOTIFIER_DEFAULTS.bodyLimitBytes, 1024, 16 * 1024 * 1024),
    logLevel: logLevelVar(env, NOTIFIER_ENV.logLevel, NOTIFIER_DEFAULTS.logLevel),
  };
}

/** The bearer token Alertmanager presents (the file's content, trimmed; at least 16 characters). */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(NOTIFIER_ENV.tokenFile, path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token))
    throw new ConfigError(NOTIFIER_ENV.tokenFile, path, "must hold one token of at least 16 characters without spaces");
  return token;
}
