/**
 * The Docker fleet for `lchost fleet up --target docker` (npm run docker:fleet-smoke, npm run bench:fleet):
 * a shared server, 6 Datacenter tenants, 2 Dedicated Servers and 1 High Availability customer — 10 stacks,
 * each with its own host port (lchost:httpsPort) until the per-host entry takes them all on one. Stack names
 * start with `frs-`, ports 42761-42770 (nothing else in the repository uses them). The CLI runs as a user
 * runs it: `node dist/cli/main.js fleet …`, each stack a child process of it.
 */
import { spawn } from "child_process";
import * as https from "https";
import * as fs from "fs";
import * as path from "path";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { packageRoot } from "../model/packageRoot";
import { removeDockerObjects } from "./migrationFixtures";

export const FLEET_PREFIX = "frs-";
const FIRST_PORT = 42761;

/** The stack-file lines of a customer on the shared FSB (its token a `secure:` key: LCHOST_CONFIG_SECRETS gives it). */
export const SHARED_FSB_LINES = [
  "  lchost:fsb:",
  "    mode: shared",
  "    sharedUrl: http://fsb.dc1.lchost.local:7070",
  "    tokenKey: fsbToken",
  "  lchost:fsbToken:",
  "    secure: v1:cXV4YmF6YmFyZm9v:ZXhhbXBsZS1jaXBoZXJ0ZXh0LW5vdC1hLXJlYWwtdG9rZW4=",
];

/**
 * The hosts of the fleet behind entries: three inventory hosts on this machine's one engine, each with its own
 * loopback address (the entry of each binds it; its gateways publish on 127.0.0.1, lchost:behindHostEntry).
 */
export const ENTRY_HOSTS = [1, 2, 3].map((i) => ({ name: `frs-h${i}`, address: `127.0.0.${i}` }));

/** fleet/hosts.yaml beside `stacksDir` (where every command looks for a stacks directory's inventory). */
export function writeEntryInventory(stacksDir: string): void {
  const file = path.join(path.dirname(stacksDir), "fleet", "hosts.yaml");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const hosts = ENTRY_HOSTS.map((h) =>
    [
      `  - name: ${h.name}`,
      "    dockerHost: unix:///var/run/docker.sock",
      `    address: ${h.address}`,
      "    capacity: { memoryMb: 16384, cpuShares: 8192 }",
    ].join("\n"),
  );
  fs.writeFileSync(file, ["hosts:", ...hosts, ""].join("\n"));
}

/**
 * Writes the 10 stack files; returns their names (shared server first). `behindEntries`: placed on the hosts of
 * writeEntryInventory (which it writes), each gateway behind its host's entry — the shared server and the
 * Dedicated Servers on the first host, the HA customer's balancer on the first two.
 */
