/**
 * Issue 14 item 2 on the real Docker engine: two shared servers (each the gateway of one Datacenter tenant)
 * deployed the way `lchost up --target docker` does (planned offline, applied on the engine) with lchost:behindHostEntry and
 * their own lchost:httpsPort on one inventory host, then syncHostEntries: one entry container on the host's
 * network routes each tenant's server name to its shared server's gateway (that gateway's certificate
 * answers), an unknown server name is refused, an unchanged fleet is not reloaded, and removing one
 * customer reloads the entry while a client loop to the other sees no refused or failed connection.
 * Every name starts with fe- (the fleetentry prefix); ports are free ones on 127.0.0.1. Needs dockerd and
 * npm run docker:images; skipped outside CI without dockerd.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { HostEntryChange, syncHostEntries } from "../../fleet/syncHostEntries";
import { applyPlanInDocker } from "../../dockerRun/applyPlanInDocker";
import { loadStack } from "../../model/stackFile";
import { StackPlanner } from "../../planner/planWithReferences";
import { DockerRunDeployer } from "../../migration/dockerRunDeployer";
import { collectFleetStatus } from "../../fleet/fleetStatus";
import { editionFacts } from "../../model/catalog";
import { freePort } from "../../sandbox/freePort";

jest.setTimeout(90_000);

const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const run = dockerUp || process.env.CI ? describe : describe.skip;
if (!dockerUp && !process.env.CI) process.stdout.write("docker-migration: skipped — `docker info` fails (start dockerd, then npm run docker:images)\n");

const docker = new DockerEngine();
const ENTRY = "fe-entry-fe1";
const SERVERS = ["fe-a", "fe-b"];
const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fe-entry-"));
const stacksDir = path.join(root, "stacks");
const stateDir = path.join(root, "state");
let entryPort: number;

const writeStack = (name: string, text: string) => fs.writeFileSync(path.join(stacksDir, `Pulumi.${name}.yaml`), text);

/** A TLS handshake through the entry with a server name: the CN of the certificate that answered, or the error. */
function handshake(servername: string, timeoutMs = 10_000): Promise<{ cn?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: entryPort, servername, rejectUnauthorized: false });
    const done = (r: { cn?: string; error?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ error: "timeout" }), timeoutMs);
    socket.once("secureConnect", () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      done({ cn: Array.isArray(cn) ? cn[0] : cn });
    });
    socket.once("error", (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message }));
    socket.once("close", () => done({ error: "closed" }));
  });
}

/** An HTTP request over TLS through the entry: the status line the customer's gateway answered. */
async function statusLine(servername: string): Promise<string> {
  return (await response(servername)).split("\r\n")[0];
}

/** An HTTP request over TLS through the entry: the whole answer. */
function response(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: entryPort, servername, rejectUnauthorized: false }, () =>
      socket.write(`GET /depot/v1/info HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`),
    );
    let data = "";
    const timer = setTimeout(() => socket.destroy(new Error("timeout")), 15_000);
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.once("error", (e) => (clearTimeout(timer), reject(e)));
    socket.once("close", () => (clearTimeout(timer), resolve(data)));
  });
}

