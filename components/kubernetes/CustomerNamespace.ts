import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceQuota, PodShape } from "../../model/kubernetesResources";
import { Owner } from "./objectLabels";
import { podSecurityLabels } from "./podSecurity";

export interface CustomerNamespaceArgs {
  name: string;
  /** Customer and edition (or shared server) labels; a tenant's namespace also carries lchost.dev/tenant-of. */
  labels: Owner;
  quota: NamespaceQuota;
  /** The namespace's pods: the LimitRange allows none larger than the largest. */
  pods: PodShape[];
  /** `privileged` only when the FSB box comes in as a host device (restricted forbids hostPath). */
  podSecurity: "restricted" | "privileged";
}

/** A customer's (or the shared server's) namespace, with the restricted Pod Security label, a ResourceQuota and a LimitRange. */
export class CustomerNamespace extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: CustomerNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lchost:kubernetes:CustomerNamespace", name, {}, opts);
    const o = { parent: this };
    this.namespace = new k8s.core.v1.Namespace(name, { metadata: { name: args.name, labels: { ...args.labels, ...podSecurityLabels(args.podSecurity) } } }, o);
    const inNs = { parent: this, dependsOn: [this.namespace] };
    const q = args.quota;
    const amounts = { cpu: `${q.cpuMillis}m`, memory: `${q.memoryMb}Mi` };
    new k8s.core.v1.ResourceQuota(
      name,
      {
        metadata: { name: "lchost-quota", namespace: args.name, labels: args.labels },
        spec: {
          hard: {
            "requests.cpu": amounts.cpu,
            "requests.memory": amounts.memory,
            "limits.cpu": amounts.cpu,
            "limits.memory": amounts.memory,
            pods: String(q.pods),
            // nothing published but the gateway's one Service
            "services.loadbalancers": "1",
            "services.nodeports": "1",
          },
        },
      },
      inNs,
    );
    const largest = args.pods.reduce((m, p) => ({ memoryMb: Math.max(m.memoryMb, p.memoryMb), cpuMillis: Math.max(m.cpuMillis, p.cpuMillis) }), {
      memoryMb: 0,
      cpuMillis: 0,
    });
    const smallest = args.pods.reduce((m, p) => (p.memoryMb < m.memoryMb ? p : m), args.pods[0]);
    new k8s.core.v1.LimitRange(
      name,
      {
        metadata: { name: "lchost-limits", namespace: args.name, labels: args.labels },
        spec: {
          limits: [
            {
              type: "Container",
              max: { cpu: `${largest.cpuMillis}m`, memory: `${largest.memoryMb}Mi` },
              default: { cpu: `${smallest.cpuMillis}m`, memory: `${smallest.memoryMb}Mi` },
              defaultRequest: { cpu: `${smallest.cpuMillis}m`, memory: `${smallest.memoryMb}Mi` },
            },
          ],
        },
      },
      inNs,
    );
    this.name = this.namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
