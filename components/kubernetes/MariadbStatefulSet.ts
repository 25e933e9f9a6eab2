import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DATABASE_PATHS, databaseServerSpec, DB_PORT, GALERA_PORTS, renderGaleraNode } from "../DatabaseServer";
import { renderDatabaseStartScript, renderMariadbConfig } from "../render/mariadbConfig";
import { LABEL, Owner, resourcesOf, selectorOf, serviceDns, workloadLabels } from "./objectLabels";
import { IMAGE_UIDS, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "./podSecurity";
import { RetainedVolumeClaim } from "./RetainedVolumeClaim";

export interface MariadbStatefulSetArgs {
  /** StatefulSet name: pods are <name>-0, <name>-1, …; the client Service is <name>, the headless one <name>-peers. */
  name: string;
  namespace: string;
  image: pulumi.Input<string>;
  /** 1: a single server; 3 or more: a Galera cluster. */
  nodes: number;
  clusterName?: string;
  /** Idempotent SQL run at start (schema, users): a secret, it holds passwords. */
  initSql: pulumi.Input<string>;
  size: { memoryMb: number; cpuMillis: number };
  storageClass?: string;
  storageGi: number;
  owner: Owner;
  /** Created after these (the namespace): Kubernetes refuses objects in a namespace that does not exist yet. */
  after?: pulumi.Resource[];
}

/** The files of each node as Docker uploads them, keyed as they sit in /etc/lchost/db (pure; tests compare them). */
export function databaseFiles(args: { name: string; namespace: string; nodes: number; clusterName?: string; memoryMb: number }): Record<string, string> {
  const dir = DATABASE_PATHS.config.slice(0, DATABASE_PATHS.config.lastIndexOf("/"));
  if (args.nodes === 1) {
    return {
      [DATABASE_PATHS.config.slice(dir.length + 1)]: renderMariadbConfig(databaseServerSpec(args.memoryMb)),
      [DATABASE_PATHS.start.slice(dir.length + 1)]: renderDatabaseStartScript({
        datadir: DATABASE_PATHS.datadir,
        configPath: DATABASE_PATHS.config,
        initFilePath: DATABASE_PATHS.init,
      }),
    };
  }
  if (!args.clusterName) throw new Error(`${args.name}: a Galera cluster needs a cluster name`);
  const peers = Array.from({ length: args.nodes }, (_, i) => galeraPodAddress(args.name, args.namespace, i));
  const files: Record<string, string> = {};
  for (let i = 0; i < args.nodes; i++) {
    files[`node-${i}.cnf`] = renderGaleraNode(args.memoryMb, { clusterName: args.clusterName, name: `${args.name}-${i}`, address: peers[i], peers });
    files[`start-${i}.sh`] = renderDatabaseStartScript({
      datadir: DATABASE_PATHS.datadir,
      configPath: `${dir}/node-${i}.cnf`,
      initFilePath: DATABASE_PATHS.init,
      // the pod with ordinal 0 founds the cluster, under the same conditions as node 1 on Docker
      galera: { bootstrapNode: i === 0 },
    });
  }
  return files;
}

/** A Galera pod's stable DNS name through the headless Service. */
export function galeraPodAddress(name: string, namespace: string, ordinal: number): string {
  return `${name}-${ordinal}.${serviceDns(`${name}-peers`, namespace)}`;
}

/**
 * MariaDB as a StatefulSet: one server, or a Galera cluster of 3 with a headless Service for peer
 * discovery, parallel pod start (safe: only pod 0 ever founds the cluster, and only on a fresh data
 * directory or when grastate.dat says safe_to_bootstrap; every other start joins), a PodDisruptionBudget
 * keeping 2 up, and required anti-affinity so no two nodes share a host. Data on PVCs created as
 * resources of their own with retainOnDelete (pulumi destroy keeps them) and the StatefulSet's own
 * retention policy Retain; the storage class comes from lchost:kubernetes.storageClass.
 */
export class MariadbStatefulSet extends pulumi.ComponentResource {
  /** The client Service (any ready node). */
  readonly host: string;
  /** Each node's address (the pod DNS names for a cluster, the Service for a single server). */
  readonly nodeHosts: string[];
  readonly statefulSet: k8s.apps.v1.StatefulSet;

  constructor(name: string, args: MariadbStatefulSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:MariadbStatefulSet", name, {}, opts);
    const o = { parent: this, dependsOn: args.after ?? [] };
    const cluster = args.nodes > 1;
    const labels = workloadLabels(args.owner, "database", args.name, "mariadb");
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
    const files = databaseFiles({ ...args, memoryMb: args.size.memoryMb });
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: meta(`${args.name}-config`), data: files }, o);
    const initName = `${args.name}-init`;
    const init = new k8s.core.v1.Secret(
      `${name}-init`,
      { metadata: meta(initName), type: "Opaque", stringData: { "init.sql": pulumi.secret(args.initSql) } },
      o,
    );
    const ports = [
      { name: "mysql", port: DB_PORT, targetPort: DB_PORT },
      ...(cluster
        ? [
            { name: "gcomm", port: GALERA_PORTS.gcomm, targetPort: GALERA_PORTS.gcomm },
            { name: "ist", port: GALERA_PORTS.ist, targetPort: GALERA_PORTS.ist },
            { name: "sst", port: GALERA_PORTS.sst, targetPort: GALERA_PORTS.sst },
          ]
        : []),
    ];
    const peersName = `${args.name}-peers`;
    // peers must find each other before they are ready (a joining node is not ready until it has synced)
    new k8s.core.v1.Service(
      `${name}-peers`,
      { metadata: meta(peersName), spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: selectorOf(args.name).matchLabels, ports } },
      o,
    );
    new k8s.core.v1.Service(
      name,
      { metadata: meta(args.name), spec: { type: "ClusterIP", selector: selectorOf(args.name).matchLabels, ports: [ports[0]] } },
      o,
    );
    // The claims the StatefulSet would create (<template>-<name>-<ordinal>), created first as resources of
    // their own so they are kept on destroy; the StatefulSet adopts them by name.
    const claims = Array.from(
      { length: args.nodes },
      (_, i) =>
        new RetainedVolumeClaim(
          i === 0 ? `${name}-data` : `${name}-data-${i + 1}`,
          {
            name: `data-${args.name}-${i}`,
            namespace: args.namespace,
            storageClass: args.storageClass,
            storageGi: args.storageGi,
            holds: "database",
            owner: args.owner,
            after: args.after,
          },
          o,
        ),
    );
    const dir = DATABASE_PATHS.config.slice(0, DATABASE_PATHS.config.lastIndexOf("/"));
    const ping = { exec: { command: ["mariadb-admin", "ping", "-h", "127.0.0.1", `-P${DB_PORT}`] } };
    this.statefulSet = new k8s.apps.v1.StatefulSet(
      name,
      {
        metadata: meta(args.name),
        spec: {
          serviceName: peersName,
          replicas: args.nodes,
          podManagementPolicy: cluster ? "Parallel" : "OrderedReady",
          selector: selectorOf(args.name),
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(IMAGE_UIDS.mariadb),
              terminationGracePeriodSeconds: 60,
              ...(cluster
                ? {
                    affinity: {
                      podAntiAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selectorOf(args.name), topologyKey: "kubernetes.io/hostname" }],
                      },
                    },
                  }
                : {}),
              containers: [
                {
                  name: "mariadb",
                  image: args.image,
                  // the rendered start script replaces the image's entrypoint, as on Docker; a cluster pod runs its ordinal's
                  command: cluster ? ["/bin/sh", "-c", `exec /bin/sh ${dir}/start-\${HOSTNAME##*-}.sh`] : ["/bin/sh", DATABASE_PATHS.start],
                  ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
                  // a joining Galera node may copy the whole data set first (SST): up to 10 minutes before liveness counts
                  startupProbe: { ...ping, periodSeconds: 5, failureThreshold: cluster ? 120 : 24 },
                  readinessProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
                  livenessProbe: { ...ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                  resources: resourcesOf(args.size),
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [
                    { name: "data", mountPath: DATABASE_PATHS.datadir },
                    { name: "db-files", mountPath: dir, readOnly: true },
                    { name: "run", mountPath: "/run/mysqld" },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                {
                  name: "db-files",
                  projected: {
                    defaultMode: 0o440,
                    sources: [{ configMap: { name: `${args.name}-config` } }, { secret: { name: initName, items: [{ key: "init.sql", path: "init.sql" }] } }],
                  },
                },
                scratchVolume("run", 16),
                scratchVolume("tmp", 256),
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data", labels: { [LABEL.data]: "database" } },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: `${args.storageGi}Gi` } },
              },
            },
          ],
        },
      },
      { parent: this, dependsOn: [...(args.after ?? []), config, init, ...claims] },
    );
    if (cluster) {
      new k8s.policy.v1.PodDisruptionBudget(name, { metadata: meta(args.name), spec: { minAvailable: args.nodes - 1, selector: selectorOf(args.name) } }, o);
    }
    this.host = args.name;
    this.nodeHosts = cluster ? Array.from({ length: args.nodes }, (_, i) => galeraPodAddress(args.name, args.namespace, i)) : [args.name];
    this.registerOutputs({ host: this.host });
  }
}
