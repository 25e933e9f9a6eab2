import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AlertmanagerServer } from "../components/AlertmanagerServer";
import { AlertNotifier } from "../components/AlertNotifier";
import { blackboxCaFile, BlackboxExporter } from "../components/BlackboxExporter";
import { DatabaseNode, DB_PORT } from "../components/DatabaseServer";
import { HealCredentials, healCredentials, HealService } from "../components/HealService";
import { HttpsEntryPoint } from "../components/HttpsEntryPoint";
import { schemaOwnerSql } from "../components/render/databaseSql";
import { StatusPortal } from "../components/StatusPortal";
import { PrometheusServer } from "../components/PrometheusServer";
import { stackImages } from "../components/StackImages";
import { editionCatalog } from "../model/catalog";
import type { Fleet } from "../model/fleet";
import { customerNames, operationsNames, SANDBOX_NOT_RUN_LABEL, sharedServerNames } from "../model/naming";
import type { OperationsConfig } from "../model/stackConfig";
import { HEAL_SERVICE_PORT } from "../render/heal/serviceConfig";
import { renderMonitoringFiles } from "../render/monitoringFiles";
import { renderNotifierRecipients } from "../render/notifier/recipients";
import { renderPortalCustomers, stablePortalPasswordHash } from "../render/statusPortal/customersFile";
import { PORTAL_DEFAULTS, PORTAL_HEALTH_PATH } from "../status-portal/src/env";

export interface OperationsStackArgs {
  config: OperationsConfig;
  /** What it watches: the stack files of lchost:fleet.stacksDir (model/fleet.ts). */
  fleet: Fleet;
  /** The retained volumes, created by the program with stable names. */
  prometheusVolume: pulumi.Input<string>;
  alertmanagerVolume: pulumi.Input<string>;
  /** The status portal's MariaDB data (sessions, incidents, maintenance): retained like the others. */
  portalDatabaseVolume: pulumi.Input<string>;
  /** The heal service's MariaDB data (the audit table heal_actions, whose history is its action budget): retained. */
  healDatabaseVolume: pulumi.Input<string>;
  /** Absolute host paths of lchost:heal.stateDir and lchost:heal.stacksDir (bind-mounted into the heal service). */
  healDirs: { stateDir: string; stacksDir: string };
  /** Each notified customer's webhook signing secret by customer stack name (from that stack's secret output). */
  customerWebhookSecrets: Record<string, pulumi.Output<string>>;
  /** The certificate of each watched HTTPS entry by the stack that owns it (a customer, or a tenants' shared server). */
  entryCertificates: Record<string, pulumi.Output<string>>;
  /** A secret lchost: key of the operations stack (on-call webhook secret, SMTP credentials). */
  secret(key: string): pulumi.Output<string>;
}

/**
 * The networks Prometheus and the blackbox exporter join to reach every watched part by container name:
 * each customer's own network; for a Datacenter tenant its network on the shared server (its line) and
 * the shared server's backend network (database, FSB and entry point). Sorted, without repeats.
 */
export function watchedNetworks(fleet: Fleet): string[] {
  const nets = new Set<string>();
  for (const c of fleet.customers) {
    if (c.sharedServer) {
      const s = sharedServerNames(c.sharedServer);
      nets.add(s.tenantNetwork(c.customer));
      nets.add(s.backendNetwork);
    } else {
      nets.add(customerNames(c.customer).network);
    }
  }
  return [...nets].sort();
}

/** The operations stack's own secret keys the recipients file needs. */
function operationsSecretKeys(cfg: OperationsConfig): string[] {
  const o = cfg.operations;
  return [o.onCall.webhook?.secretKey, o.smtp.usernameKey, o.smtp.passwordKey].filter((k): k is string => typeof k === "string");
}

/** The status portal's schema and database user on its own MariaDB. */
export const PORTAL_DATABASE = { schema: "status_portal", user: "status_portal" } as const;
/** The heal service's schema and database user on its own MariaDB. */
export const HEAL_DATABASE = { schema: "heal", user: "heal" } as const;