export function writeDockerFleet(dir: string, tenants = 6, dedicated = 2, ha = 1, behindEntries = false): string[] {
  fs.mkdirSync(dir, { recursive: true });
  if (behindEntries) writeEntryInventory(dir);
  const placed = (host: string) => (behindEntries ? [`  lchost:host: ${host}`, "  lchost:behindHostEntry: true"] : []);
  let port = FIRST_PORT;
  const names: string[] = [];
  const write = (name: string, lines: string[]) => {
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), ["config:", ...lines, ""].join("\n"));
    names.push(name);
  };
  const shared = `${FLEET_PREFIX}shared`;
  const tenantNames = Array.from({ length: tenants }, (_, i) => `${FLEET_PREFIX}t${i + 1}`);
  write(shared, [
    "  lchost:role: shared-server",
    `  lchost:tenants: [${tenantNames.join(", ")}]`,
    "  lchost:domain: lchost.test",
    `  lchost:httpsPort: ${port++}`,
    ...placed(ENTRY_HOSTS[0].name),
  ]);
  for (const t of tenantNames)
    write(t, [
      `  lchost:customer: ${t}`,
      "  lchost:edition: datacenter",
      `  lchost:sharedServer: ${shared}`,
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${port++}`,
    ]);
  for (let i = 1; i <= dedicated; i++) {
    const d = `${FLEET_PREFIX}d${i}`;
    write(d, [
      `  lchost:customer: ${d}`,
      "  lchost:edition: dedicated",
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${port++}`,
      ...placed(ENTRY_HOSTS[0].name),
      "  lchost:connection:",
      // behind the entries the second one allows only a network the client is not in: its /ws/ must answer 403
      `    ipAllowList: [${behindEntries && i === 2 ? "10.99.0.0/16" : "127.0.0.0/8"}]`,
      ...SHARED_FSB_LINES,
    ]);
  }
  for (let i = 1; i <= ha; i++) {
    const h = `${FLEET_PREFIX}ha${i}`;
    write(h, [
      `  lchost:customer: ${h}`,
      "  lchost:edition: high-availability",
      "  lchost:lines: 2",
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${port++}`,
      // not behind the entries even then: an HA stack on lchost:hosts is deployed over several Docker engines (one
      // provider per host, docs/hosts.md), which this machine's one engine cannot stand in for; it keeps its own port
      "  lchost:connection:",
      "    ipAllowList: [127.0.0.0/8]",
    ]);
  }
  return names;
}

export interface FleetCommandResult {
  code: number | null;
  out: string;
  err: string;
  seconds: number;
  runId?: string;
}

/** `node dist/cli/main.js fleet <args>` (plain progress: not a terminal); its output echoed as it comes when `echo`. */
export function lchostFleet(args: string[], echo = true): Promise<FleetCommandResult> {
  const main = path.join(packageRoot(), "dist", "cli", "main.js");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "fleet", ...args], {
      env: { ...process.env, CI: "1", LCHOST_CONFIG_SECRETS: JSON.stringify({ fsbToken: "frs-fsb-token-0123456789abcdef" }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      err += d;
      if (echo) process.stderr.write(d);
    });
    child.once("error", reject);
    child.once("close", (code) =>
      resolve({ code, out, err, seconds: Math.round((performance.now() - started) / 100) / 10, runId: /^fleet \S+ (\S+?):/.exec(out)?.[1] }),
    );
  });
}

/** Every container, network and volume of the fleet, its .docker-run state and the given run records. */
export async function removeDockerFleet(names: string[], runIds: Array<string | undefined> = []): Promise<void> {
  await removeDockerObjects(new DockerEngine(), `lc-${FLEET_PREFIX}`);
  for (const n of names) fs.rmSync(path.join(packageRoot(), ".docker-run", `${n}.json`), { force: true });
  for (const id of runIds) if (id) fs.rmSync(path.join(packageRoot(), ".fleet", id), { recursive: true, force: true });
}

export interface EntryProbe {
  status: number;
  /** The names of the certificate the answer came with (its subject CN and DNS SANs). */
  certificateNames: string[];
}

/**
 * One HTTPS request through a host's entry by server name: the entry routes by SNI without terminating TLS, so
 * the certificate is the customer gateway's own — its names say which gateway answered.
 */
export function probeThroughEntry(entry: { address: string; port: number }, serverName: string, urlPath: string): Promise<EntryProbe> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: entry.address,
        port: entry.port,
        servername: serverName,
        path: urlPath,
        method: "GET",
        headers: { host: serverName },
        rejectUnauthorized: false,
        timeout: 15_000,
      },
      (res) => {
        const cert = (res.socket as import("tls").TLSSocket).getPeerCertificate();
        const sans = String(cert.subjectaltname ?? "")
          .split(",")
          .map((x) => x.trim().replace(/^DNS:/, ""))
          .filter(Boolean);
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, certificateNames: [String(cert.subject?.CN ?? ""), ...sans].filter(Boolean) }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${serverName} through ${entry.address}:${entry.port}: no answer in 15 s`)));
    req.on("error", reject);
    req.end();
  });
}
