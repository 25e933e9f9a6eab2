import { ResourceValidationPolicy } from "@pulumi/policy";
import { K8S } from "../support/kubernetesFacts";

/**
 * Database data and FSB keys outlive the stack: their PersistentVolumeClaims are kept when the resource is deleted
 * (retainOnDelete; lchost's runner passes it, the engine does not), and a StatefulSet never deletes its claims.
 */
export const kubernetesVolumeClaimsRetained: ResourceValidationPolicy = {
  name: "kubernetes-volume-claims-retained",
  description: "PersistentVolumeClaims are retained on delete; StatefulSets retain their claims when deleted or scaled down.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === K8S.claim) {
      const opts = args.opts as typeof args.opts & { retainOnDelete?: boolean };
      if (opts.retainOnDelete === true || opts.protect === true) return;
      if (opts.retainOnDelete === undefined) return args.notApplicable("the engine does not tell policies whether retainOnDelete is set");
      reportViolation(`PersistentVolumeClaim '${args.props?.metadata?.name}' would be deleted with its stack; set retainOnDelete: true`);
    } else if (args.type === K8S.statefulSet) {
      const p = args.props?.spec?.persistentVolumeClaimRetentionPolicy ?? {};
      if (p.whenDeleted === "Delete" || p.whenScaled === "Delete") {
        reportViolation(
          `StatefulSet '${args.props?.metadata?.name}' deletes its claims (persistentVolumeClaimRetentionPolicy ${JSON.stringify(p)}); keep them: Retain`,
        );
      }
    }
  },
};
