import { editionFacts, EditionId } from "./catalog";

/**
 * What a customer's Kubernetes namespace may use, derived from the edition catalog (the one source of the
 * sizes): every pod's requests equal its limits, and the namespace's ResourceQuota is their sum plus room for
 * one rolling-update surge pod. The components size their pods from here and the quota policy recomputes
 * the quota from here, so a pod that grows without the catalog is caught.
 */
export interface PodShape {
  role: "license-central" | "database" | "fsb" | "https-entry-point" | "sql-job";
  memoryMb: number;
  cpuMillis: number;
  replicas: number;
}

/** Docker's cpuShares are relative weights with 1024 = one CPU's share; on Kubernetes the same number is cores. */
export function cpuMillisOfShares(cpuShares: number): number {
  return Math.round((cpuShares * 1000) / 1024);
}

/** Containers the catalog does not size per edition: the same figures as the Docker components (256 MB, 512 shares). */
export const FIXED_POD_SIZES = {
  fsb: { memoryMb: 256, cpuMillis: cpuMillisOfShares(512) },
  gateway: { memoryMb: 256, cpuMillis: cpuMillisOfShares(512) },
  sqlJob: { memoryMb: 128, cpuMillis: cpuMillisOfShares(128) },
  /** The shared server's database (Docker: 2048 MB, 1024 shares). */
  sharedDatabase: { memoryMb: 2048, cpuMillis: cpuMillisOfShares(1024) },
} as const;

/** HA gateways run two replicas on different nodes; every other edition one. */
export function gatewayReplicas(edition: EditionId | "shared-server"): number {
  return edition !== "shared-server" && editionFacts(edition).availabilityPercent >= 99.9 ? 2 : 1;
}

/** The pods of a customer with a server of its own (Dedicated, High Performance, High Availability). */
export function customerPodShapes(edition: EditionId, lines: number): PodShape[] {
  const facts = editionFacts(edition);
  const own = { memoryMb: facts.resources.memoryMb, cpuMillis: cpuMillisOfShares(facts.resources.cpuShares) };
  if (facts.includes.sharedServer) {
    return [
      { role: "license-central", ...own, replicas: 1 },
      { role: "sql-job", ...FIXED_POD_SIZES.sqlJob, replicas: 1 },
    ];
  }
  const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
  return [
    { role: "license-central", ...own, replicas: lines },
    { role: "database", ...own, replicas: nodes },
    ...(facts.includes.dedicatedFsb ? [{ role: "fsb" as const, ...FIXED_POD_SIZES.fsb, replicas: lines }] : []),
    { role: "https-entry-point", ...FIXED_POD_SIZES.gateway, replicas: gatewayReplicas(edition) },
  ];
}

/** The shared server's own pods (database, FSB, entry point). */
export function sharedServerPodShapes(): PodShape[] {
  return [
    { role: "database", ...FIXED_POD_SIZES.sharedDatabase, replicas: 1 },
    { role: "fsb", ...FIXED_POD_SIZES.fsb, replicas: 1 },
    { role: "https-entry-point", ...FIXED_POD_SIZES.gateway, replicas: 1 },
  ];
}

export interface NamespaceQuota {
  memoryMb: number;
  cpuMillis: number;
  pods: number;
}

/** Sum of every pod's limits, plus the largest pod once (a rolling update's surge pod). */
export function namespaceQuota(shapes: PodShape[]): NamespaceQuota {
  const largest = shapes.reduce((m, s) => (s.memoryMb > m.memoryMb ? s : m), shapes[0]);
  return {
    memoryMb: shapes.reduce((n, s) => n + s.memoryMb * s.replicas, 0) + largest.memoryMb,
    cpuMillis: shapes.reduce((n, s) => n + s.cpuMillis * s.replicas, 0) + largest.cpuMillis,
    pods: shapes.reduce((n, s) => n + s.replicas, 0) + 1,
  };
}

/** Requested sizes of the retained volumes (PVCs): a database node's data and an FSB's keys. */
export const VOLUME_SIZES_GI = { database: 20, sharedDatabase: 50, fsbKeys: 1 } as const;
