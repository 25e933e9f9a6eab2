import * as crypto from "crypto";
import { boolVar, ConfigError, Env, FIRM_CODE_PATTERN, intVar, logLevelVar, present, required, secretVar } from "../../service-kit/src/envVars";
import { LC_DEFAULTS, LC_ENV } from "./env";

export { ConfigError, FIRM_CODE_PATTERN };

export type QuotaMode = "soft" | "hard";

export interface LcConfig {
  port: number;
  adminPort: number;
  host: string;
  adminToken: string;
  edition: string;
  webServices: boolean;
  /** null when web services are off */
  wsToken: string | null;
  /** null = no limit */
  quotaActivationsPerMonth: number | null;
  quotaWebServiceCallsPerMonth: number | null;
  quotaMode: QuotaMode;
  db: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    poolSize: number;
    queueLimit: number;
    connectTimeoutMs: number;
    acquireTimeoutMs: number;
    queryTimeoutMs: number;
  };
  /** publicKeyPem: the pinned signing key (FSB_PUBLIC_KEY), or null to fetch it from the FSB once. */
  fsb: { url: string; firmCode: string; token: string; publicKeyPem: string | null };
  bodyLimitBytes: number;
  logLevel: string;
  /** Maintenance is on until its state is written (see LC_ENV.startInMaintenance). */
  startInMaintenance: boolean;
}

const DB_NAME_PATTERN = /^[A-Za-z0-9_$-]{1,64}$/;

function quotaVar(env: Env, name: string): number | null {
  const raw = present(env, name);
  if (raw === undefined || raw.toLowerCase() === "unlimited") return null;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, env[name], 'must be a non-negative integer (or "unlimited" / unset for no limit)');
  }
  return Number(raw);
}

/** An Ed25519 public key as SPKI PEM (literal "\n" sequences accepted, as env files often carry them), or null when unset. */
function publicKeyVar(env: Env, name: string): string | null {
  const raw = present(env, name);
  if (raw === undefined) return null;
  const pem = raw.replace(/\\n/g, "\n");
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch {
    throw new ConfigError(name, raw.slice(0, 40), "must be a public key in PEM form (-----BEGIN PUBLIC KEY-----)");
  }
  if (key.asymmetricKeyType !== "ed25519") throw new ConfigError(name, raw.slice(0, 40), `must be an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key.export({ type: "spki", format: "pem" }).toString();
}

/** Reads License Central's configuration from an environment (pure: no I/O); throws ConfigError. */
export function parseLcConfig(env: Env): LcConfig {
  const port = intVar(env, LC_ENV.port, LC_DEFAULTS.port, 0, 65535);
  const adminPort = intVar(env, LC_ENV.adminPort, LC_DEFAULTS.adminPort, 0, 65535);
  if (port !== 0 && port === adminPort) {
    throw new ConfigError(LC_ENV.adminPort, env[LC_ENV.adminPort], `must differ from ${LC_ENV.port} (the admin API is never on the public port)`);
  }
  const quotaModeRaw = present(env, LC_ENV.quotaMode) ?? LC_DEFAULTS.quotaMode;
  if (quotaModeRaw !== "soft" && quotaModeRaw !== "hard") throw new ConfigError(LC_ENV.quotaMode, env[LC_ENV.quotaMode], 'must be "soft" or "hard"');
  const logLevel = logLevelVar(env, LC_ENV.logLevel, LC_DEFAULTS.logLevel);
  const webServices = boolVar(env, LC_ENV.webServices, LC_DEFAULTS.webServices);
  const database = required(env, LC_ENV.dbName);
  if (!DB_NAME_PATTERN.test(database)) throw new ConfigError(LC_ENV.dbName, database, `must match ${DB_NAME_PATTERN}`);
  const fsbUrl = required(env, LC_ENV.fsbUrl);
  let parsed: URL;
  try {
    parsed = new URL(fsbUrl);
  } catch {
    throw new ConfigError(LC_ENV.fsbUrl, fsbUrl, "must be an absolute http(s) URL, e.g. http://fsb:7070");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigError(LC_ENV.fsbUrl, fsbUrl, "must use http or https");
  const firmCode = required(env, LC_ENV.fsbFirmCode);
  if (!FIRM_CODE_PATTERN.test(firmCode)) throw new ConfigError(LC_ENV.fsbFirmCode, firmCode, `must match ${FIRM_CODE_PATTERN}`);
  const dbPassword = env[LC_ENV.dbPassword];
  if (dbPassword === undefined || dbPassword === "") throw new ConfigError(LC_ENV.dbPassword, dbPassword, "required", true);
  return {
    port,
    adminPort,
    host: present(env, LC_ENV.host) ?? LC_DEFAULTS.host,
    adminToken: secretVar(env, LC_ENV.adminToken),
    edition: present(env, LC_ENV.edition) ?? LC_DEFAULTS.edition,
    webServices,
    wsToken: webServices ? secretVar(env, LC_ENV.wsToken) : null,
    quotaActivationsPerMonth: quotaVar(env, LC_ENV.quotaActivations),
    quotaWebServiceCallsPerMonth: quotaVar(env, LC_ENV.quotaWebServiceCalls),
    quotaMode: quotaModeRaw,
    db: {
      host: required(env, LC_ENV.dbHost),
      port: intVar(env, LC_ENV.dbPort, LC_DEFAULTS.dbPort, 1, 65535),
      database,
      user: required(env, LC_ENV.dbUser),
      password: dbPassword,
      poolSize: intVar(env, LC_ENV.dbPoolSize, LC_DEFAULTS.dbPoolSize, 1, 1000),
      queueLimit: intVar(env, LC_ENV.dbQueueLimit, LC_DEFAULTS.dbQueueLimit, 1, 100_000),
      connectTimeoutMs: intVar(env, LC_ENV.dbConnectTimeoutMs, LC_DEFAULTS.dbConnectTimeoutMs, 100, 60_000),
      acquireTimeoutMs: intVar(env, LC_ENV.dbAcquireTimeoutMs, LC_DEFAULTS.dbAcquireTimeoutMs, 50, 60_000),
      queryTimeoutMs: intVar(env, LC_ENV.dbQueryTimeoutMs, LC_DEFAULTS.dbQueryTimeoutMs, 50, 600_000),
    },
    fsb: { url: fsbUrl.replace(/\/+$/, ""), firmCode, token: secretVar(env, LC_ENV.fsbToken), publicKeyPem: publicKeyVar(env, LC_ENV.fsbPublicKey) },
    bodyLimitBytes: intVar(env, LC_ENV.bodyLimitBytes, LC_DEFAULTS.bodyLimitBytes, 1024, 10 * 1024 * 1024),
    logLevel,
    startInMaintenance: boolVar(env, LC_ENV.startInMaintenance, LC_DEFAULTS.startInMaintenance),
  };
}
