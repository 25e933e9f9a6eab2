/**
 * npm run bench:migrate [-- --target sandbox|docker]
 *
 * --target sandbox (the default) — the maintenance window of Datacenter -> Dedicated for a tenant with 1,000
 * activated tickets, on the sandbox (`lchost sandbox`): the tenant on a shared-server sandbox (real
 * MariaDB, FSB emulator, HAProxy, License Central), the Dedicated Server a second sandbox started from
 * the changed stack file, the customer's entry moved by a graceful reload. Prints each step with its
 * duration, then one JSON line {"bench":"migrate", ...} as the last line of stdout. Exit 1 when the
 * window exceeds the 30 s target.
 *
 * --target docker — on the real Docker engine (DockerRunDeployer + DockerTarget, images from
 * `npm run docker:images`): a Datacenter tenant with 1,000 activated tickets walks every ordered pair of
 * editions once (12 migrations, High Availability with 3 lines), the kept data cleaned up after each.
 * Prints each pair's window beside the plan's estimate, then one JSON line {"bench":"migrate",
 * "target":"docker", ...}. Exit 1 when a window exceeds the 10 s target.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { EDITION_IDS, EditionId } from "../model/catalog";
import { planFromCurrentView } from "../migration/planFromCurrentView";
import { ProgressLog } from "../migration/progressLog";
import { DockerRunDeployer } from "../migration/dockerRunDeployer";
import { DockerTarget } from "../migration/dockerTarget";
import { runMigration } from "../migration/runMigration";
import { SandboxTarget } from "../migration/sandboxTarget";
import { datacenterStackFile, dockerStackFiles, everyOrderedPairWalk, removeDockerObjects, seedTenant, sharedServerStackFile } from "./migrationFixtures";

const TARGET_SECONDS = 30;
const DOCKER_TARGET_SECONDS = 10;

async function main(): Promise<number> {
  const i = process.argv.indexOf("--target");
  const target = i >= 0 ? process.argv[i + 1] : "sandbox";
  if (target === "sandbox") return sandboxBench();
  if (target === "docker") return dockerBench();
  throw new Error(`--target: '${target}' is not a bench target (allowed: sandbox (default), docker)`);
}

async function dockerBench(): Promise<number> {
  const tickets = Number(process.env.BENCH_TICKETS ?? 1000);
  const customer = "mbench";
  const sharedName = "mbench-shared";
  const docker = new DockerEngine();
  await removeDockerObjects(docker, `lc-${customer}`); // a crashed earlier run
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "lcmig-docker-"));
  const stackPath = path.join(baseDir, `Pulumi.${customer}.yaml`);
  // the hosting team's shared FSB that a Dedicated Server signs with: an emulator on this host, where the
  // containers reach it through the default bridge's gateway (its readiness is part of the line's /readyz)
  const bridge = (await docker.ok("GET", "/networks/bridge")) as { IPAM: { Config: Array<{ Gateway: string }> } };
  const gateway = bridge.IPAM.Config[0].Gateway;
  const fsbToken = crypto.randomBytes(20).toString("hex");
  const hostingFsb = spawn(process.execPath, [path.join(__dirname, "..", "fsb-emulator", "src", "main.js")], {
    env: {
      ...process.env,
      FSB_HOST: gateway,
      FSB_PORT: "18479",
      FSB_DATA_DIR: path.join(baseDir, "hosting-fsb"),
      FSB_FIRM_TOKENS: `${customer}=${fsbToken}`,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const files = dockerStackFiles(
    customer,
    sharedName,
    { shared: 18471, customer: 18472 },
    { sharedFsbForDedicated: true, sharedFsbUrl: `http://${gateway}:18479` },
  );
  fs.writeFileSync(path.join(baseDir, `Pulumi.${sharedName}.yaml`), files.shared);
  fs.writeFileSync(stackPath, files.customer);
  const deployer = new DockerRunDeployer({ stacksDir: baseDir, docker, configSecrets: { fsbToken } });
  let target: DockerTarget | undefined;
  try {
    const t0 = Date.now();
    await deployer.up(sharedName);
    await deployer.up(customer);
    target = new DockerTarget({ stackName: customer, deployer, docker });
    const deployMs = Date.now() - t0;
    const seedStart = Date.now();
    await seedTenant((await target.current()).database, tickets);
    const seedMs = Date.now() - seedStart;
    const walk = everyOrderedPairWalk<EditionId>(EDITION_IDS, "datacenter");
    const pairs: Array<{ from: EditionId; to: EditionId; windowSeconds: number; plannedSeconds: number; steps: Record<string, number> }> = [];
    for (let n = 1; n < walk.length; n++) {
      const [from, to] = [walk[n - 1], walk[n]];
      const { plan, text } = await planFromCurrentView({
        stackName: customer,
        stackPath,
        target,
        to: { edition: to, lines: to === "high-availability" ? 3 : undefined },
      });
      const log = new ProgressLog((l) => console.log(`  ${l}`));
      console.log(`${from} -> ${to}: planned window ~${plan.downtime.seconds} s (${plan.downtime.parts.map((p) => `${p.step} ${p.seconds} s`).join(", ")})`);
      const r = await runMigration({ plan, target, log, workDir: path.join(baseDir, "dumps"), stackFile: { path: stackPath, oldText: text } });
      const windowSeconds = Math.round(r.maintenanceMs) / 1000;
      pairs.push({ from, to, windowSeconds, plannedSeconds: plan.downtime.seconds, steps: Object.fromEntries(r.steps.map((s) => [s.step, s.ms])) });
      console.log(
        `${from} -> ${to}: window ${windowSeconds.toFixed(1)} s (planned ~${plan.downtime.seconds} s)${windowSeconds > DOCKER_TARGET_SECONDS ? "  OVER TARGET" : ""}`,
      );
      const removed = await target.cleanup();
      if (removed.length) console.log(`  cleanup: ${removed.join(", ")}`);
    }
    console.log("pair                                   window  planned");
    for (const p of pairs)
      console.log(`${`${p.from} -> ${p.to}`.padEnd(38)} ${p.windowSeconds.toFixed(1).padStart(6)} s ${p.plannedSeconds.toFixed(1).padStart(6)} s`);
    const maxWindow = Math.max(...pairs.map((p) => p.windowSeconds));
    const withinTarget = maxWindow <= DOCKER_TARGET_SECONDS;
    console.log(
      JSON.stringify({
        bench: "migrate",
        target: "docker",
        tickets,
        deployMs,
        seedMs,
        loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
        cpus: os.cpus().length,
        targetSeconds: DOCKER_TARGET_SECONDS,
        maxWindowSeconds: maxWindow,
        withinTarget,
        pairs: pairs.map(({ from, to, windowSeconds, plannedSeconds }) => ({ from, to, windowSeconds, plannedSeconds })),
        steps: pairs.map((p) => ({ pair: `${p.from} -> ${p.to}`, ...p.steps })),
      }),
    );
    return withinTarget ? 0 : 1;
  } finally {
    await target?.close();
    hostingFsb.kill();
    await removeDockerObjects(docker, `lc-${customer}`);
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

async function sandboxBench(): Promise<number> {
  const tickets = Number(process.env.BENCH_TICKETS ?? 1000);
  const customer = "bench";
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "lcmig-"));
  fs.chmodSync(baseDir, 0o711); // the database nodes run as mysql and must reach their directories
  const stackPath = path.join(baseDir, `Pulumi.${customer}.yaml`);
  const sharedPath = path.join(baseDir, "Pulumi.shared-dc1.yaml");
  const text = datacenterStackFile(customer);
  fs.writeFileSync(stackPath, text);
  fs.writeFileSync(sharedPath, sharedServerStackFile([customer]));
  let target: SandboxTarget | undefined;
  try {
    const startedAt = Date.now();
    target = await SandboxTarget.start({ stackFile: stackPath, sharedStackFile: sharedPath, workDir: path.join(baseDir, "t"), serviceLogLevel: "warn" });
    const sandboxStartMs = Date.now() - startedAt;
    const seedStart = Date.now();
    await seedTenant((await target.current()).database, tickets);
    const seedMs = Date.now() - seedStart;
    const { plan } = await planFromCurrentView({ stackName: customer, stackPath, target, to: { edition: "dedicated" } });
    const log = new ProgressLog((l) => console.log(l));
    const r = await runMigration({ plan, target, log, workDir: path.join(baseDir, "dumps"), stackFile: { path: stackPath, oldText: text } });
    console.log(r.message);
    for (const s of r.steps) console.log(`  step ${s.step.padEnd(60)} ${(s.ms / 1000).toFixed(2)} s`);
    const rows = r.sourceChecksums.reduce((a, t) => a + t.rows, 0);
    const withinTarget = r.maintenanceMs <= TARGET_SECONDS * 1000;
    console.log(
      JSON.stringify({
        bench: "migrate",
        target: "sandbox",
        from: "datacenter",
        to: "dedicated",
        tickets,
        rows,
        sandboxStartMs,
        seedMs,
        maintenanceWindowSeconds: Math.round(r.maintenanceMs) / 1000,
        targetSeconds: TARGET_SECONDS,
        withinTarget,
        plannedDowntimeSeconds: plan.downtime.seconds,
        steps: Object.fromEntries(r.steps.map((s) => [s.step, s.ms])),
      }),
    );
    return withinTarget ? 0 : 1;
  } finally {
    await target?.stop();
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