async function cleanUp(): Promise<void> {
  await docker.request("DELETE", `/containers/${ENTRY}?force=1`);
  for (const s of ["fea", ...SERVERS]) {
    // the stack's containers, networks and volumes, by name
    const filter = encodeURIComponent(JSON.stringify({ name: [`lc-${s}-`] }));
    for (const c of (await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Id: string }>)
      await docker.request("DELETE", `/containers/${c.Id}?force=1&v=1`);
    for (const n of (await docker.ok("GET", `/networks?filters=${filter}`)) as Array<{ Id: string }>) await docker.request("DELETE", `/networks/${n.Id}`);
    for (const v of ((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [])
      await docker.request("DELETE", `/volumes/${v.Name}`);
  }
}

const sync = (): Promise<HostEntryChange[]> =>
  syncHostEntries({ stacksDir, entryPort, containerPrefix: "fe-entry-", engineFor: () => docker, timeoutMs: 60_000 });

run("the per-host HTTPS entry deployed from the fleet on the real Docker engine", () => {
  beforeAll(async () => {
    const started = Date.now();
    const phase = (what: string) => process.stdout.write(`hostEntryOnDocker: ${what} after ${Math.round((Date.now() - started) / 1000)} s\n`);
    await cleanUp();
    fs.mkdirSync(path.join(root, "fleet"), { recursive: true });
    fs.mkdirSync(stacksDir);
    fs.writeFileSync(
      path.join(root, "fleet", "hosts.yaml"),
      "hosts:\n  - { name: fe1, dockerHost: 'unix:///var/run/docker.sock', address: 127.0.0.1, capacity: { memoryMb: 16384, cpuShares: 8192 } }\n",
    );
    entryPort = await freePort();
    const ports = [await freePort(), await freePort()];
    SERVERS.forEach((s, i) => {
      const tenant = s.replace("-", "");
      writeStack(
        s,
        `config:\n  lchost:role: shared-server\n  lchost:tenants: [${tenant}]\n  lchost:domain: ${s}.test\n  lchost:host: fe1\n  lchost:httpsPort: ${ports[i]}\n  lchost:behindHostEntry: true\n`,
      );
      writeStack(tenant, `config:\n  lchost:customer: ${tenant}\n  lchost:edition: datacenter\n  lchost:sharedServer: ${s}\n`);
    });
    // as `lchost up <stack> --target docker` does (DockerRunDeployer.up): the real program planned offline, the
    // plan applied on the engine — planned one after the other (Pulumi's mock runtime is one per process),
    // applied side by side (the machine is loaded: two MariaDB starting one after the other took > 90 s)
    const planner = new StackPlanner({ materialize: true });
    const plans = [];
    for (const s of SERVERS) plans.push(await planner.plan(loadStack(s, stacksDir)));
    phase("planned");
    await Promise.all(plans.map((p) => applyPlanInDocker(p, undefined, docker, { timeoutMs: 120_000 })));
    phase("shared servers up");
    // one customer deployed by `lchost up fea --target docker`'s deployer, against its shared server as recorded
    // in the state (what the deployer itself records): fleet status reads it from there
    fs.mkdirSync(stateDir);
    fs.writeFileSync(path.join(stateDir, "fe-a.json"), JSON.stringify(plans[0]), { mode: 0o600 });
    await new DockerRunDeployer({ stacksDir, stateDir, docker, timeoutMs: 120_000 }).up("fea");
    phase("tenant up");
  }, 300_000); // three deployments: 40 s at a load average of 10, over 150 s at 60 on 2 cores (see the phase lines)

  afterAll(async () => {
    await cleanUp();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("one entry on the host routes each customer's server name to its own gateway; an unknown name is refused", async () => {
    expect(await sync()).toEqual([{ host: "fe1", container: ENTRY, action: "created", customers: ["fea", "feb"] }]);
    // TLS is not terminated at the entry: each shared server's own certificate answers
    expect(await handshake("fea.fe-a.test")).toEqual({ cn: "fe-a.test" });
    expect(await handshake("feb.fe-b.test")).toEqual({ cn: "fe-b.test" });
    // and HTTP reaches the gateway behind the PROXY v2 header (no tenant line is deployed: the gateway answers itself)
    expect(await statusLine("fea.fe-a.test")).toMatch(/^HTTP\/1\.1 \d{3} /);
    const unknown = await handshake("nobody.fe-a.test");
    expect(unknown.cn).toBeUndefined();
    expect(unknown.error).toBeDefined();
    // the gateways publish on loopback only
    const published = await docker.ok("GET", `/containers/lc-fe-a-entry/json`);
    expect(Object.values(published.HostConfig.PortBindings).flat()).toEqual([expect.objectContaining({ HostIp: "127.0.0.1" })]);
  });

  test("an unchanged fleet leaves the entry alone", async () => {
    const before = await docker.ok("GET", `/containers/${ENTRY}/json`);
    expect(await sync()).toEqual([{ host: "fe1", container: ENTRY, action: "unchanged", customers: ["fea", "feb"] }]);
    const after = await docker.ok("GET", `/containers/${ENTRY}/json`);
    expect(after.Id).toBe(before.Id);
  });

  test("fleet status reads each customer from its deployment: the deployed one's image, ready line, usage and time; the other not deployed", async () => {
    const rows = await collectFleetStatus({ stacksDir, stateDir, timeoutMs: 20_000 });
    expect(rows.map((r) => [r.customer, r.state, r.hosts])).toEqual([
      ["fea", "deployed", ["fe1"]],
      ["feb", "not deployed", ["fe1"]],
    ]);
    const fea = rows[0];
    expect(fea).toMatchObject({ edition: "datacenter", images: ["lchost/license-central:dev"], lines: 1, readyLines: 1 });
    // License Central's own figures through its admin API: nothing used yet, the Datacenter edition's quotas (no web services: 0)
    const quotas = editionFacts("datacenter").quotas;
    expect(fea.usage).toEqual({
      month: expect.stringMatching(/^\d{4}-\d{2}$/),
      activations: 0,
      activationsQuota: quotas.activationsPerMonth,
      webServiceCalls: 0,
      webServiceCallsQuota: quotas.webServiceCallsPerMonth,
    });
    const line = await docker.ok("GET", "/containers/lc-fea-line-1/json");
    expect(fea.lastDeployment).toBe(new Date(line.Created).toISOString());
    // and the entry routes to its line: License Central itself answers (its own not-found body: the depot has no GET
    // route) through the entry, the PROXY hop and the shared server's gateway
    const answer = await response("fea.fe-a.test");
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 404 Not Found");
    expect(answer).toContain("no route GET /depot/v1/info");
  });

  test("removing a customer reloads the entry gracefully: the other customer's clients see no failed connection", async () => {
    fs.rmSync(path.join(stacksDir, "Pulumi.feb.yaml"));
    const outcomes = { ok: 0, failed: [] as string[] };
    let stop = false;
    // four clients in a loop, each a new connection and TLS handshake to fea through the entry
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const r = await handshake("fea.fe-a.test", 5000);
        if (r.cn === "fe-a.test") outcomes.ok++;
        else outcomes.failed.push(r.error ?? String(r.cn));
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const okBefore = outcomes.ok;
    const changes = await sync();
    const okAtReload = outcomes.ok;
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(clients);
    expect(changes).toEqual([{ host: "fe1", container: ENTRY, action: "reloaded", customers: ["fea"] }]);
    expect(outcomes.failed).toEqual([]);
    expect(okBefore).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(okAtReload); // still served after the reload
    const gone = await handshake("feb.fe-b.test");
    expect(gone.cn).toBeUndefined();
    expect(await handshake("fea.fe-a.test")).toEqual({ cn: "fe-a.test" });
  });
});
