/**
 * The restricted Pod Security Standard, as every lchost pod sets it: non-root with a fixed UID (so the
 * kubelet can verify it), no privilege escalation, no capabilities, the runtime's seccomp profile and a
 * read-only root filesystem — what a process must write goes to an explicit emptyDir or PVC.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */

/** UIDs of the images' users (license-central, fsb-emulator, haproxy: 10001; MariaDB's mysql: 999, pinned in its Dockerfile). */
export const IMAGE_UIDS = { licenseCentral: 10001, fsbEmulator: 10001, haproxy: 10001, mariadb: 999 } as const;

/** Namespace labels: the API server refuses any pod that breaks the level (`privileged` only for a host device FSB). */
export function podSecurityLabels(level: "restricted" | "privileged"): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    // a privileged namespace still warns and audits against restricted, so what it lets through stays visible
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    // volumes (PVCs, emptyDirs, projected files) are group-owned by it, so the non-root process can use them
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** A writable scratch directory (memory-backed, bounded) for a read-only root filesystem. */
export function scratchVolume(name: string, sizeMb = 64) {
  return { name, emptyDir: { medium: "Memory", sizeLimit: `${sizeMb}Mi` } };
}
