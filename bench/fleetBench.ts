/**
 * npm run bench:fleet — the fleet commands on a generated fleet (bench/fleet.ts: 150 customers in the
 * real mix, their shared servers) and an inventory of 10 hosts (2 labelled role: shared, 8 for own servers).
 * Today: `lchost fleet place` (target <= 2 s): in-process (reading and validating the 150+ stack files and the
 * inventory, the policy, placing; median of 5) — what the target is checked against — and as the user runs it,
 * a fresh `node dist/cli/main.js fleet place` process (wall clock, median of 3), beside the same for
 * `lchost editions`, which does nothing but start the CLI (loading every command's modules): the difference
 * is what place itself costs in a process.
 * `lchost fleet plan` of the same 150 customers and their shared servers (plan_150_s: wall clock of one
 * `node dist/cli/main.js fleet plan --concurrency 2` process, each stack planned by its own `lchost plan` child;
 * FLEET_BENCH_PLAN=0 skips it), and `lchost fleet up --target docker` of the 10-stack fleet
 * (bench/fleetRunFixtures.ts) at concurrency 1 and 3, each followed by a destroy --delete-data (up_docker_c1_s,
 * up_docker_c3_s, speedup_c3; skipped without a Docker engine or with FLEET_BENCH_DOCKER=0). A figure that was
 * not measured is left out, never filled in. status figures come with that command (issue 14 item 5).
 * Last line: {"bench":"fleet", ...}.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { placeStacksDir } from "../fleet/placeStacks";
import { packageRoot } from "../model/packageRoot";
import { writeFleet } from "./fleet";
import { lchostFleet, removeDockerFleet, writeDockerFleet } from "./fleetRunFixtures";

const RUNS = 5;
const TARGET_MS = 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function writeInventory(file: string, hosts: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const list = Array.from({ length: hosts }, (_, i) => ({
    name: `h${i + 1}`,
    dockerHost: `ssh://deploy@10.40.0.${i + 1}`,
    address: `10.40.0.${i + 1}`,
    capacity: { memoryMb: 65536, cpuShares: 32768 },
    labels: { role: i < 2 ? "shared" : "dedicated" },
  }));
  fs.writeFileSync(file, YAML.stringify({ hosts: list }));
}

/** `fleet up --target docker` of the 10-stack fleet at one concurrency, then its destroy; the up's wall seconds. */
async function upOnDocker(concurrency: number): Promise<{ seconds: number; ok: boolean; stacks: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-bench-docker-"));
  const names = writeDockerFleet(dir);
  await removeDockerFleet(names);
  const runIds: Array<string | undefined> = [];
  try {
    const up = await lchostFleet(["up", "--target", "docker", "--stacks-dir", dir, "--concurrency", String(concurrency)], false);
    runIds.push(up.runId);
    const destroy = await lchostFleet(["destroy", "--yes", "--delete-data", "--target", "docker", "--stacks-dir", dir, "--concurrency", "3"], false);
    runIds.push(destroy.runId);
    if (up.code !== 0) console.error(`fleet up at concurrency ${concurrency} exited ${up.code}:\n${up.out}${up.err}`);
    return { seconds: up.seconds, ok: up.code === 0 && destroy.code === 0, stacks: names.length };
  } finally {
    await removeDockerFleet(names, runIds);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const customers = Number(process.env.FLEET_SIZE ?? 150);
  const hosts = Number(process.env.FLEET_HOSTS ?? 10);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-bench-"));
  const stacksDir = path.join(root, "stacks");
  try {
    const stacks = writeFleet(stacksDir, customers);
    writeInventory(path.join(root, "fleet", "hosts.yaml"), hosts);
    const files = fs.readdirSync(stacksDir).length;

    const inProcess: number[] = [];
    let placed = 0;
    let maxMemoryShare = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = placeStacksDir({ stacksDir });
      inProcess.push(performance.now() - t);
      placed = r.placement.assignments.filter((a) => a.customer).length;
      maxMemoryShare = Math.max(...r.placement.hosts.map((h) => h.used.memoryMb / h.capacity.memoryMb));
    }
    const cli = path.join(__dirname, "..", "cli", "main.js");
    const timeCli = (args: string[]) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`lchost ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
      return performance.now() - t;
    };
    const process_: number[] = [];
    const startup: number[] = [];
    for (let i = 0; i < 3; i++) {
      process_.push(timeCli(["fleet", "place", "--stacks-dir", stacksDir, "--json"]));
      startup.push(timeCli(["editions"]));
    }
    const figures = {
      bench: "fleet",
      place: {
        customers: stacks.length,
        stackFiles: files,
        hosts,
        placedCustomers: placed,
        inProcessMs: Math.round(median(inProcess)),
        cliWallMs: Math.round(median(process_)),
        cliStartupMs: Math.round(median(startup)),
        maxHostMemoryShare: Math.round(maxMemoryShare * 1000) / 1000,
        targetMs: TARGET_MS,
        withinTarget: median(inProcess) <= TARGET_MS,
      },
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      cpus: os.cpus().length,
    };
    const measured: Record<string, number | number[]> = {};
    let failed = false;
    if (process.env.FLEET_BENCH_PLAN !== "0") {
      const plan = await lchostFleet(["plan", "--stacks-dir", stacksDir, "--concurrency", "2"], false);
      fs.rmSync(path.join(packageRoot(), ".fleet", plan.runId ?? "none"), { recursive: true, force: true });
      if (plan.code === 0) measured.plan_150_s = plan.seconds;
      else {
        failed = true;
        console.error(`fleet plan exited ${plan.code}: ${plan.out.split("\n").slice(-5).join("\n")}${plan.err}`);
      }
      console.log(`fleet plan of ${files} stacks at concurrency 2: exit ${plan.code} in ${plan.seconds} s`);
    }
    const dockerUp = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
    if (dockerUp && process.env.FLEET_BENCH_DOCKER !== "0") {
      const c1 = await upOnDocker(1);
      const c3 = await upOnDocker(3);
      console.log(`fleet up --target docker of ${c1.stacks} stacks: concurrency 1 ${c1.seconds} s, concurrency 3 ${c3.seconds} s`);
      if (c1.ok && c3.ok) {
        measured.up_docker_stacks = c1.stacks;
        measured.up_docker_c1_s = c1.seconds;
        measured.up_docker_c3_s = c3.seconds;
        measured.speedup_c3 = Math.round((c1.seconds / c3.seconds) * 100) / 100;
      } else failed = true;
      measured.loadavgAfterDocker = os.loadavg().map((x) => Math.round(x * 100) / 100);
    } else console.log("fleet up --target docker: not measured (no Docker engine, or FLEET_BENCH_DOCKER=0)");
    console.log(
      `fleet place: ${placed} of ${stacks.length} customers (${files} stack files) on ${hosts} hosts; ` +
        `in-process ${figures.place.inProcessMs} ms (median of ${RUNS}; target <= ${TARGET_MS} ms); as a CLI process ${figures.place.cliWallMs} ms, ` +
        `of which starting the CLI (lchost editions) ${figures.place.cliStartupMs} ms; load average ${figures.loadavg.join(" ")}`,
    );
    console.log(JSON.stringify({ ...figures, ...measured }));
    if (failed || !figures.place.withinTarget || placed !== stacks.length) process.exitCode = 1;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
