import { validateKubernetesObject, validatePlanAgainstKubernetesSchemas, formatSchemaProblem } from "../../../planner/kubernetesSchema";
import { customerPodShapes, namespaceQuota } from "../../../model/kubernetesResources";
import { container, planValues, upload } from "../planHelpers";
import { haValues } from "../stackFixtures";
import { K8S_EXAMPLES, k8sExample, object, objects, podTemplates } from "./support";

jest.setTimeout(120_000);

describe("every Kubernetes example stack", () => {
  test.each(K8S_EXAMPLES)("%s: every planned object passes the offline Kubernetes schema validation", async (name) => {
    const { plan } = await k8sExample(name);
    expect(validatePlanAgainstKubernetesSchemas(plan).map(formatSchemaProblem)).toEqual([]);
  });

  test.each(K8S_EXAMPLES)("%s: every pod meets the restricted Pod Security Standard with explicit writable volumes", async (name) => {
    const { plan } = await k8sExample(name);
    const pods = podTemplates(plan);
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) {
      expect([p.name, p.spec.securityContext.runAsNonRoot, p.spec.securityContext.seccompProfile]).toEqual([p.name, true, { type: "RuntimeDefault" }]);
      expect(p.spec.hostNetwork).toBeUndefined();
      for (const c of p.spec.containers) {
        expect([p.name, c.securityContext]).toEqual([
          p.name,
          {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        ]);
        // every mount names a volume of the pod or a claim template
        const volumes = new Set([...(p.spec.volumes ?? []).map((v: any) => v.name), "data", "keys"]);
        for (const m of c.volumeMounts ?? []) expect([p.name, m.name, volumes.has(m.name)]).toEqual([p.name, m.name, true]);
      }
    }
    for (const { o } of objects(plan, "Namespace")) expect(o.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  test.each(K8S_EXAMPLES)("%s: secrets reach pods only by secretKeyRef; no env value and no ConfigMap holds one", async (name) => {
    const { plan } = await k8sExample(name);
    for (const p of podTemplates(plan)) {
      for (const c of p.spec.containers) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|TOKEN|PWD/.test(e.name)) expect([p.name, e.name, e.value, e.valueFrom?.secretKeyRef?.key]).toEqual([p.name, e.name, undefined, e.name]);
        }
      }
    }
    const planned = JSON.stringify(objects(plan, "ConfigMap").map((x) => x.o));
    expect(planned).not.toMatch(/planned[A-Za-z]*(password|token)/i);
  });
});

