import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { editionFacts } from "../../model/catalog";
import { linePlan } from "../../model/extraLines";
import { customerPodShapes, cpuMillisOfShares, FIXED_POD_SIZES, gatewayReplicas, namespaceQuota, VOLUME_SIZES_GI } from "../../model/kubernetesResources";
import { customerNames, galeraClusterName } from "../../model/naming";
import { CustomerNamespace } from "../../components/kubernetes/CustomerNamespace";
import { FsbStatefulSet } from "../../components/kubernetes/FsbStatefulSet";
import { HaproxyGateway } from "../../components/kubernetes/HaproxyGateway";
import { LicenseCentralDeployment } from "../../components/kubernetes/LicenseCentralDeployment";
import { MariadbStatefulSet } from "../../components/kubernetes/MariadbStatefulSet";
import { createNetworkPolicies, customerFlows } from "../../components/kubernetes/networkPolicies";
import { ownerLabels } from "../../components/kubernetes/objectLabels";
import { schemaOwnerSql } from "../../components/render/databaseSql";
import { CustomerDeployment, CustomerDeploymentArgs, linesBackend } from "../customerDeployment";
import { customerLineSettings, gatewayBasicAuth } from "../customerLineSettings";

/**
 * What a customer with a server of its own gets on Kubernetes — the same parts as on Docker (editions/
 * customerDeployment.ts), the same env contracts and rendered files: a namespace with quota and limits,
 * NetworkPolicies allowing only the edition's flows, the database StatefulSet (single or Galera), per line a
 * License Central Deployment and (High Performance, High Availability) its own FSB StatefulSet, and the
 * HAProxy gateway. Resource names are the Docker container names, so haproxy.cfg names the same servers.
 */
export function deployCustomerOnKubernetes(parent: pulumi.Resource, args: CustomerDeploymentArgs): CustomerDeployment {
  const cfg = args.config;
  const k8sCfg = cfg.kubernetes;
  if (!k8sCfg) throw new Error(`lchost:platform: the Kubernetes components need lchost:platform 'kubernetes'`);
  const facts = editionFacts(cfg.edition);
  const names = customerNames(cfg.customer);
  const opts = { parent };
  if (!facts.includes.dedicatedFsb && !args.sharedFsb) throw new Error(`edition '${cfg.edition}' needs the shared FSB`);
  const owner = ownerLabels({ customer: cfg.customer, edition: cfg.edition });
  const { quotas, total } = linePlan(cfg, new Date()); // booked + running extra lines, pro-rata quotas
  const pods = customerPodShapes(cfg.edition, total); // the namespace quota makes room for the extra lines too
  const deviceOnHost = cfg.fsb.mode === "device" && k8sCfg.fsbDevice?.hostPath !== undefined;
  const ns = new CustomerNamespace(
    "namespace",
    { name: names.network, labels: owner, quota: namespaceQuota(pods), pods, podSecurity: deviceOnHost ? "privileged" : "restricted" },
    opts,
  );
  const after = [ns.namespace];
  const namespace = names.network;
  const sharedFsbPort = args.sharedFsb && cfg.fsb.sharedUrl ? fsbPortOf(cfg.fsb.sharedUrl) : undefined;
  const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
  createNetworkPolicies(parent, namespace, customerFlows({ galera: nodes > 1, dedicatedFsb: facts.includes.dedicatedFsb, sharedFsbPort }), owner, after);

  const dbPassword = new random.RandomPassword("db-password", { length: 32, special: false }, opts);
  const adminToken = new random.RandomPassword("admin-token", { length: 40, special: false }, opts);
  const webServiceToken = new random.RandomPassword("web-service-token", { length: 40, special: false }, opts);
  const own = { memoryMb: facts.resources.memoryMb, cpuMillis: cpuMillisOfShares(facts.resources.cpuShares) };

  const database = new MariadbStatefulSet(
    "database",
    {
      name: names.dbHost(1),
      namespace,
      image: cfg.images.database,
      nodes,
      clusterName: nodes > 1 ? galeraClusterName(cfg.customer) : undefined,
      initSql: pulumi.secret(dbPassword.result.apply((password) => schemaOwnerSql({ schema: names.schema, user: names.dbUser, password }))),
      size: own,
      storageClass: k8sCfg.storageClass,
      storageGi: VOLUME_SIZES_GI.database,
      owner,
      after,
    },
    opts,
  );

  const lines: LicenseCentralDeployment[] = [];
  const fsbUrls: pulumi.Output<string>[] = [];
  for (let line = 1; line <= total; line++) {
    let fsbUrl: pulumi.Input<string>;
    let fsbToken: pulumi.Input<string>;
    if (facts.includes.dedicatedFsb) {
      const token = new random.RandomPassword(`fsb-token-${line}`, { length: 40, special: false }, opts);
      const box = new FsbStatefulSet(
        `fsb-${line}`,
        {
          name: names.fsb(line),
          namespace,
          image: cfg.images.fsbEmulator,
          firmTokens: [[cfg.customer, token.result]],
          signLatencyMs: cfg.fsb.signLatencyMs,
          device: cfg.fsb.mode === "device" ? k8sCfg.fsbDevice : undefined,
          size: FIXED_POD_SIZES.fsb,
          storageClass: k8sCfg.storageClass,
          storageGi: VOLUME_SIZES_GI.fsbKeys,
          owner,
          after,
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
    // as on Docker, each line uses another cluster node
    const dbHost = database.nodeHosts[(line - 1) % database.nodeHosts.length];
    lines.push(
      new LicenseCentralDeployment(
        `line-${line}`,
        {
          name: names.line(line),
          namespace,
          image: cfg.images.licenseCentral,
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
          size: own,
          owner,
          after,
        },
        { parent, dependsOn: [database] },
      ),
    );
  }

  const basicAuth = gatewayBasicAuth(cfg, (key) => args.secret(key), opts);
  const gateway = new HaproxyGateway(
    "gateway",
    {
      name: names.gateway,
      namespace,
      dnsNames: [`${cfg.customer}.${cfg.domain}`],
      image: cfg.images.balancer,
      port: cfg.httpsPort,
      serviceType: k8sCfg.serviceType,
      replicas: gatewayReplicas(cfg.edition),
      webServices: facts.includes.webServices,
      clientCaCertificate: cfg.connection.clientCertificate?.caCertificate,
      clientCrl: cfg.connection.clientCertificate?.crl,
      ipAllowList: cfg.connection.ipAllowList,
      basicAuth,
      webServiceToken: facts.includes.webServices ? webServiceToken.result : undefined,
      // the same backend as on Docker, with the stack's lchost:balancing
      backends: [
        linesBackend(
          lines.map((l) => l.host),
          cfg.balancing,
        ),
      ],
      limits: facts.gateway,
      webServiceRateLimit: cfg.balancing?.rateLimit,
      size: FIXED_POD_SIZES.gateway,
      owner,
      after,
    },
    { parent, dependsOn: lines },
  );
  return {
    endpoint: gateway.endpoint,
    lineHosts: lines.map((l) => l.host),
    databaseHosts: database.nodeHosts,
    fsbUrls,
    balancerConfig: gateway.config,
    entryCertificate: gateway.certificatePem,
    adminToken: pulumi.secret(adminToken.result),
    databasePassword: pulumi.secret(dbPassword.result),
  };
}

/** The port of the hosting team's shared FSB (its URL's, or the scheme's). */
function fsbPortOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}
