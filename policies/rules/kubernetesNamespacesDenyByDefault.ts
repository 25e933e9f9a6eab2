import { StackValidationPolicy } from "@pulumi/policy";
import { K8S, nameOf, namespaceOf } from "../support/kubernetesFacts";

/** Kubernetes allows every connection until a policy selects a pod: each customer namespace denies first, then allows flows. */
export const kubernetesNamespacesDenyByDefault: StackValidationPolicy = {
  name: "kubernetes-namespaces-deny-by-default",
  description: "Every namespace of the stack has a NetworkPolicy that selects all its pods and denies all ingress and egress.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const namespaces = args.resources.filter((r) => r.type === K8S.namespace);
    if (namespaces.length === 0) return args.notApplicable("no Kubernetes namespace");
    const policies = args.resources.filter((r) => r.type === K8S.networkPolicy);
    for (const ns of namespaces) {
      const denies = policies.some((p) => {
        const s = p.props.spec ?? {};
        const types: string[] = s.policyTypes ?? [];
        return (
          namespaceOf(p.props) === nameOf(ns.props) &&
          Object.keys(s.podSelector ?? { x: 1 }).length === 0 &&
          types.includes("Ingress") &&
          types.includes("Egress") &&
          (s.ingress ?? []).length === 0 &&
          (s.egress ?? []).length === 0
        );
      });
      if (!denies)
        reportViolation(`namespace '${nameOf(ns.props)}' has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)`, ns.urn);
    }
  },
};