describe("the High Availability Package on Kubernetes (wayne-k8s)", () => {
  test("a namespace per customer labelled with customer and edition, and a ResourceQuota from the catalog", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    const ns = object(plan, "Namespace", "lc-wayne-k8s");
    expect(ns.metadata.labels).toMatchObject({ "lchost.dev/customer": "wayne-k8s", "lchost.dev/edition": "high-availability" });
    const q = namespaceQuota(customerPodShapes("high-availability", 3));
    expect(object(plan, "ResourceQuota", "lchost-quota").spec.hard).toMatchObject({
      "limits.memory": `${q.memoryMb}Mi`,
      "limits.cpu": `${q.cpuMillis}m`,
      pods: String(q.pods),
    });
    expect(object(plan, "LimitRange", "lchost-limits").spec.limits[0].type).toBe("Container");
  });

  test("Galera: 3 nodes, headless Service publishing unready peers, parallel start, PDB minAvailable 2, required anti-affinity by hostname", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    const sts = object(plan, "StatefulSet", "lc-wayne-k8s-db");
    expect(sts.spec).toMatchObject({ replicas: 3, serviceName: "lc-wayne-k8s-db-peers", podManagementPolicy: "Parallel" });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
    expect(object(plan, "Service", "lc-wayne-k8s-db-peers").spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
    expect(object(plan, "PodDisruptionBudget", "lc-wayne-k8s-db").spec.minAvailable).toBe(2);
  });

  test("database claims are resources of their own, retained on delete, on the stack's storage class", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    const claims = objects(plan, "PersistentVolumeClaim");
    expect(claims.map(({ o }) => o.metadata.name).sort()).toEqual([
      "data-lc-wayne-k8s-db-0",
      "data-lc-wayne-k8s-db-1",
      "data-lc-wayne-k8s-db-2",
      "keys-lc-wayne-k8s-fsb-1-0",
      "keys-lc-wayne-k8s-fsb-2-0",
      "keys-lc-wayne-k8s-fsb-3-0",
    ]);
    for (const { r, o } of claims) expect([o.metadata.name, r.retainOnDelete, o.spec.storageClassName]).toEqual([o.metadata.name, true, "fast-ssd"]);
  });

  test("each line is a Deployment with readiness /readyz and liveness /healthz and its own FSB StatefulSet", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    for (const n of [1, 2, 3]) {
      const c = object(plan, "Deployment", `lc-wayne-k8s-line-${n}`).spec.template.spec.containers[0];
      expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]).toEqual(["/readyz", "/healthz"]);
      expect(c.resources.limits).toEqual({ memory: "2048Mi", cpu: "1000m" });
      expect(object(plan, "StatefulSet", `lc-wayne-k8s-fsb-${n}`).spec.replicas).toBe(1);
    }
  });

  test("the gateway: 2 replicas on different nodes behind a LoadBalancer Service that keeps the client's address", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    const gw = object(plan, "Deployment", "lc-wayne-k8s-gateway");
    expect(gw.spec.replicas).toBe(2);
    expect(gw.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(object(plan, "Service", "lc-wayne-k8s-gateway").spec).toMatchObject({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      ports: [{ port: 443, targetPort: 8443 }],
    });
  });

  test("NetworkPolicies: default deny, and only gateway → lines → database and FSB, Galera peers among themselves", async () => {
    const { plan } = await k8sExample("wayne-k8s");
    expect(
      objects(plan, "NetworkPolicy")
        .map(({ o }) => o.metadata.name)
        .sort(),
    ).toEqual([
      "allow-dns",
      "clients-to-gateway-ingress",
      "default-deny",
      "galera-peers-egress",
      "galera-peers-ingress",
      "gateway-to-lines-egress",
      "gateway-to-lines-ingress",
      "lines-to-database-egress",
      "lines-to-database-ingress",
      "lines-to-fsb-egress",
      "lines-to-fsb-ingress",
    ]);
    expect(object(plan, "NetworkPolicy", "default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });
});

describe("the same rendered files as on Docker (one renderer)", () => {
  const docker = () => planValues("wayne", haValues());
  const onK8s = () => planValues("wayne", { ...haValues(), platform: "kubernetes" });

  test("haproxy.cfg is the Docker one without Docker's DNS resolver (servers are Services on Kubernetes), its monitor on the pod's address", async () => {
    const d = String(upload(container(await docker(), "lc-wayne-gateway"), "/usr/local/etc/haproxy/haproxy.cfg").content);
    const k = object(await onK8s(), "Secret", "lc-wayne-gateway-secrets").stringData["haproxy.cfg"];
    const onKubernetes = d
      .replace("resolvers docker\n  nameserver dns 127.0.0.11:53\n  hold valid 1s\n\n", "")
      .replace(/ resolvers docker init-addr last,libc,none/g, "")
      // the kubelet probes the pod's address, the Docker health check runs inside the container
      .replace(/\n {2}bind 127\.0\.0\.1:(\d+)\n/, "\n  bind *:$1\n");
    expect(onKubernetes).not.toBe(d);
    expect(k).toBe(onKubernetes);
  });

  test("a single server's my.cnf and start script are byte-identical", async () => {
    const values = { ...haValues(), edition: "high-performance", lines: undefined };
    const d = container(await planValues("hp", values), "lc-wayne-db");
    const k = object(await planValues("hp", { ...values, platform: "kubernetes" }), "ConfigMap", "lc-wayne-db-config").data;
    expect(k["90-lchost.cnf"]).toBe(upload(d, "/etc/lchost/db/90-lchost.cnf").content);
    expect(k["start.sh"]).toBe(upload(d, "/etc/lchost/db/start.sh").content);
  });

  test("Galera nodes: the same my.cnf but for the nodes' own names and addresses (pod DNS names)", async () => {
    const d = String(upload(container(await docker(), "lc-wayne-db-2"), "/etc/lchost/db/90-lchost.cnf").content);
    const k = object(await onK8s(), "ConfigMap", "lc-wayne-db-config").data["node-1.cnf"];
    const addressed = /^(wsrep_cluster_address|wsrep_node_name|wsrep_node_address|wsrep_provider_options|wsrep_sst_receive_address) /;
    expect(k.split("\n").filter((l: string) => !addressed.test(l))).toEqual(d.split("\n").filter((l) => !addressed.test(l)));
    expect(k).toContain("wsrep_node_address = lc-wayne-db-1.lc-wayne-db-peers.lc-wayne.svc.cluster.local");
  });
});

describe("offline schema validation", () => {
  test("names the resource's field of a wrong type, a missing required field and an unknown field", () => {
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x", labels: { any: "label" } },
      spec: {
        replicas: "2",
        selector: { matchLabels: { a: "b" } },
        template: { spec: { containers: [{ image: "i", securityContext: { readOnlyRootFilesytem: true } }] } },
      },
    };
    expect(validateKubernetesObject("kubernetes:apps/v1:Deployment", d)).toEqual([
      { field: "spec.replicas", message: "must be of type integer" },
      { field: "spec.template.spec.containers[0].name", message: "required but missing" },
      {
        field: "spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem",
        message: "unknown field: the Kubernetes 1.33 schema has no such property",
      },
    ]);
  });

  test("the schemas are Kubernetes 1.33's: Lifecycle.stopSignal (new in 1.33) is known, PodCertificateProjection (1.34) is not", () => {
    const pod = (lifecycle: unknown) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", lifecycle }] } });
    expect(validateKubernetesObject("kubernetes:core/v1:Pod", pod({ stopSignal: "SIGTERM" }))).toEqual([]);
    const withProjection = {
      ...pod(undefined),
      spec: { containers: [{ name: "c" }], volumes: [{ name: "v", projected: { sources: [{ podCertificate: {} }] } }] },
    };
    expect(validateKubernetesObject("kubernetes:core/v1:Pod", withProjection).map((p) => p.field)).toEqual([
      "spec.volumes[0].projected.sources[0].podCertificate",
    ]);
  });
});
