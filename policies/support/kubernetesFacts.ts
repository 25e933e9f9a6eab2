/**
 * Reading the facts policies need out of planned Kubernetes objects (plain props, as the engine passes them).
 * Labels are those of components/kubernetes/objectLabels.ts.
 */
export const K8S = {
  namespace: "kubernetes:core/v1:Namespace",
  quota: "kubernetes:core/v1:ResourceQuota",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  claim: "kubernetes:core/v1:PersistentVolumeClaim",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  job: "kubernetes:batch/v1:Job",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

export const WORKLOAD_TYPES: readonly string[] = [K8S.deployment, K8S.statefulSet, K8S.job];

export const ROLE_LABEL = "lchost.dev/role";
export const EDITION_LABEL = "lchost.dev/edition";
export const TENANT_OF_LABEL = "lchost.dev/tenant-of";
/** The port HAProxy terminates TLS on in every gateway and entry pod. */
export const TLS_PORT = 8443;

export interface Workload {
  type: string;
  name: string;
  namespace: string;
  role?: string;
  replicas: number;
  pod: any;
  urn: string;
}

export const nameOf = (props: any): string => String(props?.metadata?.name ?? "");
export const namespaceOf = (props: any): string => String(props?.metadata?.namespace ?? "");
export const labelsOf = (props: any): Record<string, string> => props?.metadata?.labels ?? {};

export function workloadOf(type: string, props: any, urn: string): Workload | undefined {
  if (!WORKLOAD_TYPES.includes(type)) return undefined;
  const template = props?.spec?.template;
  return {
    type,
    name: nameOf(props),
    namespace: namespaceOf(props),
    role: template?.metadata?.labels?.[ROLE_LABEL] ?? labelsOf(props)[ROLE_LABEL],
    replicas: type === K8S.job ? 1 : Number(props?.spec?.replicas ?? 1),
    pod: template?.spec ?? {},
    urn,
  };
}

export function containersOf(pod: any): any[] {
  return [...(Array.isArray(pod?.initContainers) ? pod.initContainers : []), ...(Array.isArray(pod?.containers) ? pod.containers : [])];
}

/** Kubernetes quantities as the components write them: "512Mi", "2Gi", "500m", "1". */
export function memoryMb(q: unknown): number {
  const m = /^(\d+)(Mi|Gi)?$/.exec(String(q ?? ""));
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : m[2] === "Mi" ? 1 : 1 / (1024 * 1024));
}

export function cpuMillis(q: unknown): number {
  const m = /^(\d+)(m)?$/.exec(String(q ?? ""));
  if (!m) return NaN;
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Whether a pod anti-affinity term keeps the workload's pods on different hosts (required, by hostname). */
export function requiresDistinctHosts(pod: any): boolean {
  const terms: any[] = pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.some((t) => t?.topologyKey === "kubernetes.io/hostname");
}