/** The portal's internal APIs (Alertmanager's webhook, the team's admin API): never routed by its HTTPS entry. */
export const PORTAL_INTERNAL_PATHS = ["/v1"];

/**
 * The subnets Docker gave a network (comma-separated; "" until it exists, e.g. in a plan): the provider reads them
 * back after creating it. The portal trusts X-Forwarded-For from there: only its HTTPS entry sets it.
 */
export function networkSubnets(network: docker.Network): pulumi.Output<string> {
  return network.ipamConfigs.apply((configs) =>
    (configs ?? [])
      .map((c) => c.subnet)
      .filter((s): s is string => typeof s === "string" && s !== "")
      .join(","),
  );
}

/** The host name customers and the team open the portal at: `status.<lchost:domain>`. */
export function statusPortalHost(domain: string): string {
  return `status.${domain}`;
}

/**
 * The operations stack of a data centre (`lchost:role: operations`): Prometheus, Alertmanager, the blackbox
 * exporter, the notifier, the status portal (with its MariaDB and the HTTPS entry publishing its pages) and the heal
 * service (with its MariaDB), configured from the fleet by the pure renderers (render/). Prometheus and the blackbox
 * exporter join every watched network; the others only the stack's own.
 */
export class OperationsStack extends pulumi.ComponentResource {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly files: ReturnType<typeof renderMonitoringFiles>;
  readonly recipients: pulumi.Output<string>;
  /** https://status.<domain>:<httpsPort>, the portal's only published address. */
  readonly statusPortalUrl: pulumi.Output<string>;
  /** Each customer's generated portal password (secret; a stack output handed to the customer). */
  readonly portalPasswords: pulumi.Output<Record<string, string>>;
  /** The hosting team's bearer token for the portal's admin API (`lchost incident …`; secret). */
  readonly portalAdminToken: pulumi.Output<string>;

