import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { editionFacts } from "../model/catalog";
import { linePlan } from "../model/extraLines";
import { lineDatabaseNode } from "../model/hosts";
import { BalancingSettings, CustomerConfig } from "../model/stackConfig";
import { HaproxyBackend } from "../haproxy";
import { customerNames, galeraClusterName } from "../model/naming";
import { DatabaseNode } from "../components/DatabaseServer";
import { FsbBox } from "../components/FsbBox";
import { HttpsEntryPoint } from "../components/HttpsEntryPoint";
import { LicenseCentralLine } from "../components/LicenseCentralLine";
import { schemaOwnerSql } from "../components/render/databaseSql";
import { LC_PORT } from "../components/serviceEnv";
import { stackImages } from "../components/StackImages";
import type { StackHostLayout } from "../model/hostsLayout";
import { customerLineSettings, gatewayBasicAuth } from "./customerLineSettings";

/** Where a customer's lines sign licenses when the edition has no FSB of its own. */
export interface SharedFsb {
  url: pulumi.Input<string>;
  token: pulumi.Input<string>;
}

export interface CustomerDeploymentArgs {
  config: CustomerConfig;
  /** Names of the database volumes (node 1 first), created by the program with stable names. */
  databaseVolumes: pulumi.Input<string>[];
  sharedFsb?: SharedFsb;
  /** The secret values of keys named in the config (basic-auth password, shared FSB token). */
  secret(key: string): pulumi.Output<string>;
  /** High Availability on lchost:hosts: the layout and one Docker provider per host (docs/hosts.md). */
  hosts?: StackOnHosts;
}

/** An HA stack's hosts as the program deploys them: `placeParts`' layout and the provider of each host by name. */
export interface StackOnHosts {
  layout: StackHostLayout;
  providers: ReadonlyMap<string, docker.Provider>;
}

export interface CustomerDeployment {
  endpoint: pulumi.Output<string>;
  lineHosts: string[];
  databaseHosts: string[];
  fsbUrls: pulumi.Output<string>[];
  balancerConfig: pulumi.Output<string>;
  /** The HTTPS entry's certificate (public), exported for the operations stack's probe. */
  entryCertificate: pulumi.Output<string>;
  /** Secrets, for the stack outputs `lchost migrate` reads. */
  adminToken: pulumi.Output<string>;
  databasePassword: pulumi.Output<string>;
  /** A stack spread over hosts (lchost:hosts): where each part runs and each host's packet filter (stack outputs). */
  onHosts?: { placement: unknown; hostFirewall: unknown };
}

/** HAProxy's server name of line N (1 = the first). */
const lineServer = (line: number) => `line${line}`;

/**
 * The balancer's backend of the customer's lines, with the stack's lchost:balancing (lines numbered from 1).
 * Extra lines (beyond the booked lines' weights) weigh the booked lines' mean and serve every unrouted path.
 */
export function linesBackend(lineHosts: string[], balancing: BalancingSettings | undefined, ports?: number[]): HaproxyBackend {
  const w = balancing?.weights;
  const meanWeight = w ? Math.max(1, Math.round(w.reduce((a, b) => a + b, 0) / w.length)) : 1;
  const servers = lineHosts.map((address, i) => ({
    name: lineServer(i + 1),
    address,
    port: ports?.[i] ?? LC_PORT,
    ...(w ? { weight: w[i] ?? meanWeight } : {}),
  }));
  if (!balancing) return { name: "license_central", servers };
  return {
    name: "license_central",
    servers,
    balancing: {
      algorithm: balancing.algorithm,
      routes: balancing.routes.map((r) => ({ pathPrefix: r.pathPrefix, servers: r.lines.map(lineServer) })),
      ...(balancing.sticky ? { sticky: balancing.sticky } : {}),
    },
  };
}

/**
 * What a dedicated customer gets, for every edition with a server of its own: a network, the database
 * (one server or a Galera cluster), FSB(s), License Central line(s) and the HTTPS entry point.
 * The edition components are thin shells over this function.
 */
