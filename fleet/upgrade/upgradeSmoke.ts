/**
 * npm run docker:upgrade-smoke — a High Availability customer (2 lines, 3-node Galera cluster) deployed on
 * the real Docker engine is upgraded to a second License Central tag line by line (drain, replace, ready)
 * while client loops activate through its balancer on new connections: every request must answer 2xx.
 * Not in CI: the cluster alone takes longer to deploy than a test may on a loaded 2-core machine.
 * Resources: stack `up-ha-smoke` (containers, networks and volumes `lc-up-ha-smoke-…`), port 46423, the tag
 * lchost/license-central:up-next (made from :dev, removed at the end); state in a temporary directory.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerRunDeployer, toStackOutputs } from "../../migration/dockerRunDeployer";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { activateThroughEntry, createTicket } from "./probeActivation";
import { planWaves, renderUpgradeTable, runRollingUpgrade } from "./rollingUpgrade";
import { DockerUpgradeSteps } from "./upgradeOnDocker";

const STACK = "up-ha-smoke";
const NEXT = "lchost/license-central:up-next";
const CLIENTS = 3;

async function main(): Promise<number> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-upgrade-smoke-"));
  const dir = path.join(scratch, "stacks");
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, `Pulumi.${STACK}.yaml`),
    [
      "config:",
      `  lchost:customer: ${STACK}`,
      "  lchost:edition: high-availability",
      "  lchost:lines: 2",
      "  lchost:domain: up.lchost.test",
      "  lchost:httpsPort: 46423",
      "  lchost:connection:",
      "    ipAllowList: [127.0.0.1/32]",
      "",
    ].join("\n"),
  );
  const log = (s: string) => console.log(`  ${s}`);
  const deployer = new DockerRunDeployer({ stacksDir: dir, stateDir: path.join(scratch, "state"), log });
  const docker = new DockerEngine();
  let tagged = false;
  try {
    execFileSync("docker", ["tag", "lchost/license-central:dev", NEXT]);
    tagged = true;
    const t0 = Date.now();
    await deployer.up(STACK);
    console.log(`deployed ${STACK} (2 lines, Galera) in ${Math.round((Date.now() - t0) / 1000)} s`);
    const outputs = toStackOutputs(deployer.deployedPlan(STACK)!.outputs);
    const depot = String((outputs.endpoints.value as { depot: string }).depot);
    const token = String(outputs.adminToken.value);
    const line1 = (outputs.migration.value as { lineContainers: string[] }).lineContainers[0];
    const tickets = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => createTicket(docker, line1, token, `up-smoke-${Date.now()}-${i}`)));

    // each client activates its ticket again and again (a replayed activation: through the balancer to a line and its database)
    let running = true;
    const results = { ok: 0, failed: 0, failures: [] as string[] };
    const client = async (i: number) => {
      while (running) {
        try {
          const status = await activateThroughEntry(docker, depot, tickets[i], `up-smoke-client-${i}`, 20_000);
          if (status >= 200 && status < 300) results.ok++;
          else {
            results.failed++;
            results.failures.push(`HTTP ${status}`);
          }
        } catch (e) {
          results.failed++;
          results.failures.push((e as Error).message);
        }
      }
    };
    const loops = Array.from({ length: CLIENTS }, (_, i) => client(i));
    await new Promise((r) => setTimeout(r, 2000));
    const before = results.ok;
    const steps = new DockerUpgradeSteps({ stacksDir: dir, deployer, log });
    const t1 = Date.now();
    const result = await runRollingUpgrade(
      planWaves([{ stack: STACK, customer: STACK, edition: "high-availability" }], { canary: 1, batch: 1 }),
      NEXT,
      1,
      steps,
    );
    const took = Math.round((Date.now() - t1) / 1000);
    await new Promise((r) => setTimeout(r, 1000));
    running = false;
    await Promise.all(loops);
    console.log(renderUpgradeTable(result, NEXT));
    console.log(
      `client loop (${CLIENTS} clients, a new TLS connection per request): ${results.ok} answered 2xx (${results.ok - before} after the upgrade began), ` +
        `${results.failed} failed${results.failed ? `: ${[...new Set(results.failures)].slice(0, 5).join("; ")}` : ""}; upgrade took ${took} s`,
    );
    const pass = result.customers[0].state === "upgraded" && results.failed === 0 && results.ok > before;
    console.log(`docker upgrade smoke: ${pass ? "PASS" : "FAIL"}`);
    return pass ? 0 : 1;
  } finally {
    await deployer.destroy(STACK, { removeVolumes: deployer.deployedVolumes(STACK) }).catch((e) => console.error(`cleanup: ${(e as Error).message}`));
    // the FSB key volumes the engine created on first use
    const filter = encodeURIComponent(JSON.stringify({ name: [`lc-${STACK}-`] }));
    const volumes = ((await docker.ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [];
    for (const v of volumes) await docker.request("DELETE", `/volumes/${v.Name}`);
    if (tagged) execFileSync("docker", ["rmi", NEXT], { stdio: "ignore" });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`docker upgrade smoke: FAIL: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
