import { ResourceValidationPolicy } from "@pulumi/policy";
import { K8S, workloadOf } from "../support/kubernetesFacts";

/** Every long-running container has a readiness and a liveness probe (a one-shot Job's container is judged by its exit). */
export const kubernetesProbesOnEveryContainer: ResourceValidationPolicy = {
  name: "kubernetes-probes-on-every-container",
  description: "Every container of a Deployment or StatefulSet has a readiness and a liveness probe.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const w = workloadOf(args.type, args.props, args.urn);
    if (!w || w.type === K8S.job) return;
    for (const c of w.pod.containers ?? []) {
      const missing = ["readinessProbe", "livenessProbe"].filter((p) => !c?.[p]);
      if (missing.length > 0) reportViolation(`${args.type.split(":").pop()} '${w.name}': container '${c.name}' has no ${missing.join(" and no ")}`);
    }
  },
};