export function deployCustomer(parent: pulumi.Resource, args: CustomerDeploymentArgs): CustomerDeployment {
  const cfg = args.config;
  const facts = editionFacts(cfg.edition);
  const names = customerNames(cfg.customer, cfg.generation);
  const owner = { "lchost.customer": cfg.customer, "lchost.edition": cfg.edition };
  const opts = { parent };
  if (!facts.includes.dedicatedFsb && !args.sharedFsb) throw new Error(`edition '${cfg.edition}' needs the shared FSB`);

  const images = stackImages(
    {
      database: cfg.images.database,
      licenseCentral: cfg.images.licenseCentral,
      balancer: cfg.images.balancer,
      mysqldExporter: cfg.images.mysqldExporter,
      // the FSB box runs this image for the emulator and for a passed-through device alike; without a box of its own, none
      ...(facts.includes.dedicatedFsb ? { fsbEmulator: cfg.images.fsbEmulator } : {}),
    },
    opts,
  );
  const network = new docker.Network("network", { name: names.network, driver: "bridge", labels: [{ label: "lchost.customer", value: cfg.customer }] }, opts);
  const dbPassword = new random.RandomPassword("db-password", { length: 32, special: false }, opts);
  const adminToken = new random.RandomPassword("admin-token", { length: 40, special: false }, opts);
  const webServiceToken = new random.RandomPassword("web-service-token", { length: 40, special: false }, opts);
  const monitorPassword = new random.RandomPassword("db-monitor-password", { length: 32, special: false }, opts);

  const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
  if (args.databaseVolumes.length !== nodes) throw new Error(`edition '${cfg.edition}' needs ${nodes} database volume(s), got ${args.databaseVolumes.length}`);
  const initSql = pulumi.secret(dbPassword.result.apply((password) => schemaOwnerSql({ schema: names.schema, user: names.dbUser, password })));
  const peers = Array.from({ length: nodes }, (_, i) => names.dbHost(i + 1));
  const databases = peers.map(
    (host, i) =>
      new DatabaseNode(
        // Node 1 keeps the single server's name, so growing into a cluster updates it instead of adding one.
        i === 0 ? "database" : `database-${i + 1}`,
        {
          hostname: host,
          image: images.database!,
          networks: [network.name],
          volumeName: args.databaseVolumes[i],
          initSql,
          memoryMb: facts.resources.memoryMb,
          cpuShares: facts.resources.cpuShares,
          galera: nodes > 1 ? { clusterName: galeraClusterName(cfg.customer, cfg.generation), nodeIndex: i + 1, peers } : undefined,
          monitoring: { exporterImage: images.mysqldExporter!, monitorPassword: pulumi.secret(monitorPassword.result) },
          owner,
        },
        opts,
      ),
  );

  // Usage is counted in the customer's one database across all lines: every line enforces the month's total,
  // which grows pro rata with extra lines while they run (model/extraLines.ts); an expired lchost:extraLines
  // deploys the booked lines only.
  const { quotas, total } = linePlan(cfg, new Date());
  const lines: LicenseCentralLine[] = [];
  const fsbUrls: pulumi.Output<string>[] = [];
  for (let line = 1; line <= total; line++) {
    let fsbUrl: pulumi.Input<string>;
    let fsbToken: pulumi.Input<string>;
    if (facts.includes.dedicatedFsb) {
      const token = new random.RandomPassword(`fsb-token-${line}`, { length: 40, special: false }, opts);
      const box = new FsbBox(
        `fsb-${line}`,
        {
          hostname: names.fsb(line),
          image: images.fsbEmulator!,
          networks: [network.name],
          keysVolumeName: names.fsbVolume(line),
          firmTokens: [[cfg.customer, token.result]],
          signLatencyMs: cfg.fsb.signLatencyMs,
          devicePath: cfg.fsb.mode === "device" ? cfg.fsb.devicePath : undefined,
          owner,
        },
        opts,
      );
      fsbUrl = box.url;
      fsbToken = token.result;
    } else {
      fsbUrl = args.sharedFsb!.url;
      fsbToken = args.sharedFsb!.token;
    }
    fsbUrls.push(pulumi.output(fsbUrl));
    // Each line uses another cluster node, so the lines spread their load over the cluster; a line
    // whose node fails turns unready and the balancer takes it out.
    const dbHost = peers[lineDatabaseNode(line, peers.length) - 1];
    lines.push(
      new LicenseCentralLine(
        `line-${line}`,
        {
          hostname: names.line(line),
          image: images.licenseCentral!,
          networks: [network.name],
          settings: customerLineSettings({
            cfg,
            webServices: facts.includes.webServices,
            names,
            quotas,
            dbHost,
            dbPassword: dbPassword.result,
            fsbUrl: fsbUrl,
            fsbToken: fsbToken,
            adminToken: adminToken.result,
            webServiceToken: webServiceToken.result,
          }),
          memoryMb: facts.resources.memoryMb,
          cpuShares: facts.resources.cpuShares,
          owner,
        },
        { parent, dependsOn: databases },
      ),
    );
  }

  const basicAuth = gatewayBasicAuth(cfg, (key) => args.secret(key), opts);
  const host = `${cfg.customer}.${cfg.domain}`;
  const entry = new HttpsEntryPoint(
    "gateway", // the same resource whether it balances one line or several
    {
      hostname: names.gateway,
      dnsNames: [host],
      image: images.balancer!,
      networks: [network.name],
      publishedPort: cfg.httpsPort,
      ...(cfg.behindHostEntry ? { behindHostEntry: true } : {}),
      webServices: facts.includes.webServices,
      clientCaCertificate: cfg.connection.clientCertificate?.caCertificate,
      clientCrl: cfg.connection.clientCertificate?.crl,
      ipAllowList: cfg.connection.ipAllowList,
      basicAuth,
      webServiceToken: facts.includes.webServices ? webServiceToken.result : undefined,
      backends: [
        linesBackend(
          lines.map((l) => l.host),
          cfg.balancing,
        ),
      ],
      limits: facts.gateway,
      webServiceRateLimit: cfg.balancing?.rateLimit,
      owner,
    },
    // The entry opens once the lines behind it are healthy: created beside them, HAProxy's first checks
    // found nothing listening and answered 503 for up to rise × inter after `up` had finished.
    { parent, dependsOn: lines },
  );
  return {
    endpoint: entry.endpoint,
    lineHosts: lines.map((l) => l.host),
    databaseHosts: peers,
    fsbUrls,
    balancerConfig: entry.config,
    entryCertificate: entry.certificatePem,
    adminToken: pulumi.secret(adminToken.result),
    databasePassword: pulumi.secret(dbPassword.result),
  };
}
