/**
 * `lchost fleet upgrade --target docker` on the real engine: a shared server and two Datacenter tenants
 * deployed by `lchost up --target docker` are upgraded to a second good License Central tag (one canary,
 * then the rest, each verified by an activation through the shared entry), then to a broken image that
 * starts healthy but answers 500: the canary fails verification and is rolled back (its former image
 * running, its stack file byte for byte as before), the other tenant is not touched, exit 3. An image the
 * engine lacks is refused before anything starts. Needs dockerd and npm run docker:images.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../cli/exitCodes";
import { dockerRunStateDir } from "../../cli/commands/migrateOnDocker";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { runLchost } from "../support/cliRun";
import { buildBrokenImage, removeImages, tagGoodImage } from "../support/upgradeImages";

jest.setTimeout(300_000);

const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const run = dockerUp || process.env.CI ? describe : describe.skip;
if (!dockerUp && !process.env.CI) process.stdout.write("docker-migration: skipped — `docker info` fails (start dockerd, then npm run docker:images)\n");

const SHARED = "upt-shared";
const TENANTS = ["upt-a", "upt-b"];
const STACKS = [SHARED, ...TENANTS];
const NEXT = "lchost/license-central:up-next";
const BROKEN = "lchost/license-central:up-broken";
const PORT = 46422; // grep-checked: used nowhere else in the repo
const docker = new DockerEngine();
let dir: string;

const stackFile = (s: string) => path.join(dir, `Pulumi.${s}.yaml`);
const lineOf = (tenant: string) => `lc-${tenant}-line-1`;

async function container(name: string): Promise<{ id: string; image: string; health: string }> {
  const info = await docker.ok("GET", `/containers/${name}/json`);
  return { id: info.Id, image: info.Config.Image, health: info.State.Health?.Status };
}

/**
 * The container as the engine reports it once its health check has run: the upgrade goes on as soon as the
 * container's own check passes (waitFor), which can be before the engine's next interval says "healthy".
 */
async function settled(name: string): Promise<{ id: string; image: string; health: string }> {
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 500))) {
    const c = await container(name);
    if (c.health !== "starting" || Date.now() > deadline) return c;
  }
}

