import { fork, spawnSync } from "child_process";
import * as os from "os";
import * as fs from "fs";
import * as path from "path";
import { writeFleet, FleetStack } from "./fleet";
import type { WorkerResult } from "./planWorker";

/**
 * npm run bench:plan — plans a generated fleet of 150 customer stacks (plus their shared servers)
 * under Pulumi's mock runtime, with the policy pack, in worker processes (one per core), and prints
 * total seconds, resources and ms per resource; then the same fleet on Kubernetes (policies and the offline
 * schema validation included) and a cold `lchost plan` of the HA Kubernetes example. Last line: one JSON object
 * (the Docker figures at the top level as before, `kubernetes` and `coldPlanKubernetesHa` beside them).
 */
function partition(stacks: FleetStack[], workers: number): string[][] {
  // Keep each shared server's tenants together so each worker plans a shared server once; balance by a
  // rough resource weight.
  const weight: Record<string, number> = { datacenter: 7, dedicated: 14, "high-performance": 17, "high-availability": 30 };
  const groups = new Map<string, FleetStack[]>();
  for (const s of stacks) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  const bins = Array.from({ length: workers }, () => ({ names: [] as string[], load: 0 }));
  const sorted = [...groups.values()].sort((a, b) => b.length - a.length);
  for (const g of sorted) {
    const bin = bins.reduce((a, b) => (a.load <= b.load ? a : b));
    for (const s of g) {
      bin.names.push(s.name);
      bin.load += weight[s.edition] ?? 10;
    }
  }
  return bins.map((b) => b.names).filter((n) => n.length > 0);
}

interface FleetFigures {
  stacks: number;
  byEdition: Record<string, number>;
  workers: number;
  seconds: number;
  resources: number;
  msPerResource: number;
  policyShare: number;
  mandatoryViolations: number;
  failures: number;
  failed: string[];
  /** CPU seconds of all workers: on a loaded machine the wall clock says more about the load than about lchost. */
  cpuSeconds: number;
  targetSeconds: number;
}

/** Plans and checks a generated fleet on one platform in worker processes (one per core). */
async function planFleet(platform: "docker" | "kubernetes", customers: number, workers: number): Promise<FleetFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lchost-fleet-${platform}-`));
  const stacks = writeFleet(dir, customers, platform);
  const parts = partition(stacks, workers);
  const started = performance.now();
  const results = await Promise.all(
    parts.map(
      (names) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const child = fork(path.join(__dirname, "planWorker.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
          child.once("message", (m) => resolve(m as WorkerResult));
          child.once("exit", (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
          child.send({ dir, names });
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });
  const sum = (f: (r: WorkerResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const resources = sum((r) => r.resources);
  const failed = results.flatMap((r) => r.failures);
  const byEdition: Record<string, number> = {};
  for (const s of stacks) byEdition[s.edition] = (byEdition[s.edition] ?? 0) + 1;
  const planMs = sum((r) => r.planMillis);
  const policyMs = sum((r) => r.policyMillis);
  return {
    stacks: sum((r) => r.stacks),
    byEdition,
    workers: parts.length,
    seconds: Math.round(seconds * 100) / 100,
    resources,
    msPerResource: Math.round(((seconds * 1000) / Math.max(1, resources)) * 100) / 100,
    policyShare: Math.round((policyMs / Math.max(1, planMs + policyMs)) * 1000) / 10,
    mandatoryViolations: sum((r) => r.violations),
    failures: failed.length,
    failed,
    cpuSeconds: Math.round(sum((r) => r.cpuMillis) / 10) / 100,
    targetSeconds: 15,
  };
}

/** CPU seconds of this process's waited-for children (cutime + cstime of /proc/self/stat, USER_HZ 100); NaN elsewhere. */
function waitedChildrenCpuSeconds(): number {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // from field 3 (state) on
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** `lchost plan` of one stack in a fresh process (cold: module loading included), wall clock. */
function coldPlan(stack: string): { stack: string; seconds: number; cpuSeconds: number; exitCode: number; targetSeconds: number } {
  const before = waitedChildrenCpuSeconds();
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, "..", "cli", "main.js"), "plan", stack], { stdio: "ignore" });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = waitedChildrenCpuSeconds() - before;
  return { stack, seconds: Math.round(seconds * 100) / 100, cpuSeconds: Math.round(cpuSeconds * 100) / 100, exitCode: r.status ?? -1, targetSeconds: 3 };
}

async function main() {
  const customers = Number(process.env.FLEET_SIZE ?? 150);
  const k8sCustomers = Number(process.env.KUBERNETES_FLEET_SIZE ?? 150);
  const workers = Number(process.env.BENCH_WORKERS ?? Math.max(1, Math.min(os.cpus().length, 4)));
  const docker = await planFleet("docker", customers, workers);
  const kubernetes = await planFleet("kubernetes", k8sCustomers, workers);
  const cold = coldPlan("wayne-k8s");
  const { failed: dockerFailed, ...dockerFigures } = docker;
  const { failed: k8sFailed, ...k8sFigures } = kubernetes;
  const figures = { bench: "plan", ...dockerFigures, kubernetes: k8sFigures, coldPlanKubernetesHa: cold };
  for (const [name, f] of [
    ["customer stacks", docker],
    ["Kubernetes customer stacks (policies + schema validation)", kubernetes],
  ] as const) {
    console.log(`planned ${f.stacks} ${name} (${JSON.stringify(f.byEdition)}) in ${f.seconds} s on ${f.workers} worker(s)`);
    console.log(`${f.resources} resources, ${f.msPerResource} ms per resource (wall clock), ${f.cpuSeconds} CPU s, policies ${f.policyShare} % of worker time`);
  }
  console.log(`cold lchost plan ${cold.stack}: ${cold.seconds} s (exit ${cold.exitCode})`);
  for (const f of [...dockerFailed, ...k8sFailed].slice(0, 10)) console.log(`FAILED ${f}`);
  console.log(JSON.stringify(figures));
  // The generated fleets are compliant: a violation here is a regression in a component, a policy or the schema check.
  if (docker.failures + kubernetes.failures > 0 || docker.mandatoryViolations + kubernetes.mandatoryViolations > 0 || cold.exitCode !== 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
