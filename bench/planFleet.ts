import { fork } from "child_process";
import * as os from "os";
import * as fs from "fs";
import * as path from "path";
import { writeFleet, FleetStack } from "./fleet";
import type { WorkerResult } from "./planWorker";

/**
 * npm run bench:plan — plans a generated fleet of 150 customer stacks (plus their shared servers)
 * under Pulumi's mock runtime, with the policy pack, in worker processes (one per core), and prints
 * total seconds, resources and ms per resource. Last line: one JSON object.
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

async function main() {
  const customers = Number(process.env.FLEET_SIZE ?? 150);
  const workers = Number(process.env.BENCH_WORKERS ?? Math.max(1, Math.min(os.cpus().length, 4)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-"));
  const stacks = writeFleet(dir, customers);
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
  const failures = results.flatMap((r) => r.failures);
  const byEdition: Record<string, number> = {};
  for (const s of stacks) byEdition[s.edition] = (byEdition[s.edition] ?? 0) + 1;
  const planMs = sum((r) => r.planMillis);
  const policyMs = sum((r) => r.policyMillis);
  const figures = {
    bench: "plan",
    stacks: sum((r) => r.stacks),
    byEdition,
    workers: parts.length,
    seconds: Math.round(seconds * 100) / 100,
    resources,
    msPerResource: Math.round(((seconds * 1000) / Math.max(1, resources)) * 100) / 100,
    policyShare: Math.round((policyMs / Math.max(1, planMs + policyMs)) * 1000) / 10,
    mandatoryViolations: sum((r) => r.violations),
    failures: failures.length,
    targetSeconds: 15,
  };
  console.log(`planned ${figures.stacks} customer stacks (${JSON.stringify(byEdition)}) in ${figures.seconds} s on ${figures.workers} worker(s)`);
  console.log(`${resources} resources, ${figures.msPerResource} ms per resource (wall clock), policies ${figures.policyShare} % of worker time`);
  for (const f of failures.slice(0, 10)) console.log(`FAILED ${f}`);
  console.log(JSON.stringify(figures));
  // The generated fleet is compliant: a violation here is a regression in a component or a policy.
  if (failures.length > 0 || figures.mandatoryViolations > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
