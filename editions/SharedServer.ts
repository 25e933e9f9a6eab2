import * as docker from "@pulumi/docker";
import { stackImages } from "../components/StackImages";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { editionCatalog, editionFacts } from "../model/catalog";
import { SharedServerConfig } from "../model/stackConfig";
import { customerNames, sharedServerNames } from "../model/naming";
import { DatabaseNode, DB_PORT } from "../components/DatabaseServer";
import { FsbBox } from "../components/FsbBox";
import { HttpsEntryPoint } from "../components/HttpsEntryPoint";
import { provisionerAccountSql } from "../components/render/databaseSql";
import { LC_PORT } from "../components/serviceEnv";
import { deploySharedServerOnKubernetes } from "./kubernetes/sharedServerOnKubernetes";

export interface SharedServerArgs {
  config: SharedServerConfig;
  /** The database volume, created by the program with a stable name. */
  databaseVolume: pulumi.Input<string>;
}

/**
 * The shared server of Datacenter tenants: one MariaDB server, one FSB, one HTTPS entry point routing
 * <tenant>.<domain> to that tenant's License Central. Each tenant gets a network of its own that only
 * its License Central and these shared services join, so tenants cannot reach one another.
 */
export class SharedServer extends pulumi.ComponentResource {
  readonly databaseHost: string;
  readonly databasePort = DB_PORT;
  readonly provisionerUser: string;
  readonly provisionerPassword: pulumi.Output<string>;
  readonly fsbUrl: pulumi.Output<string>;
  readonly tenantNetworks: Record<string, pulumi.Output<string>>;
  readonly tenantFsbTokens: Record<string, pulumi.Output<string>>;
  readonly endpoint: pulumi.Output<string>;
  /** The entry point's certificate (public), exported for the operations stack's probe. */
  readonly entryCertificate: pulumi.Output<string>;

  constructor(name: string, args: SharedServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:editions:SharedServer", name, {}, opts);
    const cfg = args.config;
    if (cfg.platform === "kubernetes") {
      const k = deploySharedServerOnKubernetes(this, cfg);
      this.databaseHost = k.databaseHost;
      this.provisionerUser = k.provisionerUser;
      this.provisionerPassword = k.provisionerPassword;
      this.fsbUrl = k.fsbUrl;
      // on Kubernetes a tenant's "network" is its namespace
      this.tenantNetworks = Object.fromEntries(Object.entries(k.tenantNamespaces).map(([t, ns]) => [t, pulumi.output(ns)]));
      this.tenantFsbTokens = k.tenantFsbTokens;
      this.endpoint = k.endpoint;
      this.entryCertificate = k.entryCertificate;
      this.registerOutputs({ endpoint: this.endpoint });
      return;
    }
    const names = sharedServerNames(cfg.name);
    const owner = { "lchost.shared-server": cfg.name };
    const o = { parent: this };
    const dcFacts = editionFacts("datacenter");

    const images = stackImages(
      { database: cfg.images.database, fsbEmulator: cfg.images.fsbEmulator, balancer: cfg.images.balancer, mysqldExporter: cfg.images.mysqldExporter },
      o,
    );
    const backend = new docker.Network("backend-network", { name: names.backendNetwork, driver: "bridge" }, o);
    this.tenantNetworks = {};
    this.tenantFsbTokens = {};
    for (const tenant of cfg.tenants) {
      const net = new docker.Network(
        `tenant-network-${tenant}`,
        { name: names.tenantNetwork(tenant), driver: "bridge", labels: [{ label: "lchost.tenant", value: tenant }] },
        o,
      );
      this.tenantNetworks[tenant] = net.name;
      const token = new random.RandomPassword(`fsb-token-${tenant}`, { length: 40, special: false }, o);
      this.tenantFsbTokens[tenant] = pulumi.secret(token.result);
    }
    const networks = [backend.name, ...Object.values(this.tenantNetworks)];

    const provisioner = new random.RandomPassword("provisioner-password", { length: 32, special: false }, o);
    const monitorPassword = new random.RandomPassword("db-monitor-password", { length: 32, special: false }, o);
    this.provisionerUser = names.provisionerUser;
    this.provisionerPassword = pulumi.secret(provisioner.result);
    const db = new DatabaseNode(
      "database",
      {
        hostname: names.db,
        image: images.database!,
        networks,
        volumeName: args.databaseVolume,
        initSql: pulumi.secret(provisioner.result.apply((password) => provisionerAccountSql({ user: names.provisionerUser, password }))),
        memoryMb: editionCatalog().placement.sharedServerResources.memoryMb,
        cpuShares: editionCatalog().placement.sharedServerResources.cpuShares,
        // the exporter stays off the tenant networks: a tenant has no business reading the shared server's status
        monitoring: { exporterImage: images.mysqldExporter!, monitorPassword: pulumi.secret(monitorPassword.result), networks: [backend.name] },
        owner,
      },
      o,
    );
    this.databaseHost = db.host;

    const fsb = new FsbBox(
      "fsb",
      {
        hostname: names.fsb,
        image: images.fsbEmulator!,
        networks,
        keysVolumeName: names.fsbVolume,
        firmTokens: Object.entries(this.tenantFsbTokens),
        signLatencyMs: cfg.fsb.signLatencyMs,
        devicePath: cfg.fsb.mode === "device" ? cfg.fsb.devicePath : undefined,
        owner,
      },
      o,
    );
    this.fsbUrl = fsb.url;

    const entry = new HttpsEntryPoint(
      "entry",
      {
        hostname: names.entry,
        dnsNames: [cfg.domain, `*.${cfg.domain}`],
        image: images.balancer!,
        networks,
        publishedPort: cfg.httpsPort,
        ...(cfg.behindHostEntry ? { behindHostEntry: true } : {}),
        webServices: dcFacts.includes.webServices,
        backends: cfg.tenants.map((t) => ({
          name: `tenant_${t.replace(/-/g, "_")}`,
          host: `${t}.${cfg.domain}`,
          servers: [{ name: t, address: customerNames(t).line(1), port: LC_PORT }],
        })),
        // The catalog's Datacenter limits are per tenant; one entry point serves them all.
        limits: { ...dcFacts.gateway, maxConnections: dcFacts.gateway.maxConnections * Math.max(1, cfg.tenants.length) },
        owner,
      },
      o,
    );
    this.endpoint = entry.endpoint;
    this.entryCertificate = entry.certificatePem;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
