import { Policy } from "@pulumi/policy";
import { kubernetesHaSpreadAndDisruptionBudgets } from "../../../policies/rules/kubernetesHaSpreadAndDisruptionBudgets";
import { kubernetesNamespacesDenyByDefault } from "../../../policies/rules/kubernetesNamespacesDenyByDefault";
import { kubernetesNoCrossTenantNetworkRule } from "../../../policies/rules/kubernetesNoCrossTenantNetworkRule";
import { kubernetesOnlyGatewayExposed } from "../../../policies/rules/kubernetesOnlyGatewayExposed";
import { kubernetesPodsNoHostAccess } from "../../../policies/rules/kubernetesPodsNoHostAccess";
import { kubernetesPodsRestricted } from "../../../policies/rules/kubernetesPodsRestricted";
import { kubernetesProbesOnEveryContainer } from "../../../policies/rules/kubernetesProbesOnEveryContainer";
import { kubernetesResourceQuotaMatchesCatalog } from "../../../policies/rules/kubernetesResourceQuotaMatchesCatalog";
import { kubernetesSecretsOnlyInSecrets } from "../../../policies/rules/kubernetesSecretsOnlyInSecrets";
import { kubernetesVolumeClaimsRetained } from "../../../policies/rules/kubernetesVolumeClaimsRetained";
import { PlannedResource } from "../../../planner/mockPlanner";
import { runPolicies } from "../../../planner/policyRunner";
import { check, withResource, withoutResources } from "../policies/examplePlans";
import { K8S_EXAMPLES, k8sExample } from "./support";

jest.setTimeout(120_000);

