import { FSB_DEFAULTS, FSB_ENV } from "./env";

export interface FsbConfig {
  port: number;
  host: string;
  dataDir: string;
  signLatencyMs: number;
  queueLimit: number;
  bodyLimitBytes: number;
  idempotencyLimit: number;
  /** firm code → bearer token */
  firmTokens: Map<string, string>;
  logLevel: string;
}

/** Thrown for an invalid environment; the message names the variable and the offending value (never a secret's value). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    reason: string,
    secret = false,
  ) {
    super(`${variable}=${secret ? "<redacted>" : JSON.stringify(value ?? "")} is invalid: ${reason}`);
    this.name = "ConfigError";
  }
}

export const FIRM_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, raw, `must be an integer between ${min} and ${max}`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(name, raw, `must be an integer between ${min} and ${max}`);
  return n;
}

/** Parses `FIRM=TOKEN,FIRM2=TOKEN2` (pure). */
export function parseFirmTokens(raw: string | undefined): Map<string, string> {
  const name = FSB_ENV.firmTokens;
  if (raw === undefined || raw.trim() === "") throw new ConfigError(name, raw, "required: at least one FIRM=TOKEN pair", true);
  const out = new Map<string, string>();
  for (const [i, part] of raw.split(",").entries()) {
    const eq = part.indexOf("=");
    const firm = eq < 0 ? part.trim() : part.slice(0, eq).trim();
    const token = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!FIRM_CODE_PATTERN.test(firm)) {
      throw new ConfigError(name, raw, `entry ${i + 1}: firm code ${JSON.stringify(firm)} must match ${FIRM_CODE_PATTERN}`, true);
    }
    if (token.length < 8) throw new ConfigError(name, raw, `entry ${i + 1} (firm ${firm}): token must be at least 8 characters`, true);
    if (out.has(firm)) throw new ConfigError(name, raw, `firm ${firm} is listed twice`, true);
    out.set(firm, token);
  }
  return out;
}

/** Reads the emulator's configuration from an environment (pure: no I/O); throws ConfigError. */
export function parseFsbConfig(env: Env): FsbConfig {
  const host = env[FSB_ENV.host]?.trim() || FSB_DEFAULTS.host;
  const dataDir = env[FSB_ENV.dataDir]?.trim() || FSB_DEFAULTS.dataDir;
  if (!dataDir.startsWith("/")) throw new ConfigError(FSB_ENV.dataDir, dataDir, "must be an absolute path");
  const logLevel = env[FSB_ENV.logLevel]?.trim() || FSB_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(FSB_ENV.logLevel, logLevel, `must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    port: intVar(env, FSB_ENV.port, FSB_DEFAULTS.port, 0, 65535),
    host,
    dataDir,
    signLatencyMs: intVar(env, FSB_ENV.signLatencyMs, FSB_DEFAULTS.signLatencyMs, 0, 600_000),
    queueLimit: intVar(env, FSB_ENV.queueLimit, FSB_DEFAULTS.queueLimit, 1, 1_000_000),
    bodyLimitBytes: intVar(env, FSB_ENV.bodyLimitBytes, FSB_DEFAULTS.bodyLimitBytes, 1024, 10 * 1024 * 1024),
    idempotencyLimit: intVar(env, FSB_ENV.idempotencyLimit, FSB_DEFAULTS.idempotencyLimit, 1, 10_000_000),
    firmTokens: parseFirmTokens(env[FSB_ENV.firmTokens]),
    logLevel,
  };
}
