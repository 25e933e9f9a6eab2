/**
 * Stack files of a High Availability customer on hosts for the sandbox's hosts (sandbox/hosts/): the proofs
 * (test/e2e/sandboxHosts.test.ts, test/proofs/sandboxHostsGalera.test.ts), `npm run chaos` and bench:ha's host
 * figures. Addresses in <network>.<subnet>.0/24 (10.245 unless given; used nowhere else in the repository): hosts
 * .11, .12, .13, the VIP .100.
 */
import * as fs from "fs";
import * as path from "path";

export interface HostsStackOptions {
  customer: string;
  lines: number;
  /** 2 or 3 hosts (2: the arbitrator is the sandbox's, see hostsArbitrator). */
  hosts: number;
  /** Third octet of <network>.x.0/24. */
  subnet: number;
  /** The first two octets (default "10.245"). */
  network?: string;
  signLatencyMs: number;
}

export function hostsStackText(o: HostsStackOptions): string {
  const net = o.network ?? "10.245";
  const hosts = Array.from(
    { length: o.hosts },
    (_, i) => `    - { name: h${i + 1}, dockerHost: "unix:///var/run/docker.sock", address: ${net}.${o.subnet}.${11 + i} }`,
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
    // 2 hosts: the program needs the arbitrator's host too (the sandbox runs garbd there)
    ...(o.hosts === 2 ? [`  lchost:galeraArbitrator: { name: h3, dockerHost: "unix:///var/run/docker.sock", address: ${net}.${o.subnet}.13 }`] : []),
    "  lchost:balancer:",
    `    virtualIp: ${net}.${o.subnet}.100`,
    "  lchost:fsb:",
    "    mode: emulator",
    `    signLatencyMs: ${o.signLatencyMs}`,
    "  lchost:connection:",
    "    ipAllowList:",
    "      - 10.0.0.0/8",
    "",
  ].join("\n");
}

/** The arbitrator's host for a 2-host stack of hostsStackText (its lchost:galeraArbitrator). */
export function hostsArbitrator(subnet: number, network = "10.245"): { name: string; address: string } {
  return { name: "h3", address: `${network}.${subnet}.13` };
}

/** Writes the stack file into `dir` (Pulumi.<customer>.yaml) and returns its path. */
export function writeHostsStack(dir: string, o: HostsStackOptions): string {
  const file = path.join(dir, `Pulumi.${o.customer}.yaml`);
  fs.writeFileSync(file, hostsStackText(o));
  return file;
}
