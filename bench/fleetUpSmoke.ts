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
import { ENTRY_HOSTS, lchostFleet, probeThroughEntry, removeDockerFleet, writeDockerFleet } from "./fleetRunFixtures";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { removeDockerObjects } from "./migrationFixtures";

const ENTRY_PORT = 42790;

async function main(): Promise<void> {
  const concurrency = Number(process.env.FLEET_CONCURRENCY ?? 3);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-smoke-"));
  const dir = path.join(root, "stacks");
  const names = writeDockerFleet(dir, 6, 2, 1, true);
  await removeDockerFleet(names); // a crashed earlier smoke
  await removeDockerObjects(new DockerEngine(), "lchost-entry-frs-");
  const checks: string[] = [];
  const check = (ok: boolean, what: string) => {
    checks.push(`${ok ? "ok  " : "FAIL"} ${what}`);
    console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  };
  const runIds: Array<string | undefined> = [];
  try {
    const up = await lchostFleet(["up", "--target", "docker", "--stacks-dir", dir, "--concurrency", String(concurrency), "--entry-port", String(ENTRY_PORT)]);
    runIds.push(up.runId);
    if (up.code === 0) await probeEntries(names, check);
    const destroy = await lchostFleet([
      "destroy",
      "--yes",
      "--delete-data",
      "--target",
      "docker",
      "--stacks-dir",
      dir,
      "--concurrency",
      String(concurrency),
      "--entry-port",
      String(ENTRY_PORT),
    ]);
    const entriesLeft = (
      (await new DockerEngine().ok("GET", `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: ["lchost-entry-frs-"] }))}`)) as unknown[]
    ).length;
    if (destroy.code === 0) check(entriesLeft === 0, `fleet destroy removed every host's entry (${entriesLeft} left)`);
    runIds.push(destroy.runId);
    const figures = {
      smoke: "fleet-up",
      stacks: names.length,
      concurrency,
      up: { exit: up.code, wallSeconds: up.seconds },
      entryChecks: { passed: checks.filter((c) => c.startsWith("ok")).length, failed: checks.filter((c) => c.startsWith("FAIL")).length },
      destroy: { exit: destroy.code, wallSeconds: destroy.seconds },
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      cpus: os.cpus().length,
    };
    console.log(
      `fleet up of ${names.length} stacks at concurrency ${concurrency}: exit ${up.code} in ${up.seconds} s; destroy: exit ${destroy.code} in ${destroy.seconds} s`,
    );
    console.log(JSON.stringify(figures));
    if (up.code !== 0 || destroy.code !== 0 || checks.some((c) => c.startsWith("FAIL")) || checks.length === 0) process.exitCode = 1;
  } finally {
    await removeDockerFleet(names, process.env.KEEP_FLEET_RUNS ? [] : runIds);
    await removeDockerObjects(new DockerEngine(), "lchost-entry-frs-");
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Every customer through its host's one entry by SNI: the answer comes with that customer's gateway's own
 * certificate (TLS is not terminated at the entry); License Central answers behind it (the HA customer is not behind
 * the entries: see writeDockerFleet); a name nobody claims gets no answer; the client's own address reaches the gateway
 * through the PROXY hop, so the allow-list decides on it (frs-d1 allows 127.0.0.0/8: served; frs-d2 allows only
 * 10.99.0.0/16: 403 on /ws/).
 */
async function probeEntries(names: string[], check: (ok: boolean, what: string) => void): Promise<void> {
  const entry = (i: number) => ({ address: ENTRY_HOSTS[i].address, port: ENTRY_PORT });
  for (const n of names.filter((x) => !x.endsWith("shared") && !x.includes("ha"))) {
    const serverName = `${n}.lchost.test`;
    for (const h of [0]) {
      const r = await probeThroughEntry(entry(h), serverName, "/depot/v1/tickets/ffffffffffffffffffffffffffffffff").catch((e) => ({
        status: 0,
        certificateNames: [String(e.message)],
      }));
      // the gateway's own certificate for that name (a shared server's is *.domain), and an HTTP answer from behind
      // it: License Central's 404, or the gateway's 503 while the customer's line is not ready
      const own = r.certificateNames.some(
        (c) => c === serverName || (c.startsWith("*.") && serverName.endsWith(c.slice(1)) && !serverName.slice(0, -c.length + 1).includes(".")),
      );
      check(
        own && (r.status === 404 || r.status === 503),
        `${serverName} through ${ENTRY_HOSTS[h].name}'s entry: a certificate for it (${r.certificateNames.join(" ")}), answered ${r.status}`,
      );
    }
  }
  const stray = await probeThroughEntry(entry(0), "nobody.lchost.test", "/").then(
    (r) => `answered ${r.status}`,
    () => "refused",
  );
  check(stray === "refused", `a server name no customer claims: ${stray}`);
  const d1 = await probeThroughEntry(entry(0), "frs-d1.lchost.test", "/ws/v1/usage");
  check(d1.status !== 403, `frs-d1 /ws/ from 127.0.0.1 (allowed 127.0.0.0/8): ${d1.status}, not refused by the allow-list`);
  const d2 = await probeThroughEntry(entry(0), "frs-d2.lchost.test", "/ws/v1/usage");
  check(d2.status === 403, `frs-d2 /ws/ from 127.0.0.1 (allowed only 10.99.0.0/16): ${d2.status}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
