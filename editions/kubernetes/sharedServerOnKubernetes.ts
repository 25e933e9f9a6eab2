import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { editionFacts } from "../../model/catalog";
import { FIXED_POD_SIZES, namespaceQuota, sharedServerPodShapes, VOLUME_SIZES_GI } from "../../model/kubernetesResources";
import { customerNames, sharedServerNames } from "../../model/naming";
import { SharedServerConfig } from "../../model/stackConfig";
import { CustomerNamespace } from "../../components/kubernetes/CustomerNamespace";
import { FsbStatefulSet } from "../../components/kubernetes/FsbStatefulSet";
import { HaproxyGateway } from "../../components/kubernetes/HaproxyGateway";
import { MariadbStatefulSet } from "../../components/kubernetes/MariadbStatefulSet";
import { createNetworkPolicies, sharedServerFlows } from "../../components/kubernetes/networkPolicies";
import { ownerLabels, serviceDns } from "../../components/kubernetes/objectLabels";
import { provisionerAccountSql } from "../../components/render/databaseSql";
import { LC_PORT } from "../../components/serviceEnv";

export interface SharedServerOnKubernetes {
  databaseHost: string;
  provisionerUser: string;
  provisionerPassword: pulumi.Output<string>;
  fsbUrl: pulumi.Output<string>;
  /** Each tenant's namespace (the Docker target's tenant networks). */
  tenantNamespaces: Record<string, string>;
  tenantFsbTokens: Record<string, pulumi.Output<string>>;
  endpoint: pulumi.Output<string>;
  entryCertificate: pulumi.Output<string>;
}

/**
 * The shared server on Kubernetes: its own namespace with the MariaDB server, the FSB serving every tenant's
 * firm and the HTTPS entry routing <tenant>.<domain> to the tenant's line in the tenant's namespace. Its
 * NetworkPolicies admit only namespaces labelled as its tenants, and only their lines (and setup jobs).
 */
export function deploySharedServerOnKubernetes(parent: pulumi.Resource, cfg: SharedServerConfig): SharedServerOnKubernetes {
  const k8sCfg = cfg.kubernetes;
  if (!k8sCfg) throw new Error(`lchost:platform: the Kubernetes components need lchost:platform 'kubernetes'`);
  const names = sharedServerNames(cfg.name);
  const o = { parent };
  const owner = ownerLabels({ sharedServer: cfg.name });
  const pods = sharedServerPodShapes();
  const deviceOnHost = cfg.fsb.mode === "device" && k8sCfg.fsbDevice?.hostPath !== undefined;
  const ns = new CustomerNamespace(
    "namespace",
    { name: names.namespace, labels: owner, quota: namespaceQuota(pods), pods, podSecurity: deviceOnHost ? "privileged" : "restricted" },
    o,
  );
  const after = [ns.namespace];
  createNetworkPolicies(parent, names.namespace, sharedServerFlows(cfg.name), owner, after);
  const tenantFsbTokens: Record<string, pulumi.Output<string>> = {};
  const tenantNamespaces: Record<string, string> = {};
  for (const tenant of cfg.tenants) {
    tenantFsbTokens[tenant] = pulumi.secret(new random.RandomPassword(`fsb-token-${tenant}`, { length: 40, special: false }, o).result);
    tenantNamespaces[tenant] = customerNames(tenant).network;
  }
  const provisioner = new random.RandomPassword("provisioner-password", { length: 32, special: false }, o);
  const db = new MariadbStatefulSet(
    "database",
    {
      name: names.db,
      namespace: names.namespace,
      image: cfg.images.database,
      nodes: 1,
      initSql: pulumi.secret(provisioner.result.apply((password) => provisionerAccountSql({ user: names.provisionerUser, password }))),
      size: FIXED_POD_SIZES.sharedDatabase,
      storageClass: k8sCfg.storageClass,
      storageGi: VOLUME_SIZES_GI.sharedDatabase,
      owner,
      after,
    },
    o,
  );
  const fsb = new FsbStatefulSet(
    "fsb",
    {
      name: names.fsb,
      namespace: names.namespace,
      image: cfg.images.fsbEmulator,
      firmTokens: Object.entries(tenantFsbTokens),
      signLatencyMs: cfg.fsb.signLatencyMs,
      device: cfg.fsb.mode === "device" ? k8sCfg.fsbDevice : undefined,
      size: FIXED_POD_SIZES.fsb,
      storageClass: k8sCfg.storageClass,
      storageGi: VOLUME_SIZES_GI.fsbKeys,
      owner,
      after,
    },
    o,
  );
  const dcFacts = editionFacts("datacenter");
  const entry = new HaproxyGateway(
    "entry",
    {
      name: names.entry,
      namespace: names.namespace,
      dnsNames: [cfg.domain, `*.${cfg.domain}`],
      image: cfg.images.balancer,
      port: cfg.httpsPort,
      serviceType: k8sCfg.serviceType,
      replicas: 1,
      webServices: dcFacts.includes.webServices,
      // the same backends as on Docker; each tenant's line is a Service in the tenant's namespace
      backends: cfg.tenants.map((t) => ({
        name: `tenant_${t.replace(/-/g, "_")}`,
        host: `${t}.${cfg.domain}`,
        servers: [{ name: t, address: serviceDns(customerNames(t).line(1), tenantNamespaces[t]), port: LC_PORT }],
      })),
      limits: { ...dcFacts.gateway, maxConnections: dcFacts.gateway.maxConnections * Math.max(1, cfg.tenants.length) },
      size: FIXED_POD_SIZES.gateway,
      owner,
      after,
    },
    o,
  );
  return {
    databaseHost: serviceDns(db.host, names.namespace),
    provisionerUser: names.provisionerUser,
    provisionerPassword: pulumi.secret(provisioner.result),
    fsbUrl: fsb.url,
    tenantNamespaces,
    tenantFsbTokens,
    endpoint: entry.endpoint,
    entryCertificate: entry.certificatePem,
  };
}