/** Picks the one planned object of a kind with this metadata.name. */
const k8s = (kind: string, name: string) => (r: PlannedResource) =>
  r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`) && (r.inputs as any).metadata?.name === name;
const messages = async (policy: Policy, name: string, change?: (e: Awaited<ReturnType<typeof k8sExample>>) => any) => {
  const e = await k8sExample(name);
  return (await check(policy, change ? { ...e, plan: change(e) } : e)).map((v) => v.message);
};
const pod = (i: any) => i.spec.template.spec;

test.each(K8S_EXAMPLES)("%s passes the whole pack and the schema validation", async (name) => {
  const e = await k8sExample(name);
  expect((await runPolicies(e.stack, e.plan)).map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
});

describe("tenant isolation", () => {
  test("a namespace without its default-deny policy is a violation", async () => {
    expect(await messages(kubernetesNamespacesDenyByDefault, "globex-k8s", (e) => withoutResources(e.plan, k8s("NetworkPolicy", "default-deny")))).toEqual([
      "namespace 'lc-globex-k8s' has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)",
    ]);
  });

  test("a default-deny policy that allows something is no default deny", async () => {
    const change = (e: any) => withResource(e.plan, k8s("NetworkPolicy", "default-deny"), (i) => (i.spec.ingress = [{}]));
    expect(await messages(kubernetesNamespacesDenyByDefault, "wayne-k8s", change)).toHaveLength(1);
  });

  test("a tenant's rule reaching another tenant's namespace is a violation", async () => {
    const change = (e: any) =>
      withResource(
        e.plan,
        k8s("NetworkPolicy", "line-to-database-egress"),
        (i) => (i.spec.egress[0].to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"] = "lc-initech-k8s"),
      );
    expect(await messages(kubernetesNoCrossTenantNetworkRule, "acme-k8s", change)).toEqual([
      `NetworkPolicy 'line-to-database-egress' in namespace 'lc-acme-k8s' allows namespaces {"matchLabels":{"kubernetes.io/metadata.name":"lc-initech-k8s"}}; a tenant of 'shared-dc2-k8s' reaches only namespace 'lc-shared-dc2-k8s'`,
    ]);
  });

  test("a tenant's rule to an address block is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("NetworkPolicy", "line-to-fsb-egress"), (i) => (i.spec.egress[0].to = [{ ipBlock: { cidr: "10.0.0.0/8" } }]));
    expect(await messages(kubernetesNoCrossTenantNetworkRule, "initech-k8s", change)).toEqual([
      "NetworkPolicy 'line-to-fsb-egress' in namespace 'lc-initech-k8s' allows an address block (10.0.0.0/8); a tenant reaches only its shared server",
    ]);
  });

  test("a shared server admitting every namespace is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("NetworkPolicy", "tenant-lines-to-database-ingress"), (i) => (i.spec.ingress[0].from[0].namespaceSelector = {}));
    expect(await messages(kubernetesNoCrossTenantNetworkRule, "shared-dc2-k8s", change)).toEqual([
      "NetworkPolicy 'tenant-lines-to-database-ingress' in namespace 'lc-shared-dc2-k8s' allows namespaces {}; the shared server admits only namespaces labelled lchost.dev/tenant-of=shared-dc2-k8s",
    ]);
  });

  test("host network and a hostPath other than the FSB's device are violations", async () => {
    const line = (e: any) => withResource(e.plan, k8s("Deployment", "lc-globex-k8s-line-1"), (i) => (pod(i).hostNetwork = true));
    expect(await messages(kubernetesPodsNoHostAccess, "globex-k8s", line)).toEqual([
      "Deployment 'lc-globex-k8s-line-1' uses the node's Network namespace (hostNetwork)",
    ]);
    const path = (e: any) =>
      withResource(e.plan, k8s("StatefulSet", "lc-globex-k8s-db"), (i) => pod(i).volumes.push({ name: "h", hostPath: { path: "/var/run" } }));
    expect(await messages(kubernetesPodsNoHostAccess, "globex-k8s", path)).toEqual([
      "StatefulSet 'lc-globex-k8s-db' mounts the host path '/var/run'; only an FSB pod may, and only the box's character device",
    ]);
  });

  test("the FSB's character device by hostPath is allowed", async () => {
    const device = (e: any) =>
      withResource(e.plan, k8s("StatefulSet", "lc-hooli-k8s-fsb-1"), (i) =>
        pod(i).volumes.push({ name: "d", hostPath: { path: "/dev/fsb0", type: "CharDevice" } }),
      );
    expect(await messages(kubernetesPodsNoHostAccess, "hooli-k8s", device)).toEqual([]);
  });

  test("a container that may escalate or keeps a writable root is a violation, naming the fields", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("Deployment", "lc-wayne-k8s-gateway"), (i) => {
        pod(i).containers[0].securityContext.allowPrivilegeEscalation = true;
        pod(i).containers[0].securityContext.readOnlyRootFilesystem = false;
      });
    expect(await messages(kubernetesPodsRestricted, "wayne-k8s", change)).toEqual([
      "Deployment 'lc-wayne-k8s-gateway': container 'haproxy': allowPrivilegeEscalation is not false; readOnlyRootFilesystem is not true",
    ]);
  });

  test("a namespace without a Pod Security level is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("Namespace", "lc-acme-k8s"), (i) => delete i.metadata.labels["pod-security.kubernetes.io/enforce"]);
    expect(await messages(kubernetesPodsRestricted, "acme-k8s", change)).toEqual([
      "namespace 'lc-acme-k8s' enforces no Pod Security level (pod-security.kubernetes.io/enforce: restricted)",
    ]);
  });
});

describe("quotas", () => {
  test("a ResourceQuota other than the catalog's is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("ResourceQuota", "lchost-quota"), (i) => (i.spec.hard["limits.memory"] = "64Gi"));
    expect(await messages(kubernetesResourceQuotaMatchesCatalog, "hooli-k8s", change)).toEqual([
      "ResourceQuota of 'lc-hooli-k8s': limits.memory is 64Gi; the catalog's is 6656Mi",
    ]);
  });

  test("a line limited beyond the catalog is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("Deployment", "lc-acme-k8s-line-1"), (i) => (pod(i).containers[0].resources.limits.memory = "4096Mi"));
    expect(await messages(kubernetesResourceQuotaMatchesCatalog, "acme-k8s", change)).toEqual([
      "lc-acme-k8s-line-1: container 'license-central' is limited to 4096Mi, 250m; Datacenter gets 512Mi, 250m",
    ]);
  });

  test("a namespace without a ResourceQuota is a violation", async () => {
    expect(
      await messages(kubernetesResourceQuotaMatchesCatalog, "globex-k8s", (e) => withoutResources(e.plan, k8s("ResourceQuota", "lchost-quota"))),
    ).toHaveLength(1);
  });
});

describe("connection rules", () => {
  test("a database Service of type NodePort is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("Service", "lc-wayne-k8s-db"), (i) => (i.spec.type = "NodePort"));
    expect(await messages(kubernetesOnlyGatewayExposed, "wayne-k8s", change)).toEqual([
      "Service 'lc-wayne-k8s-db' (database) is exposed outside the cluster (NodePort); only the gateway may be",
    ]);
  });

  test("an FSB Service of type LoadBalancer is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("Service", "lc-hooli-k8s-fsb-1"), (i) => (i.spec.type = "LoadBalancer"));
    expect(await messages(kubernetesOnlyGatewayExposed, "hooli-k8s", change)).toHaveLength(1);
  });

  test("a gateway port that bypasses TLS is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("Service", "lc-globex-k8s-gateway"), (i) => i.spec.ports.push({ name: "plain", port: 80, targetPort: 8404 }));
    expect(await messages(kubernetesOnlyGatewayExposed, "globex-k8s", change)).toEqual([
      "Service 'lc-globex-k8s-gateway' forwards port 80 to 8404; the gateway is reached over TLS only (target 8443)",
    ]);
  });
});

describe("availability", () => {
  test("an HA gateway with one replica is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("Deployment", "lc-wayne-k8s-gateway"), (i) => (i.spec.replicas = 1));
    expect(await messages(kubernetesHaSpreadAndDisruptionBudgets, "wayne-k8s", change)).toEqual([
      "gateway 'lc-wayne-k8s-gateway' runs 1 replica(s); High Availability Package needs at least 2",
    ]);
  });

  test("Galera nodes without required anti-affinity are a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("StatefulSet", "lc-wayne-k8s-db"), (i) => delete pod(i).affinity);
    expect(await messages(kubernetesHaSpreadAndDisruptionBudgets, "wayne-k8s", change)).toEqual([
      "database StatefulSet 'lc-wayne-k8s-db' has no required pod anti-affinity by kubernetes.io/hostname: two replicas may share a node",
    ]);
  });

  test("a Galera cluster without its PodDisruptionBudget is a violation", async () => {
    expect(
      await messages(kubernetesHaSpreadAndDisruptionBudgets, "wayne-k8s", (e) => withoutResources(e.plan, k8s("PodDisruptionBudget", "lc-wayne-k8s-db"))),
    ).toEqual(["database StatefulSet 'lc-wayne-k8s-db' has no PodDisruptionBudget with minAvailable ≥ 2 (a node drain could take it down)"]);
  });

  test("does not apply to editions without a cluster", async () => {
    expect(await messages(kubernetesHaSpreadAndDisruptionBudgets, "hooli-k8s")).toEqual([]);
  });

  test("a container without a liveness probe is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("StatefulSet", "lc-hooli-k8s-fsb-1"), (i) => delete pod(i).containers[0].livenessProbe);
    expect(await messages(kubernetesProbesOnEveryContainer, "hooli-k8s", change)).toEqual([
      "StatefulSet 'lc-hooli-k8s-fsb-1': container 'fsb' has no livenessProbe",
    ]);
  });
});

describe("data protection", () => {
  test("a claim without retainOnDelete is a violation", async () => {
    const change = (e: any) => withResource(e.plan, k8s("PersistentVolumeClaim", "data-lc-globex-k8s-db-0"), (_i, r) => (r.retainOnDelete = false));
    expect(await messages(kubernetesVolumeClaimsRetained, "globex-k8s", change)).toEqual([
      "PersistentVolumeClaim 'data-lc-globex-k8s-db-0' would be deleted with its stack; set retainOnDelete: true",
    ]);
  });

  test("a StatefulSet that deletes its claims is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("StatefulSet", "lc-shared-dc2-k8s-db"), (i) => (i.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Delete"));
    expect(await messages(kubernetesVolumeClaimsRetained, "shared-dc2-k8s", change)).toHaveLength(1);
  });

  test("a password as a plain env value is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("Deployment", "lc-globex-k8s-line-1"), (i) => {
        const env = pod(i).containers[0].env.find((x: any) => x.name === "LC_DB_PASSWORD" || x.name === "DB_PASSWORD");
        delete env.valueFrom;
        env.value = "hunter2";
      });
    expect((await messages(kubernetesSecretsOnlyInSecrets, "globex-k8s", change))[0]).toMatch(
      /env (LC_)?DB_PASSWORD of container 'license-central' is a plain value; take it from a Secret/,
    );
  });

  test("a secret value in a ConfigMap is a violation", async () => {
    const change = (e: any) =>
      withResource(e.plan, k8s("ConfigMap", "lc-globex-k8s-gateway-files"), (i) => (i.data["leak"] = { $secret: true, value: "hunter2" }));
    expect(await messages(kubernetesSecretsOnlyInSecrets, "globex-k8s", change)).toEqual([
      "ConfigMap 'lc-globex-k8s-gateway-files' holds a secret in 'leak'; put it in a Secret",
    ]);
  });
});
