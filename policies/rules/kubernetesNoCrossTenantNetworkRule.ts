import { StackValidationPolicy } from "@pulumi/policy";
import { K8S, labelsOf, nameOf, namespaceOf, TENANT_OF_LABEL } from "../support/kubernetesFacts";

/** The cluster's DNS (kube-dns pods in kube-system): every namespace may ask it. */
function isClusterDns(peer: any): boolean {
  return peer?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system" && peer?.podSelector?.matchLabels?.["k8s-app"] === "kube-dns";
}

function peersOf(spec: any): any[] {
  return [...(spec?.ingress ?? []).flatMap((r: any) => r?.from ?? []), ...(spec?.egress ?? []).flatMap((r: any) => r?.to ?? [])];
}

/**
 * A Datacenter tenant's namespace reaches only its shared server's namespace: each of its NetworkPolicies' peers
 * is a pod of its own namespace or of `lc-<shared server>` (by kubernetes.io/metadata.name) or the cluster's DNS,
 * never another namespace, all namespaces or an address block. The shared server admits only namespaces labelled as its
 * own tenants.
 */
export const kubernetesNoCrossTenantNetworkRule: StackValidationPolicy = {
  name: "kubernetes-no-cross-tenant-network-rule",
  description: "NetworkPolicies of a tenant's namespace allow only its own and its shared server's namespace; a shared server admits only its tenants.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const namespaces = args.resources.filter((r) => r.type === K8S.namespace);
    const tenantOf = new Map(namespaces.map((n) => [nameOf(n.props), labelsOf(n.props)[TENANT_OF_LABEL]]));
    const sharedOf = new Map(namespaces.map((n) => [nameOf(n.props), labelsOf(n.props)["lchost.dev/shared-server"]]));
    if (![...tenantOf.values(), ...sharedOf.values()].some(Boolean)) return args.notApplicable("no tenant or shared-server namespace");
    for (const p of args.resources.filter((r) => r.type === K8S.networkPolicy)) {
      const ns = namespaceOf(p.props);
      const shared = tenantOf.get(ns);
      const sharedServer = sharedOf.get(ns);
      for (const peer of peersOf(p.props.spec)) {
        if (isClusterDns(peer)) continue;
        const sel = peer?.namespaceSelector;
        const what = `NetworkPolicy '${nameOf(p.props)}' in namespace '${ns}'`;
        if (shared) {
          if (peer?.ipBlock) reportViolation(`${what} allows an address block (${peer.ipBlock.cidr}); a tenant reaches only its shared server`, p.urn);
          else if (sel !== undefined && sel?.matchLabels?.["kubernetes.io/metadata.name"] !== `lc-${shared}`) {
            reportViolation(`${what} allows namespaces ${JSON.stringify(sel)}; a tenant of '${shared}' reaches only namespace 'lc-${shared}'`, p.urn);
          }
        } else if (sharedServer && sel !== undefined) {
          if (sel?.matchLabels?.[TENANT_OF_LABEL] !== sharedServer)
            reportViolation(
              `${what} allows namespaces ${JSON.stringify(sel)}; the shared server admits only namespaces labelled ${TENANT_OF_LABEL}=${sharedServer}`,
              p.urn,
            );
        }
      }
    }
  },
};
