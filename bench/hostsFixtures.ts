/**
 * Stack files of a High Availability customer on hosts for the sandbox's hosts (sandbox/hosts/): the proofs
 * (test/e2e/sandboxHosts.test.ts, test/proofs/sandboxHostsGalera.test.ts), `npm run chaos` and bench:ha's host
 * figures. Addresses in 10.245.<subnet>.0/24 (used nowhere else in the repository): hosts .11, .12, .13, the VIP .100.
 */
import * as fs from "fs";
import * as path from "path";

export interface HostsStackOptions {
  customer: string;
  lines: number;
  /** 2 or 3 hosts (2: the arbitrator is the sandbox's, see hostsArbitrator). */
  hosts: number;
  /** Third octet of 10.245.x.0/24. */
  subnet: number;
  signLatencyMs: number;
}

export function hostsStackText(o: HostsStackOptions): string {
  const hosts = Array.from(
    { length: o.hosts },
    (_, i) => `    - { name: h${i + 1}, dockerHost: "unix:///var/run/docker.sock", address: 10.245.${o.subnet}.${11 + i} }`,
  );
  return [
    `# A High Availability customer on ${o.hosts} hosts (bench/hostsFixtures.ts).`,
    "config:",
    `  lchost:customer: ${o.customer}`,
    "  lchost:edition: high-availability",
    `  lchost:lines: ${o.lines}`,
    "  lchost:domain: lchost.local",
    "  lchost:quotaMode: soft",
    "  lchost:hosts:",
    ...hosts,
    "  lchost:balancer:",
    `    virtualIp: 10.245.${o.subnet}.100`,
    "  lchost:fsb:",
    "    mode: emulator",
    `    signLatencyMs: ${o.signLatencyMs}`,
    "  lchost:connection:",
    "    ipAllowList:",
    "      - 10.0.0.0/8",
    "",
  ].join("\n");
}

/** The arbitrator's host for a 2-host stack of hostsStackText. */
export function hostsArbitrator(subnet: number): { name: string; address: string } {
  return { name: "h3", address: `10.245.${subnet}.13` };
}

/** Writes the stack file into `dir` (Pulumi.<customer>.yaml) and returns its path. */
export function writeHostsStack(dir: string, o: HostsStackOptions): string {
  const file = path.join(dir, `Pulumi.${o.customer}.yaml`);
  fs.writeFileSync(file, hostsStackText(o));
  return file;
}
