import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FSB_DEFAULTS } from "../../fsb-emulator/src/env";
import type { KubernetesFsbDevice } from "../../model/stackConfig";
import { fsbEmulatorEnv, FSB_HEALTH, FSB_PORT } from "../serviceEnv";
import { LABEL, Owner, resourcesOf, selectorOf, serviceDns, workloadLabels } from "./objectLabels";
import { IMAGE_UIDS, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "./podSecurity";
import { RetainedVolumeClaim } from "./RetainedVolumeClaim";
import { kubernetesEnv } from "./secretEnv";

export interface FsbStatefulSetArgs {
  /** StatefulSet and Service name (the Docker container's name). */
  name: string;
  namespace: string;
  image: pulumi.Input<string>;
  firmTokens: Array<[firm: string, token: pulumi.Input<string>]>;
  signLatencyMs: number;
  /** The real box: a device plugin's resource or the host's device node, on the nodes the selector picks. */
  device?: KubernetesFsbDevice;
  size: { memoryMb: number; cpuMillis: number };
  storageClass?: string;
  storageGi: number;
  owner: Owner;
  /** Created after these (the namespace): Kubernetes refuses objects in a namespace that does not exist yet. */
  after?: pulumi.Resource[];
}

/**
 * A Firm Security Box on Kubernetes: a StatefulSet of one pod with its keys on a retained PVC (losing them
 * invalidates issued licenses), and a ClusterIP Service. The real box comes in by a device plugin's
 * resource (a limit of 1) or as a hostPath character device — the one hostPath lchost ever mounts — on
 * the nodes `nodeSelector` picks.
 */
export class FsbStatefulSet extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: FsbStatefulSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:FsbStatefulSet", name, {}, opts);
    const o = { parent: this, dependsOn: args.after ?? [] };
    const labels = workloadLabels(args.owner, "fsb", args.name, "fsb");
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
    const secretName = `${args.name}-env`;
    const { env, secretData } = kubernetesEnv(fsbEmulatorEnv({ signLatencyMs: args.signLatencyMs, firmTokens: args.firmTokens }), secretName);
    const secret = new k8s.core.v1.Secret(`${name}-env`, { metadata: meta(secretName), type: "Opaque", stringData: secretData }, o);
    const claim = new RetainedVolumeClaim(
      `${name}-keys`,
      {
        name: `keys-${args.name}-0`,
        namespace: args.namespace,
        storageClass: args.storageClass,
        storageGi: args.storageGi,
        holds: "fsb-keys",
        owner: args.owner,
        after: args.after,
      },
      o,
    );
    const device = args.device;
    const resources = resourcesOf(args.size);
    if (device?.resourceName) {
      (resources.limits as Record<string, string>)[device.resourceName] = "1";
      (resources.requests as Record<string, string>)[device.resourceName] = "1";
    }
    const probe = (failureThreshold: number) => ({ httpGet: { path: FSB_HEALTH.path, port: FSB_PORT }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold });
    new k8s.apps.v1.StatefulSet(
      name,
      {
        metadata: meta(args.name),
        spec: {
          serviceName: args.name,
          replicas: 1,
          selector: selectorOf(args.name),
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(IMAGE_UIDS.fsbEmulator),
              ...(device ? { nodeSelector: device.nodeSelector } : {}),
              containers: [
                {
                  name: "fsb",
                  image: args.image,
                  env,
                  ports: [{ name: "http", containerPort: FSB_PORT }],
                  readinessProbe: probe(2),
                  livenessProbe: probe(6),
                  resources,
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [
                    { name: "keys", mountPath: FSB_DEFAULTS.dataDir },
                    { name: "tmp", mountPath: "/tmp" },
                    ...(device?.hostPath ? [{ name: "fsb-device", mountPath: device.hostPath }] : []),
                  ],
                },
              ],
              volumes: [scratchVolume("tmp"), ...(device?.hostPath ? [{ name: "fsb-device", hostPath: { path: device.hostPath, type: "CharDevice" } }] : [])],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "keys", labels: { [LABEL.data]: "fsb-keys" } },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: `${args.storageGi}Gi` } },
              },
            },
          ],
        },
      },
      { parent: this, dependsOn: [...(args.after ?? []), secret, claim] },
    );
    new k8s.core.v1.Service(
      name,
      {
        metadata: meta(args.name),
        spec: { type: "ClusterIP", selector: selectorOf(args.name).matchLabels, ports: [{ name: "http", port: FSB_PORT, targetPort: FSB_PORT }] },
      },
      o,
    );
    this.url = pulumi.output(`http://${serviceDns(args.name, args.namespace)}:${FSB_PORT}`);
    this.registerOutputs({ url: this.url });
  }
}
