import { ConfigError, Env, FIRM_CODE_PATTERN, intVar, logLevelVar } from "../../service-kit/src/envVars";
import { FSB_DEFAULTS, FSB_ENV } from "./env";

export { ConfigError, FIRM_CODE_PATTERN };

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
  const logLevel = logLevelVar(env, FSB_ENV.logLevel, FSB_DEFAULTS.logLevel);
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