async function removeEverything(): Promise<void> {
  const filter = encodeURIComponent(JSON.stringify({ name: ["lc-upt-"] }));
  const containers = (await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Names: string[] }>;
  for (const c of containers) await docker.request("DELETE", `/containers/${c.Names[0].slice(1)}?force=1&v=1`);
  for (const n of (await docker.ok("GET", `/networks?filters=${filter}`)) as Array<{ Name: string }>) await docker.request("DELETE", `/networks/${n.Name}`);
  const volumes = ((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [];
  for (const v of volumes) await docker.request("DELETE", `/volumes/${v.Name}`);
  for (const s of STACKS) fs.rmSync(path.join(dockerRunStateDir(), `${s}.json`), { force: true });
}

run("lchost fleet upgrade --target docker on the real engine", () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-upgrade-"));
    await removeEverything();
    tagGoodImage(NEXT);
    buildBrokenImage(BROKEN);
    fs.writeFileSync(
      stackFile(SHARED),
      `# the shared server of the upgrade test\nconfig:\n  lchost:role: shared-server\n  lchost:tenants: [${TENANTS.join(", ")}]\n  lchost:domain: upt.lchost.test\n  lchost:httpsPort: ${PORT}\n`,
    );
    for (const t of TENANTS)
      fs.writeFileSync(stackFile(t), `# tenant ${t}\nconfig:\n  lchost:customer: ${t}\n  lchost:edition: datacenter\n  lchost:sharedServer: ${SHARED}\n`);
    for (const s of STACKS) {
      const up = await runLchost("up", s, "--target", "docker", "--stacks-dir", dir);
      expect(up).toMatchObject({ code: 0, err: "" });
    }
  });
  afterAll(async () => {
    await removeEverything();
    removeImages([NEXT, BROKEN]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an image the engine lacks is refused naming --image, before anything starts", async () => {
    const before = await container(lineOf("upt-a"));
    const r = await runLchost("fleet", "upgrade", "--image", "lchost/license-central:up-no-such-tag", "--target", "docker", "--stacks-dir", dir);
    expect(r.code).toBe(EXIT.prerequisite);
    expect(r.err).toMatch(
      /--image: lchost\/license-central:up-no-such-tag is not on the Docker engine unix:\/\/\S+ of upt-a, upt-b: build or pull it there first; nothing was upgraded/,
    );
    expect(await container(lineOf("upt-a"))).toEqual(before);
  });

  test("to a second good tag with one canary: every tenant upgraded and verified, stack files and containers agree", async () => {
    const r = await runLchost("fleet", "upgrade", "--image", NEXT, "--canary", "1", "--target", "docker", "--stacks-dir", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain("canary upt-a: upgrading to lchost/license-central:up-next");
    expect(r.out.indexOf("upt-a: upgraded and verified")).toBeLessThan(r.out.indexOf("batch upt-b"));
    expect(r.out).toMatch(/upt-a +datacenter +upgraded +lchost\/license-central:up-next\n/);
    expect(r.out).toMatch(/upt-b +datacenter +upgraded +lchost\/license-central:up-next\n/);
    expect(r.out).toContain("2 upgraded to lchost/license-central:up-next, 0 rolled back, 0 rollback failed, 0 not touched");
    for (const t of TENANTS) {
      expect(await settled(lineOf(t))).toMatchObject({ image: NEXT, health: "healthy" });
      expect(fs.readFileSync(stackFile(t), "utf8")).toBe(
        `# tenant ${t}\nconfig:\n  lchost:customer: ${t}\n  lchost:edition: datacenter\n  lchost:sharedServer: ${SHARED}\n  lchost:image: ${NEXT}\n`,
      );
    }
  });

  test("to a broken image: the canary fails verification and is rolled back, the other tenant is not touched, exit 3", async () => {
    const canaryFile = fs.readFileSync(stackFile("upt-a"), "utf8");
    const otherFile = fs.readFileSync(stackFile("upt-b"), "utf8");
    const other = await settled(lineOf("upt-b"));
    const shared = await container(`lc-${SHARED}-entry`);
    const r = await runLchost("fleet", "upgrade", "--image", BROKEN, "--canary", "1", "--target", "docker", "--stacks-dir", dir);
    expect(r.code).toBe(EXIT.failure);
    expect(r.out).toContain(
      "upt-a: verification failed: the activation through upt-a.upt.lchost.test:46422 answered 500; rolling back to lchost/license-central:up-next",
    );
    expect(r.out).toContain("upt-a: rolled back to lchost/license-central:up-next and verified");
    expect(r.out).toMatch(
      /upt-a +datacenter +rolled-back +lchost\/license-central:up-next +the activation through upt-a\.upt\.lchost\.test:46422 answered 500\n/,
    );
    expect(r.out).toMatch(/upt-b +datacenter +pending +lchost\/license-central:up-next\n/);
    expect(r.out).toContain(
      "0 upgraded to lchost/license-central:up-broken, 1 rolled back, 0 rollback failed, 1 not touched (stopped: 1 failure(s) reached --max-failures)",
    );
    // the canary runs its former image again, from its former stack file; nothing else changed
    expect(await settled(lineOf("upt-a"))).toMatchObject({ image: NEXT, health: "healthy" });
    expect(fs.readFileSync(stackFile("upt-a"), "utf8")).toBe(canaryFile);
    expect(await container(lineOf("upt-b"))).toEqual(other);
    expect(fs.readFileSync(stackFile("upt-b"), "utf8")).toBe(otherFile);
    expect((await container(`lc-${SHARED}-entry`)).id).toBe(shared.id);
  });
});
