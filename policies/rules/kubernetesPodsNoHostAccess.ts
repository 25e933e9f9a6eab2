import { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, workloadOf } from "../support/kubernetesFacts";

/**
 * Pods stay off the node: no host network, PID or IPC namespace, no privileged container, no hostPath volume —
 * except the one thing lchost passes in, the FSB box as a character device into an FSB pod.
 */
export const kubernetesPodsNoHostAccess: ResourceValidationPolicy = {
  name: "kubernetes-pods-no-host-access",
  description: "No hostNetwork/hostPID/hostIPC, no privileged container, no hostPath volume except the FSB's character device.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const w = workloadOf(args.type, args.props, args.urn);
    if (!w) return;
    const what = `${args.type.split(":").pop()} '${w.name}'`;
    for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (w.pod[k] === true) reportViolation(`${what} uses the node's ${k.slice(4)} namespace (${k})`);
    for (const c of containersOf(w.pod)) if (c?.securityContext?.privileged === true) reportViolation(`${what}: container '${c.name}' is privileged`);
    for (const v of w.pod.volumes ?? []) {
      if (!v?.hostPath) continue;
      if (w.role === "fsb" && v.hostPath.type === "CharDevice" && String(v.hostPath.path).startsWith("/dev/")) continue;
      reportViolation(`${what} mounts the host path '${v.hostPath.path}'; only an FSB pod may, and only the box's character device`);
    }
  },
};
