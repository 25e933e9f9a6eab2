import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PORTAL_DEFAULTS, PORTAL_ENV, PORTAL_HEALTH_PATH } from "../status-portal/src/env";
import { OperationsContainerArgs, operationsContainer } from "./operationsContainer";
import { httpHealthCommand } from "./serviceEnv";

/** The portal's command line in its image (status-portal/): Debian's node and the built service. */
export const STATUS_PORTAL_COMMAND = ["node", "/app/dist/status-portal/src/main.js"];

export interface StatusPortalArgs extends OperationsContainerArgs {
  /** The customers file as rendered (render/statusPortal/customersFile.ts): password hashes, so secret. */
  customers: pulumi.Input<string>;
  /** The bearer token Alertmanager presents (secret; the content of Alertmanager's credentials file for the portal). */
  alertmanagerToken: pulumi.Input<string>;
  /** The hosting team's bearer token for the admin API (`lchost incident …`; secret). */
  adminToken: pulumi.Input<string>;
  /** The portal's own schema on a MariaDB server (it creates its tables at start). */
  database: { host: string; port?: number; name: string; user: string; password: pulumi.Input<string> };
  /**
   * Addresses or CIDRs (comma-separated) whose X-Forwarded-For the portal believes: its HTTPS entry's network, so
   * login throttling per client address sees the client, not the entry. Empty: none (every client shares the entry's budget).
   */
  trustedProxies?: pulumi.Input<string>;
}

/**
 * The status portal (status-portal/): customers' status pages, the public page, incidents from Alertmanager and the
 * team's admin API. Deployed by editions/OperationsStack.ts beside its MariaDB, behind the operations stack's HTTPS
 * entry (cookies are Secure), which never routes /v1/ or /metrics from outside.
 */
export class StatusPortal extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: string;

  constructor(name: string, args: StatusPortalArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:components:StatusPortal", name, {}, opts);
    const d = PORTAL_DEFAULTS;
    const db = args.database;
    this.container = operationsContainer(
      name,
      args,
      {
        system: "status-portal",
        entrypoints: STATUS_PORTAL_COMMAND,
        envs: [
          `${PORTAL_ENV.port}=${d.port}`,
          `${PORTAL_ENV.host}=0.0.0.0`,
          `${PORTAL_ENV.customersFile}=${d.customersFile}`,
          `${PORTAL_ENV.alertmanagerTokenFile}=${d.alertmanagerTokenFile}`,
          `${PORTAL_ENV.adminTokenFile}=${d.adminTokenFile}`,
          `${PORTAL_ENV.dbHost}=${db.host}`,
          `${PORTAL_ENV.dbPort}=${db.port ?? d.dbPort}`,
          `${PORTAL_ENV.dbName}=${db.name}`,
          `${PORTAL_ENV.dbUser}=${db.user}`,
          ...(args.trustedProxies !== undefined ? [pulumi.interpolate`${PORTAL_ENV.trustedProxies}=${args.trustedProxies}`] : []),
          pulumi.secret(pulumi.interpolate`${PORTAL_ENV.dbPassword}=${db.password}`),
        ],
        uploads: [
          { file: d.customersFile, content: args.customers, secret: true },
          { file: d.alertmanagerTokenFile, content: args.alertmanagerToken, secret: true },
          { file: d.adminTokenFile, content: args.adminToken, secret: true },
        ],
        port: d.port,
        healthTest: httpHealthCommand(d.port, PORTAL_HEALTH_PATH),
        // the schema is created at start and the database may still be starting: up to 60 s
        startPeriodSeconds: 60,
        // each login's scrypt takes 32 MiB, up to 4 at a time in libuv's pool, besides node's own ~60 MiB
        memoryMb: 384,
      },
      this,
    );
    this.url = `http://${args.hostname}:${d.port}`;
    this.registerOutputs({ url: this.url });
  }
}
