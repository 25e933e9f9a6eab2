/**
 * A Datacenter tenant whose database setup job fails must fail the deployment, on the real Docker engine:
 * the shared server is deployed (DockerRunDeployer: the program planned with real secrets, applied through the
 * Engine API as the Docker provider would), then its provisioning account's password is changed behind the
 * program's back, so the tenant's SQL job is refused by the real MariaDB. The tenant's `up` must fail naming
 * the job and its exit code, and its License Central line must never be created. Needs dockerd and
 * `npm run docker:images`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { dockerExec } from "../../dockerRun/dockerExec";
import { DockerRunDeployer } from "../../migration/dockerRunDeployer";

jest.setTimeout(300_000);

const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const run = dockerUp || process.env.CI ? describe : describe.skip;

const CUSTOMER = "djob";
const SHARED = "djob-shared";
const PREFIX = `lc-${CUSTOMER}`;
const docker = new DockerEngine();
let dir: string;

async function removeEverything(): Promise<void> {
  const filter = encodeURIComponent(JSON.stringify({ name: [PREFIX] }));
  const containers = (await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Names: string[] }>;
  for (const c of containers) await docker.request("DELETE", `/containers/${c.Names[0].slice(1)}?force=1&v=1`);
  for (const n of (await docker.ok("GET", `/networks?filters=${filter}`)) as Array<{ Name: string }>) await docker.request("DELETE", `/networks/${n.Name}`);
  const vols = ((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [];
  for (const v of vols) await docker.request("DELETE", `/volumes/${v.Name}`);
}

async function containerNames(): Promise<string[]> {
  const filter = encodeURIComponent(JSON.stringify({ name: [PREFIX] }));
  return ((await docker.ok("GET", `/containers/json?all=1&filters=${filter}`)) as Array<{ Names: string[] }>).map((c) => c.Names[0].slice(1)).sort();
}

run("a Datacenter tenant's failing database setup on the real Docker engine", () => {
  beforeAll(async () => {
    await removeEverything();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-tenant-setup-"));
    fs.writeFileSync(
      path.join(dir, `Pulumi.${SHARED}.yaml`),
      `config:\n  lchost:role: shared-server\n  lchost:tenants: [${CUSTOMER}]\n  lchost:domain: lchost.test\n  lchost:httpsPort: 18471\n`,
    );
    fs.writeFileSync(
      path.join(dir, `Pulumi.${CUSTOMER}.yaml`),
      `config:\n  lchost:customer: ${CUSTOMER}\n  lchost:edition: datacenter\n  lchost:sharedServer: ${SHARED}\n  lchost:domain: lchost.test\n  lchost:httpsPort: 18472\n`,
    );
  });

  afterAll(async () => {
    await removeEverything();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails the tenant's deployment naming the job and its exit code, and never creates its License Central line", async () => {
    const deployer = new DockerRunDeployer({ stacksDir: dir, docker });
    await deployer.up(SHARED);
    // the provisioning account no longer has the password the program holds for it
    await dockerExec(docker, `${PREFIX}-shared-db`, ["mariadb", "-e", "ALTER USER 'lchost_provisioner'@'%' IDENTIFIED BY 'changed-behind-the-programs-back'"]);
    const err = await deployer.up(CUSTOMER).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/job lc-djob-line-1-db-setup exited with 1/);
    expect(err!.message).toMatch(/Access denied for user 'lchost_provisioner'/);
    const left = await containerNames();
    expect(left).not.toContain("lc-djob-line-1");
    const schemas = await dockerExec(docker, `${PREFIX}-shared-db`, ["mariadb", "-N", "-e", "SHOW DATABASES LIKE 'lc\\_djob'"]);
    expect(schemas.stdout.trim()).toBe("");
  });
});
