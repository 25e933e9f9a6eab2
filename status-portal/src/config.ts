import * as fs from "fs";
import { boolVar, ConfigError, Env, intVar, logLevelVar, present, required } from "../../service-kit/src/envVars";
import { PORTAL_DEFAULTS, PORTAL_ENV } from "./env";

export { ConfigError };

export interface PortalConfig {
  port: number;
  host: string;
  db: { host: string; port: number; database: string; user: string; password: string; timeoutMs: number };
  customersFile: string;
  alertmanagerTokenFile: string;
  adminTokenFile: string;
  cookieSecure: boolean;
  sessionIdleMinutes: number;
  loginFailuresAllowed: number;
  /** Addresses/CIDRs whose X-Forwarded-For is believed (Fastify trustProxy); empty: none. */
  trustedProxies: string[];
  bodyLimitBytes: number;
  logLevel: string;
}

const DB_NAME_PATTERN = /^[A-Za-z0-9_$-]{1,64}$/;

function absolutePath(env: Env, name: string, dflt: string): string {
  const v = present(env, name) ?? dflt;
  if (!v.startsWith("/")) throw new ConfigError(name, v, "must be an absolute path");
  return v;
}

const IPV4_OR_CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6_OR_CIDR = /^[0-9A-Fa-f:]+(\/\d{1,3})?$/;

function trustedProxiesVar(env: Env): string[] {
  const raw = present(env, PORTAL_ENV.trustedProxies);
  if (raw === undefined) return [];
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const a of list) {
    if (!(IPV4_OR_CIDR.test(a) || (a.includes(":") && IPV6_OR_CIDR.test(a)))) {
      throw new ConfigError(PORTAL_ENV.trustedProxies, raw, `${JSON.stringify(a)} is not an IP address or CIDR (e.g. 172.18.0.0/16)`);
    }
  }
  return list;
}

/** Reads the portal's configuration from an environment (pure: no I/O); throws ConfigError naming the variable. */
export function parsePortalConfig(env: Env): PortalConfig {
  const database = required(env, PORTAL_ENV.dbName);
  if (!DB_NAME_PATTERN.test(database)) throw new ConfigError(PORTAL_ENV.dbName, database, `must match ${DB_NAME_PATTERN}`);
  const dbPassword = env[PORTAL_ENV.dbPassword];
  if (dbPassword === undefined || dbPassword === "") throw new ConfigError(PORTAL_ENV.dbPassword, dbPassword, "required", true);
  return {
    port: intVar(env, PORTAL_ENV.port, PORTAL_DEFAULTS.port, 0, 65535),
    host: present(env, PORTAL_ENV.host) ?? PORTAL_DEFAULTS.host,
    db: {
      host: required(env, PORTAL_ENV.dbHost),
      port: intVar(env, PORTAL_ENV.dbPort, PORTAL_DEFAULTS.dbPort, 1, 65535),
      database,
      user: required(env, PORTAL_ENV.dbUser),
      password: dbPassword,
      timeoutMs: intVar(env, PORTAL_ENV.dbTimeoutMs, PORTAL_DEFAULTS.dbTimeoutMs, 50, 600_000),
    },
    customersFile: absolutePath(env, PORTAL_ENV.customersFile, PORTAL_DEFAULTS.customersFile),
    alertmanagerTokenFile: absolutePath(env, PORTAL_ENV.alertmanagerTokenFile, PORTAL_DEFAULTS.alertmanagerTokenFile),
    adminTokenFile: absolutePath(env, PORTAL_ENV.adminTokenFile, PORTAL_DEFAULTS.adminTokenFile),
    cookieSecure: boolVar(env, PORTAL_ENV.cookieSecure, PORTAL_DEFAULTS.cookieSecure),
    sessionIdleMinutes: intVar(env, PORTAL_ENV.sessionIdleMinutes, PORTAL_DEFAULTS.sessionIdleMinutes, 1, 24 * 60),
    loginFailuresAllowed: intVar(env, PORTAL_ENV.loginFailuresAllowed, PORTAL_DEFAULTS.loginFailuresAllowed, 1, 1000),
    trustedProxies: trustedProxiesVar(env),
    bodyLimitBytes: intVar(env, PORTAL_ENV.bodyLimitBytes, PORTAL_DEFAULTS.bodyLimitBytes, 1024, 16 * 1024 * 1024),
    logLevel: logLevelVar(env, PORTAL_ENV.logLevel, PORTAL_DEFAULTS.logLevel),
  };
}

/** A bearer token file's content, trimmed: one token of at least 16 characters; errors name the variable, never the content. */
export function readTokenFile(path: string, variable: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(variable, path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token)) throw new ConfigError(variable, path, "must hold one token of at least 16 characters without spaces");
  return token;
}
