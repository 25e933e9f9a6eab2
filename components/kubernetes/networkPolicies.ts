import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DB_PORT, GALERA_PORTS } from "../DatabaseServer";
import { ENTRY_INTERNAL_PORT } from "../HttpsEntryPoint";
import { FSB_PORT, LC_PORT } from "../serviceEnv";
import { LABEL, Owner, Role } from "./objectLabels";

/** One end of a flow: pods of a role in this namespace, in another one, in the shared server's tenants' namespaces, or anywhere. */
export type FlowPeer = { role: Role; namespace?: string; tenantsOf?: string } | { anywhere: true };

/** A connection the edition needs: `from` may open TCP connections to `to` on these ports. Everything else is denied. */
export interface Flow {
  name: string;
  from: FlowPeer;
  to: FlowPeer;
  ports: number[];
}

export interface NetworkPolicySpec {
  name: string;
  spec: Record<string, unknown>;
}

const isLocal = (p: FlowPeer): p is { role: Role } => !("anywhere" in p) && p.namespace === undefined && p.tenantsOf === undefined;

function peerSelector(p: FlowPeer): Record<string, unknown> {
  if ("anywhere" in p) return { ipBlock: { cidr: "0.0.0.0/0" } };
  const pods = { podSelector: { matchLabels: { [LABEL.role]: p.role } } };
  if (p.namespace) return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } }, ...pods };
  if (p.tenantsOf) return { namespaceSelector: { matchLabels: { [LABEL.tenantOf]: p.tenantsOf } }, ...pods };
  return pods;
}

/**
 * The NetworkPolicies of one namespace (pure): deny everything, allow DNS, then per flow an egress rule on
 * its local source pods and an ingress rule on its local destination pods. A flow whose ends are both
 * elsewhere adds nothing here.
 */
export function networkPolicySpecs(flows: Flow[]): NetworkPolicySpec[] {
  const out: NetworkPolicySpec[] = [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "allow-dns",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ];
  for (const f of flows) {
    const ports = f.ports.map((port) => ({ protocol: "TCP", port }));
    if (isLocal(f.from)) {
      out.push({
        name: `${f.name}-egress`,
        spec: { podSelector: { matchLabels: { [LABEL.role]: f.from.role } }, policyTypes: ["Egress"], egress: [{ to: [peerSelector(f.to)], ports }] },
      });
    }
    if (isLocal(f.to)) {
      out.push({
        name: `${f.name}-ingress`,
        spec: {
          podSelector: { matchLabels: { [LABEL.role]: f.to.role } },
          policyTypes: ["Ingress"],
          // from anywhere: no `from` at all (an ipBlock would not match traffic that keeps a node's address)
          ingress: [{ ...("anywhere" in f.from ? {} : { from: [peerSelector(f.from)] }), ports }],
        },
      });
    }
  }
  return out;
}

const GALERA = [DB_PORT, GALERA_PORTS.gcomm, GALERA_PORTS.ist, GALERA_PORTS.sst];

/** A customer with a server of its own: gateway → lines → database and FSB; Galera nodes among themselves. */
export function customerFlows(opts: { galera: boolean; dedicatedFsb: boolean; sharedFsbPort?: number }): Flow[] {
  return [
    { name: "clients-to-gateway", from: { anywhere: true }, to: { role: "https-entry-point" }, ports: [ENTRY_INTERNAL_PORT] },
    { name: "gateway-to-lines", from: { role: "https-entry-point" }, to: { role: "license-central" }, ports: [LC_PORT] },
    { name: "lines-to-database", from: { role: "license-central" }, to: { role: "database" }, ports: [DB_PORT] },
    ...(opts.galera ? [{ name: "galera-peers", from: { role: "database" as const }, to: { role: "database" as const }, ports: GALERA }] : []),
    ...(opts.dedicatedFsb
      ? [{ name: "lines-to-fsb", from: { role: "license-central" as const }, to: { role: "fsb" as const }, ports: [FSB_PORT] }]
      : opts.sharedFsbPort !== undefined
        ? // the hosting team's shared FSB is outside the cluster's namespaces: its port, nothing else
          [{ name: "lines-to-shared-fsb", from: { role: "license-central" as const }, to: { anywhere: true as const }, ports: [opts.sharedFsbPort] }]
        : []),
  ];
}

/** The shared server's namespace: the entry reaches its tenants' lines; tenants reach only its database and FSB. */
export function sharedServerFlows(sharedServer: string): Flow[] {
  const tenants = (role: Role) => ({ role, tenantsOf: sharedServer });
  return [
    { name: "clients-to-entry", from: { anywhere: true }, to: { role: "https-entry-point" }, ports: [ENTRY_INTERNAL_PORT] },
    { name: "entry-to-tenant-lines", from: { role: "https-entry-point" }, to: tenants("license-central"), ports: [LC_PORT] },
    { name: "tenant-lines-to-database", from: tenants("license-central"), to: { role: "database" }, ports: [DB_PORT] },
    { name: "tenant-setup-to-database", from: tenants("sql-job"), to: { role: "database" }, ports: [DB_PORT] },
    { name: "tenant-lines-to-fsb", from: tenants("license-central"), to: { role: "fsb" }, ports: [FSB_PORT] },
  ];
}

/** A Datacenter tenant's namespace: its line is reached by the shared entry and reaches the shared database and FSB only. */
export function tenantFlows(sharedNamespace: string): Flow[] {
  const shared = (role: Role) => ({ role, namespace: sharedNamespace });
  return [
    { name: "entry-to-line", from: shared("https-entry-point"), to: { role: "license-central" }, ports: [LC_PORT] },
    { name: "line-to-database", from: { role: "license-central" }, to: shared("database"), ports: [DB_PORT] },
    { name: "setup-to-database", from: { role: "sql-job" }, to: shared("database"), ports: [DB_PORT] },
    { name: "line-to-fsb", from: { role: "license-central" }, to: shared("fsb"), ports: [FSB_PORT] },
  ];
}

/** Creates the namespace's NetworkPolicies. */
export function createNetworkPolicies(
  parent: pulumi.Resource,
  namespace: string,
  flows: Flow[],
  owner: Owner,
  after: pulumi.Resource[],
): k8s.networking.v1.NetworkPolicy[] {
  return networkPolicySpecs(flows).map(
    (p) =>
      new k8s.networking.v1.NetworkPolicy(
        `netpol-${p.name}`,
        { metadata: { name: p.name, namespace, labels: owner }, spec: p.spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec },
        { parent, dependsOn: after },
      ),
  );
}
