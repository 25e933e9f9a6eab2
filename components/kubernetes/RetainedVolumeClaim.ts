import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LABEL, Owner } from "./objectLabels";

export interface RetainedVolumeClaimArgs {
  /** The claim a StatefulSet's template would create: <template>-<statefulset>-<ordinal>. */
  name: string;
  namespace: string;
  storageClass?: string;
  storageGi: number;
  holds: "database" | "fsb-keys";
  owner: Owner;
  /** Created after these (the namespace): Kubernetes refuses objects in a namespace that does not exist yet. */
  after?: pulumi.Resource[];
}

/**
 * A PersistentVolumeClaim that outlives its stack (retainOnDelete): a database node's data or an FSB's keys.
 * It is created before its StatefulSet, which adopts it by name instead of creating its own.
 */
export class RetainedVolumeClaim extends pulumi.ComponentResource {
  readonly claim: k8s.core.v1.PersistentVolumeClaim;

  constructor(name: string, args: RetainedVolumeClaimArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:RetainedVolumeClaim", name, {}, opts);
    this.claim = new k8s.core.v1.PersistentVolumeClaim(
      name,
      {
        metadata: {
          name: args.name,
          namespace: args.namespace,
          labels: { ...args.owner, [LABEL.data]: args.holds },
          // a WaitForFirstConsumer class binds the claim only once its StatefulSet's pod exists: do not wait for it
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: {
          accessModes: ["ReadWriteOnce"],
          ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
          resources: { requests: { storage: `${args.storageGi}Gi` } },
        },
      },
      { parent: this, dependsOn: args.after ?? [], retainOnDelete: true },
    );
    this.registerOutputs({});
  }
}
