import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { editionCatalog, editionFacts, monthlyQuotas } from "../model/catalog";
import { Host } from "../model/hosts";
import { partsByHost } from "../model/hostsLayout";
import { customerNames, galeraClusterName } from "../model/naming";
import { DatabaseNode, DB_PORT, GALERA_PORTS } from "../components/DatabaseServer";
import { FsbBox } from "../components/FsbBox";
import { GaleraArbitrator } from "../components/GaleraArbitrator";
import { entryCertificate, ENTRY_MONITOR, HttpsEntryPoint } from "../components/HttpsEntryPoint";
import { KEEPALIVED_PATHS, KeepalivedNode } from "../components/KeepalivedNode";
import { LicenseCentralLine } from "../components/LicenseCentralLine";
import { schemaOwnerSql } from "../components/render/databaseSql";
import { LC_PORT } from "../components/serviceEnv";
import { stackImages } from "../components/StackImages";
import { renderKeepalivedPair } from "../keepalived/renderKeepalived";
import { FirewallOpening, renderHostFirewalls } from "../render/hostFirewall";
import { CustomerDeployment, CustomerDeploymentArgs, linesBackend, StackOnHosts } from "./customerDeployment";
import { customerLineSettings, gatewayBasicAuth } from "./customerLineSettings";

/**
 * The host port line N publishes on its host's address (LC_PORT + N - 1): two lines of one customer may share a
 * host (4 lines on 3 hosts), and the balancers reach every line at <host address>:<this port>.
 */
export const lineHostPort = (line: number): number => LC_PORT + line - 1;

/**
 * Where keepalived on a balancer host asks HAProxy whether it serves: HAProxy's monitor port published on
 * 127.0.0.1:<18400 + VRRP router id> of that host. The router id is unique among the VRRP instances on the hosts'
 * network (lchost:balancer.vrrpRouterId), so two customers' pairs on one host never want the same port.
 */
export const monitorHostPort = (vrrpRouterId: number): number => 18400 + vrrpRouterId;

/**
 * A High Availability customer spread over its hosts (`lchost:hosts`, docs/hosts.md "HA across hosts"): every
 * part is created with the Docker provider of the host `placeParts` put it on.
 * - Each host gets its own network (`<network>-<host>`) and the images of the parts it runs.
 * - Galera nodes one per host (or two + `garbd` on the arbitrator's host): each publishes MariaDB and Galera's
 *   ports on its host's address only and advertises that address to its peers.
 * - Lines and their FSBs round-robin: a line reaches its FSB beside it by name, a database node on its own host by
 *   name and one on another host at that host's address; it publishes its port on its host's address for the
 *   balancers.
 * - The balancer pair on the first two hosts: HAProxy with the same rendered haproxy.cfg (every line by host
 *   address) and the same certificate on both, and keepalived (host network, NET_ADMIN) holding the VIP.
 * - Each host's packet filter (DOCKER-USER) as a stack output: published ports open only to the hosts that need them.
 */
