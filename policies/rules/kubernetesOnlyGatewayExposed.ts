import { ResourceValidationPolicy } from "@pulumi/policy";
import { K8S, ROLE_LABEL, TLS_PORT } from "../support/kubernetesFacts";

/**
 * Only the HTTPS gateway (or a shared server's entry) is reachable from outside the cluster: no NodePort or
 * LoadBalancer Service for a database, an FSB or a line, and the gateway's Service forwards to HAProxy's TLS
 * port only (TLS terminates in HAProxy, with the stack's client certificates, allow list and basic auth).
 */
export const kubernetesOnlyGatewayExposed: ResourceValidationPolicy = {
  name: "kubernetes-only-gateway-exposed",
  description: "Only the gateway's Service is NodePort/LoadBalancer, and it forwards to HAProxy's TLS port only.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== K8S.service) return;
    const spec = args.props?.spec ?? {};
    const exposed = spec.type === "NodePort" || spec.type === "LoadBalancer" || (spec.externalIPs ?? []).length > 0;
    const role = args.props?.metadata?.labels?.[ROLE_LABEL];
    const name = args.props?.metadata?.name;
    if (role !== "https-entry-point") {
      if (exposed) reportViolation(`Service '${name}' (${role ?? "no role"}) is exposed outside the cluster (${spec.type}); only the gateway may be`);
      return;
    }
    for (const p of spec.ports ?? []) {
      if (Number(p?.targetPort) !== TLS_PORT)
        reportViolation(`Service '${name}' forwards port ${p?.port} to ${p?.targetPort}; the gateway is reached over TLS only (target ${TLS_PORT})`);
    }
  },
};
