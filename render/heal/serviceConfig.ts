/**
 * The heal service's configuration file (`lchost heal serve --config <file>`, JSON; parsed by
 * heal/service/config.ts `parseHealConfig`, which a unit test runs on this output). Pure: the operations stack
 * uploads what this returns. Secrets are never in it, only the paths of the files that hold them.
 */

/** Where the heal service listens on the operations network (never published on the host). */
export const HEAL_SERVICE_PORT = 9097;

/** Where the operations stack puts the heal service's files and the host directories it acts on, inside its container. */
export const HEAL_SERVICE_PATHS = {
  config: "/etc/lchost/heal/heal.json",
  serverCert: "/etc/lchost/heal/server.crt",
  serverKey: "/etc/lchost/heal/server.key",
  /** The heal CA: it signed Alertmanager's client certificate, so the service verifies clients against it. */
  clientCa: "/etc/lchost/heal/ca.crt",
  token: "/etc/lchost/heal/token",
  databasePassword: "/etc/lchost/heal/db-password",
  /** The Docker engine's socket, bind-mounted from the host (docs/self-healing.md: what that means). */
  dockerSocket: "/var/run/docker.sock",
  /** `lchost up --target docker`'s state directory (the plans the crash-loop playbook recreates parts from). */
  stateDir: "/var/lib/lchost/docker-run",
  /** The stack files (extra lines, autoscale). */
  stacksDir: "/var/lib/lchost/stacks",
} as const;

export interface HealServiceConfigInput {
  /** The service's MariaDB (container name) and its schema and user. */
  database: { host: string; port: number; user: string; name: string };
  /** Alertmanager's base URL on the operations network (HealAction / HealGaveUp are posted to its API v2). */
  alertmanagerUrl: string;
  dryRun: boolean;
}

/** The JSON file as the service reads it (field names: heal/service/config.ts). */
export interface HealServiceConfigFile {
  listen: { host: string; port: number };
  tls: { certFile: string; keyFile: string; clientCaFile: string };
  tokenFile: string;
  dryRun: boolean;
  database: { host: string; port: number; user: string; passwordFile: string; database: string };
  alertmanagerUrl: string;
  runtime: { kind: "docker"; stateDir: string; dockerHost: string };
  /** The stack files (bind-mounted): with it the service controls lines (extra lines' deadlines, autoscale). */
  stacksDir: string;
}

/**
 * The deployed service's configuration: HTTPS on every address of its container (it joins only the operations
 * network), the Alertmanager path only (client certificate + token; no `signatureSecretFile`, so signed posts are
 * not accepted), the Docker runtime on the bind-mounted socket and stack files (line control: extra lines, autoscale),
 * the playbooks' settings and the timer at the service's defaults.
 */
export function healServiceConfig(input: HealServiceConfigInput): HealServiceConfigFile {
  const p = HEAL_SERVICE_PATHS;
  return {
    listen: { host: "0.0.0.0", port: HEAL_SERVICE_PORT },
    tls: { certFile: p.serverCert, keyFile: p.serverKey, clientCaFile: p.clientCa },
    tokenFile: p.token,
    dryRun: input.dryRun,
    database: {
      host: input.database.host,
      port: input.database.port,
      user: input.database.user,
      passwordFile: p.databasePassword,
      database: input.database.name,
    },
    alertmanagerUrl: input.alertmanagerUrl,
    runtime: { kind: "docker", stateDir: p.stateDir, dockerHost: `unix://${p.dockerSocket}` },
    stacksDir: p.stacksDir,
  };
}

export function renderHealServiceConfig(input: HealServiceConfigInput): string {
  return `${JSON.stringify(healServiceConfig(input), null, 2)}\n`;
}
