import { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, K8S, workloadOf } from "../support/kubernetesFacts";

/**
 * Every pod meets the restricted Pod Security Standard (the namespaces enforce it too; this says so at plan time,
 * naming the field): non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, and a
 * read-only root filesystem. Namespaces carry pod-security.kubernetes.io/enforce.
 */
export const kubernetesPodsRestricted: ResourceValidationPolicy = {
  name: "kubernetes-pods-restricted",
  description: "Pods meet the restricted Pod Security Standard (non-root, no escalation, no capabilities, seccomp, read-only root).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === K8S.namespace) {
      const level = args.props?.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
      if (level !== "restricted" && level !== "privileged")
        reportViolation(`namespace '${args.props?.metadata?.name}' enforces no Pod Security level (pod-security.kubernetes.io/enforce: restricted)`);
      return;
    }
    const w = workloadOf(args.type, args.props, args.urn);
    if (!w) return;
    const pod = w.pod.securityContext ?? {};
    const what = `${args.type.split(":").pop()} '${w.name}'`;
    for (const c of containersOf(w.pod)) {
      const s = { ...pod, ...(c.securityContext ?? {}) };
      const faults: string[] = [];
      if (s.runAsNonRoot !== true) faults.push("runAsNonRoot is not true");
      if (s.runAsUser === 0) faults.push("runAsUser is 0");
      if (c.securityContext?.allowPrivilegeEscalation !== false) faults.push("allowPrivilegeEscalation is not false");
      if (!(c.securityContext?.capabilities?.drop ?? []).includes("ALL")) faults.push("capabilities.drop lacks ALL");
      if ((c.securityContext?.capabilities?.add ?? []).length > 0) faults.push(`capabilities.add ${JSON.stringify(c.securityContext.capabilities.add)}`);
      if (!["RuntimeDefault", "Localhost"].includes(s.seccompProfile?.type)) faults.push("seccompProfile.type is not RuntimeDefault");
      if (c.securityContext?.readOnlyRootFilesystem !== true) faults.push("readOnlyRootFilesystem is not true");
      if (faults.length > 0) reportViolation(`${what}: container '${c.name}': ${faults.join("; ")}`);
    }
  },
};
