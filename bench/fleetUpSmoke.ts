/**
 * npm run docker:fleet-smoke — `lchost fleet up --target docker` of the fleet (a shared server,
 * 6 Datacenter tenants, 2 Dedicated Servers, 1 High Availability customer) at concurrency 3 (FLEET_CONCURRENCY)
 * on this machine's Docker engine, then `lchost fleet destroy --yes --delete-data`; reports the wall time of
 * each. Not in CI (minutes on a loaded 2-core machine); needs dockerd and npm run docker:images.
 * Last line: {"smoke":"fleet-up", ...}. Exit 0 only when every stack came up and was removed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lchostFleet, removeDockerFleet, writeDockerFleet } from "./fleetRunFixtures";

async function main(): Promise<void> {
  const concurrency = Number(process.env.FLEET_CONCURRENCY ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-smoke-"));
  const names = writeDockerFleet(dir);
  await removeDockerFleet(names); // a crashed earlier smoke
  const runIds: Array<string | undefined> = [];
  try {
    const up = await lchostFleet(["up", "--target", "docker", "--stacks-dir", dir, "--concurrency", String(concurrency)]);
    runIds.push(up.runId);
    const destroy = await lchostFleet(["destroy", "--yes", "--delete-data", "--target", "docker", "--stacks-dir", dir, "--concurrency", String(concurrency)]);
    runIds.push(destroy.runId);
    const figures = {
      smoke: "fleet-up",
      stacks: names.length,
      concurrency,
      up: { exit: up.code, wallSeconds: up.seconds },
      destroy: { exit: destroy.code, wallSeconds: destroy.seconds },
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      cpus: os.cpus().length,
    };
    console.log(
      `fleet up of ${names.length} stacks at concurrency ${concurrency}: exit ${up.code} in ${up.seconds} s; destroy: exit ${destroy.code} in ${destroy.seconds} s`,
    );
    console.log(JSON.stringify(figures));
    if (up.code !== 0 || destroy.code !== 0) process.exitCode = 1;
  } finally {
    await removeDockerFleet(names, process.env.KEEP_FLEET_RUNS ? [] : runIds);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
