/**
 * `lchost fleet up|destroy --target docker` on the real Docker engine, through the built CLI as a user runs it
 * (each stack is a child `node dist/cli/main.js up <stack>`): a shared server with a broken balancer image
 * fails alone — its tenant is skipped naming it, the Dedicated Server beside them succeeds; after the image
 * name is fixed `fleet up --resume <run-id>` runs only the shared server and its tenant; `fleet destroy --yes`
 * removes every container and network and keeps the database volumes. Needs dockerd, npm run docker:images and
 * a build (dist/). Stacks frt-*, host ports 42751-42753 (nothing else in the repository uses them).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../cli/exitCodes";
import { dockerRunStateDir } from "../../cli/commands/migrateOnDocker";
import { fleetRunsDir } from "../../cli/commands/fleetRun";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { RunRecord } from "../../fleet/run/runRecord";
import { packageRoot } from "../../model/packageRoot";
import { SHARED_FSB_LINES } from "../../bench/fleetRunFixtures";

// three ups, a resume and a destroy of real stacks: about 60 s on a quiet machine, several minutes at load 20
jest.setTimeout(600_000);

const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const run = dockerUp || process.env.CI ? describe : describe.skip;
if (!dockerUp && !process.env.CI) process.stdout.write("docker-migration: skipped — `docker info` fails (start dockerd, then npm run docker:images)\n");

const SHARED = "frt-shared";
const TENANT = "frt-a";
const DEDICATED = "frt-d";
const STACKS = [SHARED, TENANT, DEDICATED];
const PREFIX = "lc-frt-";
const docker = new DockerEngine();
const main = path.join(packageRoot(), "dist", "cli", "main.js");
let dir: string;
const runIds: string[] = [];

function lchost(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, CI: "1", LCHOST_CONFIG_SECRETS: JSON.stringify({ fsbToken: "frt-fsb-token-0123456789abcdef" }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

async function onEngine(): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const filter = encodeURIComponent(JSON.stringify({ name: [PREFIX] }));
  const containers = ((await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Names: string[] }>).map((c) => c.Names[0].slice(1));
  const networks = ((await docker.ok("GET", `/networks?filters=${filter}`)) as Array<{ Name: string }>).map((n) => n.Name);
  const volumes = (((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? []).map((v) => v.Name);
  return { containers: containers.sort(), networks: networks.sort(), volumes: volumes.sort() };
}

async function removeEverything(): Promise<void> {
  const e = await onEngine();
  for (const c of e.containers) await docker.request("DELETE", `/containers/${c}?force=1&v=1`);
  for (const n of e.networks) await docker.request("DELETE", `/networks/${n}`);
  for (const v of e.volumes) await docker.request("DELETE", `/volumes/${v}`);
  for (const s of STACKS) fs.rmSync(path.join(dockerRunStateDir(), `${s}.json`), { force: true });
}

const writeShared = (balancerImage: string) =>
  fs.writeFileSync(
    path.join(dir, `Pulumi.${SHARED}.yaml`),
    `config:\n  lchost:role: shared-server\n  lchost:tenants: [${TENANT}]\n  lchost:domain: lchost.test\n  lchost:httpsPort: 42751\n  lchost:images:\n    balancer: ${balancerImage}\n`,
  );

const record = (runId: string): RunRecord => JSON.parse(fs.readFileSync(path.join(fleetRunsDir(), runId, "run.json"), "utf8"));
const byStack = (r: RunRecord) => Object.fromEntries(r.stacks.map((s) => [s.name, { status: s.status, attempts: s.attempts, reason: s.reason }]));

run("lchost fleet up|destroy --target docker on the real engine", () => {
  beforeAll(async () => {
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
    await removeEverything();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleetrun-"));
    writeShared("lchost/haproxy:no-such-tag");
    fs.writeFileSync(
      path.join(dir, `Pulumi.${TENANT}.yaml`),
      `config:\n  lchost:customer: ${TENANT}\n  lchost:edition: datacenter\n  lchost:sharedServer: ${SHARED}\n  lchost:domain: lchost.test\n  lchost:httpsPort: 42752\n`,
    );
    fs.writeFileSync(
      path.join(dir, `Pulumi.${DEDICATED}.yaml`),
      [
        "config:",
        `  lchost:customer: ${DEDICATED}`,
        "  lchost:edition: dedicated",
        "  lchost:domain: lchost.test",
        "  lchost:httpsPort: 42753",
        "  lchost:connection:",
        "    ipAllowList: [127.0.0.0/8]",
        ...SHARED_FSB_LINES,
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await removeEverything();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    for (const id of runIds) fs.rmSync(path.join(fleetRunsDir(), id), { recursive: true, force: true });
  });

  test("a broken image fails its stack alone (its tenant skipped), --resume runs only what did not succeed, destroy keeps the volumes", async () => {
    const first = await lchost("fleet", "up", "--target", "docker", "--stacks-dir", dir, "--concurrency", "2");
    const runId = /^fleet up (\S+):/.exec(first.out)?.[1];
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    runIds.push(runId!);
    expect({ code: first.code, err: first.err }).toEqual({ code: EXIT.failure, err: "" });
    expect(first.out).toMatch(new RegExp(`\\] ${SHARED}: failed after [\\d.]+s: image lchost/haproxy:no-such-tag not on the Docker engine`));
    expect(first.out).toContain(`] ${TENANT}: skipped (dependency failed: ${SHARED})`);
    expect(first.out).toMatch(new RegExp(`\\] ${DEDICATED}: succeeded in`));
    expect(first.out).toContain(`fleet up: 1 of 3 stack(s) succeeded; failed: ${SHARED}; skipped: ${TENANT}`);
    expect(first.out).toContain(`run again what did not succeed: lchost fleet up --resume ${runId}`);
    expect(byStack(record(runId!))).toEqual({
      [SHARED]: { status: "failed", attempts: 1, reason: expect.stringMatching(/^image lchost\/haproxy:no-such-tag not on the Docker engine .*\(exit 4\)$/) },
      [TENANT]: { status: "skipped", attempts: 0, reason: `dependency failed: ${SHARED}` },
      [DEDICATED]: { status: "succeeded", attempts: 1 },
    });
    expect(fs.readFileSync(path.join(fleetRunsDir(), runId!, `${SHARED}.log`), "utf8")).toMatch(
      /lchost up: image lchost\/haproxy:no-such-tag not on the Docker engine/,
    );
    expect((await onEngine()).containers.filter((c) => c.startsWith(`lc-${SHARED}`))).toEqual([]);

    writeShared("lchost/haproxy:dev");
    const resumed = await lchost("fleet", "up", "--resume", runId!);
    expect({ code: resumed.code, err: resumed.err }).toEqual({ code: 0, err: "" });
    expect(resumed.out).toContain(`(attempt 2: 1 stack(s) succeeded earlier, not run again): 2 stack(s) to run`);
    expect(resumed.out).not.toContain(`${DEDICATED}: started`);
    expect(resumed.out).toMatch(new RegExp(`${DEDICATED} +dedicated +- +succeeded \\(earlier attempt\\)`));
    expect(resumed.out.indexOf(`${SHARED}: succeeded`)).toBeLessThan(resumed.out.indexOf(`${TENANT}: started`));
    expect(byStack(record(runId!))).toEqual({
      [SHARED]: { status: "succeeded", attempts: 2 },
      [TENANT]: { status: "succeeded", attempts: 1 },
      [DEDICATED]: { status: "succeeded", attempts: 1 },
    });
    const deployed = await onEngine();
    for (const s of STACKS) expect(deployed.containers.some((c) => c.startsWith(`lc-${s}-`))).toBe(true);

    const destroy = await lchost("fleet", "destroy", "--yes", "--target", "docker", "--stacks-dir", dir);
    runIds.push(/^fleet destroy (\S+):/.exec(destroy.out)?.[1] ?? "none");
    expect({ code: destroy.code, err: destroy.err }).toEqual({ code: 0, err: "" });
    // the tenant's schema lives on the shared server: the tenant goes first
    expect(destroy.out.indexOf(`${TENANT}: succeeded`)).toBeLessThan(destroy.out.indexOf(`${SHARED}: started`));
    expect(await onEngine()).toEqual({ containers: [], networks: [], volumes: deployed.volumes });
    expect(deployed.volumes).toEqual(expect.arrayContaining([`lc-${SHARED}-db-data`]));
  });
});
