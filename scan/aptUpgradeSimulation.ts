/**
 * What `apt-get -s upgrade` would install from a security suite: its `Inst` lines, e.g.
 *   Inst libssl3 [3.0.11-1~deb12u1] (3.0.13-1~deb12u2 Debian-Security:12/stable-security [amd64])
 *   Inst libc6 [2.35-0ubuntu3.6] (2.35-0ubuntu3.8 Ubuntu:22.04/jammy-security [amd64]) []
 * Lines from other suites (point releases, updates) are not security fixes and are left out.
 */
export interface PendingSecurityUpdate {
  package: string;
  /** Installed version; absent when the upgrade pulls in a new package. */
  installed?: string;
  candidate: string;
  /** The suite, e.g. `Debian-Security:12/stable-security`. */
  suite: string;
}

const INST = /^Inst (\S+)(?: \[([^\]]+)\])? \((\S+) ([^[)]+?)(?: \[[^\]]*\])?\)/;

export function parseAptSimulation(output: string): PendingSecurityUpdate[] {
  const out: PendingSecurityUpdate[] = [];
  for (const line of output.split("\n")) {
    const m = INST.exec(line.trim());
    if (!m) continue;
    const suites = m[4].split(", ");
    const security = suites.find((s) => /security/i.test(s));
    if (!security) continue;
    out.push({ package: m[1], installed: m[2], candidate: m[3], suite: security });
  }
  return out;
}
