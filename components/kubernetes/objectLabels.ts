import type { PodShape } from "../../model/kubernetesResources";

/**
 * Labels of every lchost object on Kubernetes. `app.kubernetes.io/instance` selects one workload's pods;
 * `lchost.dev/role` is what network policies and the policy pack read (the Docker labels' lchost.role).
 */
export const LABEL = {
  instance: "app.kubernetes.io/instance",
  name: "app.kubernetes.io/name",
  partOf: "app.kubernetes.io/part-of",
  role: "lchost.dev/role",
  customer: "lchost.dev/customer",
  edition: "lchost.dev/edition",
  sharedServer: "lchost.dev/shared-server",
  /** On a tenant's namespace: the shared server it is a tenant of (the shared server's policies admit it by this). */
  tenantOf: "lchost.dev/tenant-of",
  /** On a PVC: what it holds (database, fsb-keys). */
  data: "lchost.dev/data",
} as const;

export type Role = PodShape["role"];

/** Owner labels (customer + edition, or shared server) in the Kubernetes spelling. */
export type Owner = Record<string, string>;

export function ownerLabels(owner: { customer?: string; edition?: string; sharedServer?: string }): Owner {
  return {
    [LABEL.partOf]: "lchost",
    ...(owner.customer ? { [LABEL.customer]: owner.customer } : {}),
    ...(owner.edition ? { [LABEL.edition]: owner.edition } : {}),
    ...(owner.sharedServer ? { [LABEL.sharedServer]: owner.sharedServer } : {}),
  };
}

/** Labels of a workload's pods; the selector is the instance label alone. */
export function workloadLabels(owner: Owner, role: Role, instance: string, app: string): Record<string, string> {
  return { ...owner, [LABEL.role]: role, [LABEL.instance]: instance, [LABEL.name]: app };
}

export function selectorOf(instance: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [LABEL.instance]: instance } };
}

/** Requests equal to limits (Guaranteed QoS): what the quota counts is what the pod gets. */
export function resourcesOf(size: { memoryMb: number; cpuMillis: number }) {
  const r = { memory: `${size.memoryMb}Mi`, cpu: `${size.cpuMillis}m` };
  return { requests: r, limits: r };
}

/** In-cluster DNS name of a Service (or of a StatefulSet pod behind a headless Service: `<pod>.<service>`). */
export function serviceDns(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}