  constructor(name: string, args: OperationsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:editions:OperationsStack", name, {}, opts);
    const cfg = args.config;
    const names = operationsNames(cfg.name);
    const o = { parent: this };
    const owner = { "lchost.operations": cfg.name };
    const common = editionCatalog().common;
    // the portal's database and its HTTPS entry run the images the customers' databases and gateways run
    const images = stackImages(
      { ...common.operationsImages, database: common.images.database, mysqldExporter: common.images.mysqldExporter, balancer: common.images.balancer },
      o,
    );
    const own = new docker.Network(
      "operations-network",
      { name: names.network, driver: "bridge", labels: [{ label: "lchost.operations", value: cfg.name }] },
      o,
    );
    const watching = [own.name, ...watchedNetworks(args.fleet)];

    // the blackbox probe trusts each entry's own certificate (self-signed by its stack), nothing else
    const caFiles = Object.entries(args.entryCertificates).map(([stack, pem]) => ({ file: blackboxCaFile(stack), content: pem }));
    const entryStackOf = new Map(args.fleet.customers.map((c) => [c.customer, c.sharedServer ?? c.stack]));
    this.files = renderMonitoringFiles(args.fleet, cfg, {
      caFileOf: (customer) => {
        const stack = entryStackOf.get(customer);
        return stack !== undefined && args.entryCertificates[stack] !== undefined ? blackboxCaFile(stack) : undefined;
      },
      statusPortal: { host: names.statusPortal },
      // the receiver's files are ALERTMANAGER_PATHS.heal (the renderer's defaults), uploaded below
      heal: { url: `https://${names.heal}:${HEAL_SERVICE_PORT}` },
    });
    const healTrust = healCredentials(names.heal, o);
    const token = new random.RandomPassword("notifier-token", { length: 40, special: false }, o);
    const opsKeys = operationsSecretKeys(cfg);
    const customerSecrets = pulumi.all(args.customerWebhookSecrets);
    const opsSecrets = pulumi.all(Object.fromEntries(opsKeys.map((k) => [k, args.secret(k)])));
    this.recipients = pulumi.secret(
      pulumi.all([customerSecrets, opsSecrets]).apply(([byStack, byKey]) =>
        renderNotifierRecipients(args.fleet, cfg.operations, {
          customerSecret: (stack) => {
            const v = byStack[stack];
            if (v === undefined) throw new Error(`operations stack ${cfg.name}: no webhook secret of customer stack '${stack}'`);
            return v;
          },
          operationsSecret: (key) => byKey[key],
        }),
      ),
    );

    const portalAlertmanagerToken = new random.RandomPassword("status-portal-alertmanager-token", { length: 40, special: false }, o);
    const portal = this.statusPortal(cfg, args, images, own, owner, portalAlertmanagerToken.result);

    new AlertNotifier(
      "notifier",
      { hostname: names.notifier, image: images.notifier!, networks: [own.name], owner, recipients: this.recipients, token: token.result },
      o,
    );
    const am = new AlertmanagerServer(
      "alertmanager",
      {
        hostname: names.alertmanager,
        image: images.alertmanager!,
        networks: [own.name],
        owner,
        volumeName: args.alertmanagerVolume,
        config: this.files["alertmanager.yml"],
        notifierToken: token.result,
        statusPortalToken: portalAlertmanagerToken.result,
        heal: { token: healTrust.token, clientCert: healTrust.clientCertificate, clientKey: healTrust.clientKey, ca: healTrust.caCertificate },
      },
      o,
    );
    this.healService(cfg, args, images, own, owner, am.url, healTrust);
    new BlackboxExporter(
      "blackbox",
      { hostname: names.blackbox, image: images.blackboxExporter!, networks: watching, owner, config: this.files["blackbox.yml"], caFiles },
      o,
    );
    const prometheus = new PrometheusServer(
      "prometheus",
      {
        hostname: names.prometheus,
        image: images.prometheus!,
        networks: watching,
        owner,
        volumeName: args.prometheusVolume,
        config: this.files["prometheus.yml"],
        rules: this.files["rules.yml"],
        retentionDays: common.prometheusRetentionDays,
      },
      o,
    );
    this.prometheusUrl = prometheus.url;
    this.alertmanagerUrl = am.url;
    this.statusPortalUrl = portal.url;
    this.portalPasswords = portal.passwords;
    this.portalAdminToken = portal.adminToken;
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl, statusPortalUrl: this.statusPortalUrl });
  }

  /**
   * The heal service: its MariaDB (schema and user by the init SQL, data on the retained volume) and the service, on
   * the operations network only, with the Docker socket and lchost:heal's directories bind-mounted.
   */
  private healService(
    cfg: OperationsConfig,
    args: OperationsStackArgs,
    images: Partial<Record<string, pulumi.Output<string>>>,
    own: docker.Network,
    owner: Record<string, string>,
    alertmanagerUrl: string,
    trust: HealCredentials,
  ): HealService {
    const names = operationsNames(cfg.name);
    const o = { parent: this };
    const sizes = editionCatalog().common.statusPortal;
    const secret = (logical: string, length: number) => pulumi.secret(new random.RandomPassword(logical, { length, special: false }, o).result);
    const dbPassword = secret("heal-db-password", 32);
    // the sandbox runs no heal service: its seams act on the processes the sandbox's own Node process owns
    const healOwner = { ...owner, [SANDBOX_NOT_RUN_LABEL]: "heal" };
    const database = new DatabaseNode(
      "heal-db",
      {
        hostname: names.healDatabase,
        image: images.database!,
        networks: [own.name],
        volumeName: args.healDatabaseVolume,
        initSql: pulumi.secret(dbPassword.apply((password) => schemaOwnerSql({ ...HEAL_DATABASE, password }))),
        // an audit table of a few rows per action: the portal database's size does
        memoryMb: sizes.database.memoryMb,
        cpuShares: sizes.database.cpuShares,
        monitoring: { exporterImage: images.mysqldExporter!, monitorPassword: secret("heal-db-monitor-password", 32) },
        owner: healOwner,
      },
      o,
    );
    return new HealService(
      "heal",
      {
        hostname: names.heal,
        image: images.heal!,
        networks: [own.name],
        owner: healOwner,
        database: {
          host: database.host,
          port: DB_PORT,
          name: HEAL_DATABASE.schema,
          user: HEAL_DATABASE.user,
          password: dbPassword,
          container: database.container,
        },
        alertmanagerUrl,
        dryRun: cfg.heal.dryRun,
        serverCertificate: trust.serverCertificate,
        serverKey: trust.serverKey,
        clientCa: trust.caCertificate,
        token: trust.token,
        stateDir: args.healDirs.stateDir,
        stacksDir: args.healDirs.stacksDir,
      },
      { parent: this, dependsOn: [database] },
    );
  }

  /**
   * The status portal: its MariaDB (schema and user by the init SQL, data on the retained volume), the portal with
   * the customers file (one random password per customer, only its hash uploaded), Alertmanager's and the team's
   * tokens, and an HTTPS entry publishing its pages on lchost:httpsPort — never its internal /v1/ APIs or /metrics.
   */
  private statusPortal(
    cfg: OperationsConfig,
    args: OperationsStackArgs,
    images: Partial<Record<string, pulumi.Output<string>>>,
    own: docker.Network,
    owner: Record<string, string>,
    alertmanagerToken: pulumi.Output<string>,
  ) {
    const names = operationsNames(cfg.name);
    const network = own.name;
    const o = { parent: this };
    const sizes = editionCatalog().common.statusPortal;
    const secret = (logical: string, length: number) => pulumi.secret(new random.RandomPassword(logical, { length, special: false }, o).result);
    const dbPassword = secret("status-portal-db-password", 32);
    const database = new DatabaseNode(
      "status-portal-db",
      {
        hostname: names.portalDatabase,
        image: images.database!,
        networks: [network],
        volumeName: args.portalDatabaseVolume,
        initSql: pulumi.secret(dbPassword.apply((password) => schemaOwnerSql({ ...PORTAL_DATABASE, password }))),
        memoryMb: sizes.database.memoryMb,
        cpuShares: sizes.database.cpuShares,
        monitoring: { exporterImage: images.mysqldExporter!, monitorPassword: secret("status-portal-db-monitor-password", 32) },
        owner,
      },
      o,
    );
    const customers = args.fleet.customers.map((c) => c.customer);
    // named after the customer first: the offline plan's placeholder (planned<name>, cut to the length) then differs per customer
    const passwordByCustomer = Object.fromEntries(customers.map((c) => [c, secret(`${c}-portal-password`, 24)]));
    const passwords = pulumi.secret(pulumi.all(passwordByCustomer)) as pulumi.Output<Record<string, string>>;
    const customersFile = pulumi.secret(passwords.apply((byCustomer) => renderPortalCustomers(args.fleet, (c) => stablePortalPasswordHash(c, byCustomer[c]))));
    const adminToken = secret("status-portal-admin-token", 40);
    const portal = new StatusPortal(
      "status-portal",
      {
        hostname: names.statusPortal,
        image: images.statusPortal!,
        networks: [network],
        owner,
        customers: customersFile,
        alertmanagerToken,
        adminToken,
        database: { host: database.host, port: DB_PORT, name: PORTAL_DATABASE.schema, user: PORTAL_DATABASE.user, password: dbPassword },
        // the entry is the only peer that sets X-Forwarded-For (to the client's address); it reaches the portal on this network
        trustedProxies: networkSubnets(own),
      },
      { parent: this, dependsOn: [database] },
    );
    const host = statusPortalHost(cfg.domain);
    const entry = new HttpsEntryPoint(
      "status-portal-entry",
      {
        hostname: names.portalEntry,
        dnsNames: [host],
        image: images.balancer!,
        networks: [network],
        publishedPort: cfg.httpsPort,
        webServices: false,
        backends: [{ name: "status_portal", servers: [{ name: "portal", address: names.statusPortal, port: PORTAL_DEFAULTS.port }] }],
        healthPath: PORTAL_HEALTH_PATH,
        internalPaths: PORTAL_INTERNAL_PATHS,
        forwardClientAddress: true,
        limits: sizes.gateway,
        owner,
      },
      { parent: this, dependsOn: [portal] },
    );
    return { url: entry.endpoint, passwords, adminToken };
  }
}
