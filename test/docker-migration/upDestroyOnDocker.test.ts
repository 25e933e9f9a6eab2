import { runLchost } from "../support/cliRun";
/**
 * `lchost up|destroy <stack> --target docker` through the CLI on the real Docker engine: a shared server
 * (MariaDB with its data volume, FSB emulator, HAProxy) is deployed, destroyed with its volume kept,
 * deployed again on the kept volume, and destroyed with --delete-data; an image the engine lacks is refused
 * before anything exists. Needs dockerd and npm run docker:images; skipped outside CI without dockerd.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../cli/exitCodes";
import { dockerRunStateDir } from "../../cli/commands/migrateOnDocker";
import { DockerEngine } from "../../dockerRun/dockerEngine";

jest.setTimeout(300_000);

const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const run = dockerUp || process.env.CI ? describe : describe.skip;
if (!dockerUp && !process.env.CI) process.stdout.write("docker-migration: skipped — `docker info` fails (start dockerd, then npm run docker:images)\n");

const STACK = "ddes-shared";
const PREFIX = `lc-${STACK}`; // every container, network and volume of the stack starts with it
const docker = new DockerEngine();
let dir: string;

const cli = runLchost;

/** The stack's containers, networks and volumes on the engine, by name. */
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
  fs.rmSync(path.join(dockerRunStateDir(), `${STACK}.json`), { force: true });
}

const writeStack = (balancerImage: string) =>
  fs.writeFileSync(
    path.join(dir, `Pulumi.${STACK}.yaml`),
    `config:\n  lchost:role: shared-server\n  lchost:tenants: [ddes]\n  lchost:domain: lchost.test\n  lchost:httpsPort: 18471\n  lchost:images:\n    balancer: ${balancerImage}\n`,
  );

run("lchost up|destroy --target docker on the real engine", () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-updestroy-"));
    await removeEverything();
  });
  afterAll(async () => {
    await removeEverything();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an image the engine lacks is refused before anything is created", async () => {
    writeStack("lchost/haproxy:no-such-tag");
    const r = await cli("up", STACK, "--target", "docker", "--stacks-dir", dir);
    expect(r.code).toBe(EXIT.prerequisite);
    expect(r.err).toMatch(
      /^lchost up: image lchost\/haproxy:no-such-tag not on the Docker engine unix:\/\/.*: build lchost's images with 'npm run docker:images'/,
    );
    expect(await onEngine()).toEqual({ containers: [], networks: [], volumes: [] });
    expect(fs.existsSync(path.join(dockerRunStateDir(), `${STACK}.json`))).toBe(false);
  });

  test("destroy keeps the database volume; up again runs on it; destroy --delete-data removes it", async () => {
    writeStack("lchost/haproxy:dev");
    const up = await cli("up", STACK, "--target", "docker", "--stacks-dir", dir);
    expect(up).toMatchObject({ code: 0, err: "" });
    const deployed = await onEngine();
    expect(deployed.containers.length).toBeGreaterThanOrEqual(3);
    expect(deployed.volumes).toContain(`${PREFIX}-db-data`); // and the FSB's key volume

    const kept = await cli("destroy", STACK, "--target", "docker", "--stacks-dir", dir, "--yes");
    expect(kept.code).toBe(0);
    expect(kept.out).toContain(`destroy (docker): ${STACK}: removed ${deployed.containers.length} container(s), ${deployed.networks.length} network(s)`);
    expect(kept.out).toMatch(
      new RegExp(`data kept: volume\\(s\\) .*${PREFIX}-db-data.* \\(lchost destroy ${STACK} --target docker --delete-data removes them\\)`),
    );
    expect(await onEngine()).toEqual({ containers: [], networks: [], volumes: deployed.volumes });

    expect((await cli("up", STACK, "--target", "docker", "--stacks-dir", dir)).code).toBe(0);
    const gone = await cli("destroy", STACK, "--target", "docker", "--stacks-dir", dir, "--yes", "--delete-data");
    expect(gone.code).toBe(0);
    expect(gone.out).toMatch(new RegExp(`data deleted \\(--delete-data\\): volume\\(s\\) .*${PREFIX}-db-data`));
    expect(await onEngine()).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