export function deployCustomerOnHosts(parent: pulumi.Resource, args: CustomerDeploymentArgs, onHosts: StackOnHosts): CustomerDeployment {
  const cfg = args.config;
  const facts = editionFacts(cfg.edition);
  if (!facts.includes.dedicatedFsb) throw new Error(`edition '${cfg.edition}' is not deployed over hosts (it has no FSB of its own per line)`);
  const { layout, providers } = onHosts;
  const place = layout.placement;
  const names = customerNames(cfg.customer, cfg.generation);
  const owner = { "lchost.customer": cfg.customer, "lchost.edition": cfg.edition };
  const hostOf = (name: string): Host => layout.byName.get(name)!;
  const provider = (host: string): docker.Provider => {
    const p = providers.get(host);
    if (!p) throw new Error(`no Docker provider for host '${host}'`);
    return p;
  };
  // every custom resource below a component created with these options uses that host's engine
  const on = (host: string): pulumi.ComponentResourceOptions => ({ parent, providers: [provider(host)] });
  const ownerOn = (host: string) => ({ ...owner, "lchost.host": host });
  const allHosts = layout.arbitrator ? [...layout.hosts, layout.arbitrator] : layout.hosts;

  // the images each host needs: those of the parts placed on it
  const ha = editionCatalog().common.haImages;
  const imagesOn = new Map<string, Partial<Record<string, pulumi.Output<string>>>>();
  for (const h of allHosts) {
    const wanted: Record<string, string> = {};
    if (place.databaseNodes.includes(h.name)) Object.assign(wanted, { database: cfg.images.database, mysqldExporter: cfg.images.mysqldExporter });
    if (place.lines.includes(h.name)) Object.assign(wanted, { licenseCentral: cfg.images.licenseCentral, fsbEmulator: cfg.images.fsbEmulator });
    if (place.balancers.includes(h.name)) Object.assign(wanted, { balancer: cfg.images.balancer, keepalived: ha.keepalived });
    if (place.arbitrator === h.name) Object.assign(wanted, { galeraArbitrator: ha.galeraArbitrator });
    imagesOn.set(h.name, stackImages(wanted, { parent, provider: provider(h.name) }, `${h.name}-`));
  }
  const image = (host: string, role: string): pulumi.Output<string> => imagesOn.get(host)![role]!;
  const networks = new Map(
    allHosts.map((h) => [
      h.name,
      new docker.Network(
        `network-${h.name}`,
        { name: `${names.network}-${h.name}`, driver: "bridge", labels: [{ label: "lchost.customer", value: cfg.customer }] },
        { parent, provider: provider(h.name) },
      ),
    ]),
  );
  const networkOn = (host: string) => [networks.get(host)!.name];

  const opts = { parent };
  const dbPassword = new random.RandomPassword("db-password", { length: 32, special: false }, opts);
  const adminToken = new random.RandomPassword("admin-token", { length: 40, special: false }, opts);
  const webServiceToken = new random.RandomPassword("web-service-token", { length: 40, special: false }, opts);
  const monitorPassword = new random.RandomPassword("db-monitor-password", { length: 32, special: false }, opts);

  const nodeHosts = place.databaseNodes;
  if (args.databaseVolumes.length !== nodeHosts.length)
    throw new Error(`'${cfg.customer}' on hosts needs ${nodeHosts.length} database volume(s), got ${args.databaseVolumes.length}`);
  const initSql = pulumi.secret(dbPassword.result.apply((password) => schemaOwnerSql({ schema: names.schema, user: names.dbUser, password })));
  const clusterName = galeraClusterName(cfg.customer, cfg.generation);
  const gcomm = (host: string) => `${hostOf(host).address}:${GALERA_PORTS.gcomm}`;
  // every member's address (renderGaleraNode adds the group-communication port)
  const members = [...nodeHosts, ...(place.arbitrator ? [place.arbitrator] : [])].map((h) => hostOf(h).address);
  const databases = nodeHosts.map((host, i) => {
    const address = hostOf(host).address;
    return new DatabaseNode(
      i === 0 ? "database" : `database-${i + 1}`,
      {
        hostname: names.dbHost(i + 1),
        image: image(host, "database"),
        networks: networkOn(host),
        volumeName: args.databaseVolumes[i],
        initSql,
        memoryMb: facts.resources.memoryMb,
        cpuShares: facts.resources.cpuShares,
        galera: { clusterName, nodeIndex: i + 1, peers: members, nodeAddress: address },
        publishOn: address,
        monitoring: { exporterImage: image(host, "mysqldExporter"), monitorPassword: pulumi.secret(monitorPassword.result) },
        owner: ownerOn(host),
      },
      on(host),
    );
  });
  const arbitrator = place.arbitrator
    ? new GaleraArbitrator(
        "galera-arbitrator",
        {
          hostname: `${names.dbHost(1)}-garbd`,
          image: image(place.arbitrator, "galeraArbitrator"),
          networks: networkOn(place.arbitrator),
          clusterName,
          nodes: nodeHosts.map(gcomm),
          hostAddress: hostOf(place.arbitrator).address,
          owner: ownerOn(place.arbitrator),
        },
        on(place.arbitrator),
      )
    : undefined;

  const quotas = monthlyQuotas(cfg.edition, cfg.lines);
  const lines: LicenseCentralLine[] = [];
  const fsbUrls: pulumi.Output<string>[] = [];
  for (let line = 1; line <= cfg.lines; line++) {
    const host = place.lines[line - 1];
    const token = new random.RandomPassword(`fsb-token-${line}`, { length: 40, special: false }, opts);
    // the FSB beside its line (placeParts: fsbs[i] = lines[i]), on that host's network: never published
    const box = new FsbBox(
      `fsb-${line}`,
      {
        hostname: names.fsb(line),
        image: image(host, "fsbEmulator"),
        networks: networkOn(host),
        keysVolumeName: names.fsbVolume(line),
        firmTokens: [[cfg.customer, token.result]],
        signLatencyMs: cfg.fsb.signLatencyMs,
        devicePath: cfg.fsb.mode === "device" ? cfg.fsb.devicePath : undefined,
        owner: ownerOn(host),
      },
      on(place.fsbs[line - 1]),
    );
    fsbUrls.push(box.url);
    // placeParts: the data nodes round-robin, never the node garbd replaces
    const node = place.lineDatabaseNodes[line - 1] - 1;
    const dbHost = nodeHosts[node] === host ? names.dbHost(node + 1) : hostOf(nodeHosts[node]).address;
    lines.push(
      new LicenseCentralLine(
        `line-${line}`,
        {
          hostname: names.line(line),
          image: image(host, "licenseCentral"),
          networks: networkOn(host),
          settings: customerLineSettings({
            cfg,
            webServices: facts.includes.webServices,
            names,
            quotas,
            dbHost,
            dbPassword: dbPassword.result,
            fsbUrl: box.url,
            fsbToken: token.result,
            adminToken: adminToken.result,
            webServiceToken: webServiceToken.result,
          }),
          memoryMb: facts.resources.memoryMb,
          cpuShares: facts.resources.cpuShares,
          publish: { ip: hostOf(host).address, port: lineHostPort(line) },
          owner: ownerOn(host),
        },
        { ...on(host), dependsOn: [...databases, ...(arbitrator ? [arbitrator] : [])] },
      ),
    );
  }

  const basicAuth = gatewayBasicAuth(cfg, (key) => args.secret(key), opts);
  const dnsName = `${cfg.customer}.${cfg.domain}`;
  // one certificate for the pair: a client that the VIP moves to the other node sees the same server
  const tls = entryCertificate("gateway", [dnsName], parent);
  const monitorPort = cfg.balancer ? monitorHostPort(cfg.balancer.vrrpRouterId) : undefined;
  const backend = linesBackend(
    lines.map((_, i) => hostOf(place.lines[i]).address),
    cfg.balancing,
    lines.map((_, i) => lineHostPort(i + 1)),
  );
  const entries = place.balancers.map(
    (host, i) =>
      new HttpsEntryPoint(
        i === 0 ? "gateway" : `gateway-${i + 1}`,
        {
          hostname: i === 0 ? names.gateway : `${names.gateway}-${i + 1}`,
          dnsNames: [dnsName],
          image: image(host, "balancer"),
          networks: networkOn(host),
          publishedPort: cfg.httpsPort,
          ...(cfg.behindHostEntry ? { behindHostEntry: true } : {}),
          webServices: facts.includes.webServices,
          clientCaCertificate: cfg.connection.clientCertificate?.caCertificate,
          clientCrl: cfg.connection.clientCertificate?.crl,
          ipAllowList: cfg.connection.ipAllowList,
          basicAuth,
          webServiceToken: facts.includes.webServices ? webServiceToken.result : undefined,
          backends: [backend],
          limits: facts.gateway,
          webServiceRateLimit: cfg.balancing?.rateLimit,
          pairNode: { certificatePem: tls.certPem, privateKeyPem: tls.privateKeyPem, ...(monitorPort !== undefined ? { monitorHostPort: monitorPort } : {}) },
          owner: ownerOn(host),
        },
        { ...on(host), dependsOn: lines },
      ),
  );

  // keepalived beside each HAProxy; without lchost:balancer the policy ha-balancer-pair refuses the plan
  const balancerHosts = place.balancers.map(hostOf);
  const keepalivedFiles =
    cfg.balancer && monitorPort !== undefined
      ? renderKeepalivedPair({
          customer: cfg.customer,
          nodes: [
            { name: balancerHosts[0].name, address: balancerHosts[0].address },
            { name: balancerHosts[1].name, address: balancerHosts[1].address },
          ],
          balancer: cfg.balancer,
          haproxyMonitor: { port: monitorPort, path: ENTRY_MONITOR.path },
          checkScriptPath: KEEPALIVED_PATHS.checkScript,
        })
      : undefined;
  keepalivedFiles?.forEach(
    (files, i) =>
      new KeepalivedNode(
        `vrrp-${i + 1}`,
        { hostname: `${names.gateway}-vrrp-${i + 1}`, image: image(place.balancers[i], "keepalived"), files, owner: ownerOn(place.balancers[i]) },
        { ...on(place.balancers[i]), dependsOn: [entries[i]] },
      ),
  );

  const distinct = (xs: string[]) => [...new Set(xs)];
  const galeraHosts = distinct([...nodeHosts, ...(place.arbitrator ? [place.arbitrator] : [])]);
  const openings: FirewallOpening[] = [
    { what: "galera-gcomm", port: GALERA_PORTS.gcomm, on: galeraHosts, from: galeraHosts },
    { what: "galera-ist", port: GALERA_PORTS.ist, on: distinct(nodeHosts), from: distinct(nodeHosts) },
    { what: "galera-sst", port: GALERA_PORTS.sst, on: distinct(nodeHosts), from: distinct(nodeHosts) },
    { what: "mariadb", port: DB_PORT, on: distinct(nodeHosts), from: distinct(place.lines) },
    ...place.lines.map((host, i) => ({ what: `line-${i + 1}`, port: lineHostPort(i + 1), on: [host], from: distinct(place.balancers) })),
  ];
  const firewalls = renderHostFirewalls({ customer: cfg.customer, hosts: allHosts.map((h) => ({ name: h.name, address: h.address })), openings });
  const hostFirewall = Object.fromEntries(
    firewalls.map((f) => [
      f.host,
      { chain: f.chain, rules: f.rules, script: f.script, vrrpInputRules: keepalivedFiles?.find((k) => k.host === f.host)?.firewallRules ?? [] },
    ]),
  );

  return {
    endpoint: entries[0].endpoint,
    lineHosts: lines.map((l) => l.host),
    databaseHosts: databases.map((d) => d.host),
    fsbUrls,
    balancerConfig: entries[0].config,
    entryCertificate: tls.certPem,
    adminToken: pulumi.secret(adminToken.result),
    databasePassword: pulumi.secret(dbPassword.result),
    onHosts: { placement: partsByHost(layout), hostFirewall },
  };
}
