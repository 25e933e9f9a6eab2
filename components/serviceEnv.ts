import * as pulumi from "@pulumi/pulumi";
import { FSB_DEFAULTS, FSB_ENV, FSB_HEALTH_PATH } from "../fsb-emulator/src/env";
import { LC_DEFAULTS, LC_ENV, LC_HEALTH_PATH } from "../license-central/src/env";

/**
 * Environment of the two services as the components set it: names and defaults come from the services'
 * own env contracts, so what we deploy is what the programs read.
 */
export interface LicenseCentralSettings {
  edition: string;
  webServices: boolean;
  quotas: { activationsPerMonth: number; webServiceCallsPerMonth: number };
  quotaMode: "soft" | "hard";
  /** The database host (HA: each line uses another cluster node). */
  dbHost: pulumi.Input<string>;
  dbPort: number;
  dbName: string;
  dbUser: string;
  dbPassword: pulumi.Input<string>;
  fsbUrl: pulumi.Input<string>;
  fsbFirmCode: string;
  fsbToken: pulumi.Input<string>;
  adminToken: pulumi.Input<string>;
  /** Bearer token License Central requires on /ws/; the gateway adds it to requests it has let through. */
  webServiceToken?: pulumi.Input<string>;
  /** Maintenance on until its state is written; only set when true, so lines deployed without it keep their env. */
  startInMaintenance?: boolean;
}

export type EnvEntry = [name: string, value: pulumi.Input<string>];

export function licenseCentralEnv(s: LicenseCentralSettings): EnvEntry[] {
  return [
    [LC_ENV.port, String(LC_DEFAULTS.port)],
    [LC_ENV.adminPort, String(LC_DEFAULTS.adminPort)],
    [LC_ENV.edition, s.edition],
    [LC_ENV.webServices, String(s.webServices)],
    [LC_ENV.quotaActivations, String(s.quotas.activationsPerMonth)],
    [LC_ENV.quotaWebServiceCalls, String(s.quotas.webServiceCallsPerMonth)],
    [LC_ENV.quotaMode, s.quotaMode],
    [LC_ENV.dbHost, s.dbHost],
    [LC_ENV.dbPort, String(s.dbPort)],
    [LC_ENV.dbName, s.dbName],
    [LC_ENV.dbUser, s.dbUser],
    [LC_ENV.dbPassword, pulumi.secret(s.dbPassword)],
    [LC_ENV.fsbUrl, s.fsbUrl],
    [LC_ENV.fsbFirmCode, s.fsbFirmCode],
    [LC_ENV.fsbToken, pulumi.secret(s.fsbToken)],
    [LC_ENV.adminToken, pulumi.secret(s.adminToken)],
    ...(s.webServiceToken !== undefined ? ([[LC_ENV.wsToken, pulumi.secret(s.webServiceToken)]] as EnvEntry[]) : []),
    ...(s.startInMaintenance ? ([[LC_ENV.startInMaintenance, "true"]] as EnvEntry[]) : []),
  ];
}

export interface FsbSettingsEnv {
  signLatencyMs: number;
  /** firm code -> token */
  firmTokens: Array<[firm: string, token: pulumi.Input<string>]>;
}

export function fsbEmulatorEnv(s: FsbSettingsEnv): EnvEntry[] {
  const tokens = pulumi.all(s.firmTokens.map(([firm, token]) => pulumi.output(token).apply((t) => `${firm}=${t}`)));
  return [
    [FSB_ENV.port, String(FSB_DEFAULTS.port)],
    [FSB_ENV.dataDir, FSB_DEFAULTS.dataDir],
    [FSB_ENV.signLatencyMs, String(s.signLatencyMs)],
    [FSB_ENV.firmTokens, pulumi.secret(tokens.apply((t) => t.join(",")))],
  ];
}

/** Docker's `envs` form: ["K=V"]. */
export function dockerEnvs(entries: EnvEntry[]): pulumi.Input<string>[] {
  return entries.map(([k, v]) => pulumi.interpolate`${k}=${v}`);
}

/** A health check that needs nothing but node (slim images have no curl). */
/**
 * A container's HTTP health check: bash's /dev/tcp and the status line, bounded by coreutils' `timeout`.
 * Not `node -e fetch(...)`: a Node start costs ~0.1 s of CPU every 5 s per container, and Docker does not kill
 * a check that outlives its timeout — on a loaded host the unbounded fetches of a slow FSB piled up (81 at once
 * for 4 FSBs, load 280). The check must end by itself within 2 s, whatever the service does.
 */
export function httpHealthCommand(port: number, path: string): string[] {
  const probe =
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && ` +
    `read -r status <&3 && [[ "$status" == HTTP/1.?" 200 "* ]]`;
  return ["CMD", "timeout", "2", "bash", "-c", probe];
}

export const LC_HEALTH = { port: LC_DEFAULTS.port, path: LC_HEALTH_PATH };
export const FSB_HEALTH = { port: FSB_DEFAULTS.port, path: FSB_HEALTH_PATH };
export const FSB_PORT = FSB_DEFAULTS.port;
export const LC_PORT = LC_DEFAULTS.port;
