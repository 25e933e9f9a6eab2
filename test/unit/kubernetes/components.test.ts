/**
 * The Kubernetes components built directly under Pulumi's mocks (no program, no stack file): what each one
 * creates, and the arguments it refuses.
 */
import * as pulumi from "@pulumi/pulumi";
import { FsbStatefulSet } from "../../../components/kubernetes/FsbStatefulSet";
import { HaproxyGateway } from "../../../components/kubernetes/HaproxyGateway";
import { MariadbStatefulSet } from "../../../components/kubernetes/MariadbStatefulSet";
import { networkPolicySpecs, tenantFlows } from "../../../components/kubernetes/networkPolicies";

jest.setTimeout(60_000);

const created: Array<{ type: string; name: string; inputs: any }> = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "lchost",
  "components",
  false,
);

const settle = () => new Promise((r) => setTimeout(r, 200));
const owner = { "lchost.dev/customer": "c" };
const ofType = (suffix: string) => created.filter((c) => c.type.endsWith(suffix));

beforeEach(() => (created.length = 0));

test("a single MariaDB server: no PDB, no anti-affinity, ordered start, one retained claim", async () => {
  new MariadbStatefulSet("db", {
    name: "lc-c-db",
    namespace: "lc-c",
    image: "m",
    nodes: 1,
    initSql: "SQL",
    size: { memoryMb: 1024, cpuMillis: 1000 },
    storageGi: 20,
    owner,
  });
  await settle();
  const sts = ofType(":StatefulSet")[0].inputs;
  expect(sts.spec.podManagementPolicy).toBe("OrderedReady");
  expect(sts.spec.template.spec.affinity).toBeUndefined();
  expect(ofType(":PodDisruptionBudget")).toEqual([]);
  expect(ofType(":PersistentVolumeClaim").map((c) => c.inputs.metadata.name)).toEqual(["data-lc-c-db-0"]);
  expect(sts.spec.template.spec.containers[0].command).toEqual(["/bin/sh", "/etc/lchost/db/start.sh"]);
});

test("a Galera cluster: every node's files, pod 0 founds, the others join", async () => {
  new MariadbStatefulSet("db", {
    name: "lc-c-db",
    namespace: "lc-c",
    image: "m",
    nodes: 3,
    clusterName: "lc-c",
    initSql: "SQL",
    size: { memoryMb: 2048, cpuMillis: 1000 },
    storageGi: 20,
    owner,
  });
  await settle();
  const files = ofType(":ConfigMap")[0].inputs.data;
  expect(Object.keys(files).sort()).toEqual(["node-0.cnf", "node-1.cnf", "node-2.cnf", "start-0.sh", "start-1.sh", "start-2.sh"]);
  expect(files["start-0.sh"]).toContain("--wsrep-new-cluster");
  // the others found only when Galera marked them the last to leave, or on lchost heal's one-time marker
  // (components/render/mariadbConfig.ts: safe_to_bootstrap, HEAL_BOOTSTRAP_MARKER)
  const founding = (script: string) => script.split("\n").filter((l) => l.includes("--wsrep-new-cluster"));
  expect(founding(files["start-1.sh"])).toEqual([
    expect.stringContaining('grep -q "^safe_to_bootstrap: *1"'),
    expect.stringContaining('[ -f "$DATADIR/lchost-heal-bootstrap" ]'),
  ]);
  expect(ofType(":PodDisruptionBudget")[0].inputs.spec.minAvailable).toBe(2);
});

test("a Galera cluster without a cluster name is refused", () => {
  expect(
    () =>
      new MariadbStatefulSet("db2", {
        name: "x",
        namespace: "n",
        image: "m",
        nodes: 3,
        initSql: "S",
        size: { memoryMb: 1, cpuMillis: 1 },
        storageGi: 1,
        owner,
      }),
  ).toThrow("x: a Galera cluster needs a cluster name");
});

test("an FSB on a device plugin asks for one of its resource and runs on the selected nodes", async () => {
  new FsbStatefulSet("fsb", {
    name: "lc-c-fsb-1",
    namespace: "lc-c",
    image: "f",
    firmTokens: [["c", "t"]],
    signLatencyMs: 0,
    device: { resourceName: "vendor.example/fsb", nodeSelector: { fsb: "yes" } },
    size: { memoryMb: 256, cpuMillis: 500 },
    storageGi: 1,
    owner,
  });
  await settle();
  const pod = ofType(":StatefulSet")[0].inputs.spec.template.spec;
  expect(pod.nodeSelector).toEqual({ fsb: "yes" });
  expect(pod.containers[0].resources.limits["vendor.example/fsb"]).toBe("1");
  expect(pod.volumes.some((v: any) => v.hostPath)).toBe(false);
  expect(pod.containers[0].env.find((e: any) => e.name === "FSB_FIRM_TOKENS")).toEqual({
    name: "FSB_FIRM_TOKENS",
    valueFrom: { secretKeyRef: { name: "lc-c-fsb-1-env", key: "FSB_FIRM_TOKENS" } },
  });
});

test("a gateway without secrets keeps haproxy.cfg in a ConfigMap; a ClusterIP Service has no externalTrafficPolicy", async () => {
  new HaproxyGateway("gw", {
    name: "lc-s-entry",
    namespace: "lc-s",
    dnsNames: ["s.example"],
    image: "h",
    port: 443,
    serviceType: "ClusterIP",
    replicas: 1,
    webServices: false,
    backends: [{ name: "b", servers: [{ name: "l", address: "lc-t-line-1.lc-t.svc.cluster.local", port: 8080 }] }],
    limits: { maxConnections: 10, connectionsPerSource: 5, requestsPerSourcePer10s: 10 },
    size: { memoryMb: 256, cpuMillis: 500 },
    owner,
  });
  await settle();
  expect(Object.keys(ofType(":ConfigMap")[0].inputs.data)).toEqual(["haproxy.cfg"]);
  expect(ofType(":ConfigMap")[0].inputs.data["haproxy.cfg"]).not.toContain("resolvers docker");
  // the kubelet probes the pod's address: the monitor frontend may not listen on the pod's loopback only
  const cfg: string = ofType(":ConfigMap")[0].inputs.data["haproxy.cfg"];
  const probePort = ofType(":Deployment")[0].inputs.spec.template.spec.containers[0].readinessProbe.httpGet.port;
  expect(cfg).toContain(`bind *:${probePort}\n`);
  expect(cfg).not.toContain(`bind 127.0.0.1:${probePort}`);
  // the Kubernetes SDK marks a Secret's stringData secret as a whole (a wrapped value under the mocks)
  const stringData = ofType(":Secret")[0].inputs.stringData;
  expect(Object.keys(stringData.value ?? stringData)).toEqual(["tls-server.pem"]);
  expect(ofType(":Service")[0].inputs.spec.externalTrafficPolicy).toBeUndefined();
  expect(ofType(":PodDisruptionBudget")).toEqual([]);
});

test("a tenant's network flows never name another tenant's namespace", () => {
  const peers = JSON.stringify(networkPolicySpecs(tenantFlows("lc-shared")));
  expect(peers.match(/"kubernetes.io\/metadata.name":"([^"]+)"/g)?.map((m) => m.split(":")[1])).toEqual(
    expect.arrayContaining(['"lc-shared"', '"kube-system"']),
  );
  expect([...new Set(peers.match(/"kubernetes.io\/metadata.name":"[^"]+"/g))].sort()).toEqual([
    '"kubernetes.io/metadata.name":"kube-system"',
    '"kubernetes.io/metadata.name":"lc-shared"',
  ]);
});
