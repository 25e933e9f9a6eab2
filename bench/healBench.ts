/**
 * npm run bench:heal — issue 12's benchmark. Sections:
 *  1. Galera full-cluster outage in the sandbox: an HA customer (wayne) under activations through its gateway,
 *     kill -9 of every Galera node at the same moment, then the full-recovery playbook (sandbox seams): seconds
 *     from the kill until the cluster is writable again, and acknowledged activations lost (target ≤ 60 s, 0).
 *  2. The same after a Docker engine restart (bench/engineRestartProof.ts: `lchost up --target docker`, dockerd
 *     SIGTERMed and started again; the start script re-forms the cluster by itself). BENCH_HEAL_DOCKER=0 skips it.
 *  3. FSB hang → line out of the pool (target ≤ 10 s): the fsb-hang proof (test/proofs/healSandbox.test.ts).
 *  4. Peak → extra line serving (target ≤ 60 s): the autoscale proof (test/proofs/autoscale.test.ts).
 * Run under the real-run lock (it restarts the Docker engine). Last line: {"bench":"heal", ...}.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { createTickets, runActivationLoad } from "../sandbox/activationLoad";
import { startSandbox } from "../sandbox/startSandbox";
import { galeraFullRecovery } from "../heal/playbooks/galeraFullRecovery";
import { sandboxBalancerControl } from "../heal/seams/sandboxBalancer";
import { sandboxHealSeams } from "../heal/seams/sandboxSeams";
import { engineRestartProof, EngineRestartFigures } from "./engineRestartProof";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface OutageFigures {
  writableSeconds: number | null;
  acknowledged: number;
  lostAcknowledged: number | null;
  failedDuringOutage: number;
  founder?: string;
  outcome: string;
}

/** Section 1: kill -9 of every Galera node of wayne under activations, then the playbook. */
async function sandboxFullOutage(): Promise<OutageFigures> {
  const sb = await startSandbox({ stacks: ["wayne"], name: "gr-heal-bench", removeOnStop: true, serviceLogLevel: "warn" });
  try {
    const tickets = await createTickets(sb, "wayne", 900, "healbench");
    const db = (n: number) => sb.endpoints.wayne.databases.find((d) => d.galeraNode === n)!.process;
    let killed = 0;
    const stop = (async () => {
      await sleep(4000);
      for (const n of [1, 2, 3]) sb.kill(db(n), "SIGKILL");
      killed = Date.now();
      await sleep(1500);
    })();
    const r = await runActivationLoad(sb, { stack: "wayne", tickets: tickets.slice(0, 800), concurrency: 6, durationMs: 60_000, stop, timeoutMs: 5000 });
    const newest = [...r.acknowledged].sort((a, b) => a.endedAt - b.endedAt).pop();
    const schema = sb.credentials.wayne.database!.name;
    const lines: string[] = [];
    const ctx = {
      alert: {
        name: "DatabaseDown",
        status: "firing" as const,
        customer: "wayne",
        labels: { part: "db-1" },
        annotations: {},
        startsAt: new Date(killed).toISOString(),
      },
      seams: { runtime: "sandbox" as const, ...sandboxHealSeams(sb, "wayne", "wayne"), balancer: sandboxBalancerControl(sb) },
      dryRun: false,
      now: () => Date.now(),
      log: (l: string) => lines.push(l),
    };
    const pb = galeraFullRecovery({ lastAcknowledged: async () => newest?.idempotencyKey, startGraceMs: 0, pollMs: 500, schema });
    const [action] = await pb.plan(ctx);
    const outcome = action ? await pb.run(ctx, action) : { kind: "skipped", detail: "no action planned" };
    const writableSeconds = outcome.kind === "succeeded" ? Math.round((Date.now() - killed) / 100) / 10 : null;
    console.log(`${lines.join("\n")}\n${JSON.stringify(outcome)}`);
    let lost = 0;
    for (const n of [1, 2, 3]) {
      const stored = new Set(
        sb.sqlAsRoot(db(n), `SELECT idempotency_key FROM \`${schema}\`.lc_activations WHERE status = 'active'`).split("\n").filter(Boolean),
      );
      lost = Math.max(lost, r.acknowledged.filter((o) => !stored.has(o.idempotencyKey)).length);
    }
    return {
      writableSeconds,
      acknowledged: r.acknowledged.length,
      lostAcknowledged: lost,
      failedDuringOutage: r.failures.length,
      founder: /^bootstrapped (db-\d+)/.exec(outcome.detail)?.[1],
      outcome: outcome.kind,
    };
  } finally {
    await sb.stop();
  }
}

// ----- Sections 3 and 4 run the proofs that measure them on real processes (the same runs a reviewer reruns with
// jest) and read the one JSON line each prints: test/proofs/healSandbox.test.ts "fsb-hang" (SIGSTOP of a line's FSB
// under load, the alert posted, the playbook through the heal service) and test/proofs/autoscale.test.ts (an
// FSB-bound peak alert and the service's ticks until the extra line serves through the gateway).
function proofFigures(testFile: string, bench: string, name?: string): Record<string, unknown> | { error: string } {
  const args = ["jest", "--selectProjects", "proofs", "--runInBand", "--runTestsByPath", testFile, ...(name ? ["-t", name] : [])];
  const r = spawnSync("npx", args, { cwd: path.join(__dirname, "..", ".."), encoding: "utf8", timeout: 600_000 });
  const out = `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
  const line = out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`{"bench":"${bench}"`))
    .pop();
  if (!line) return { error: `${testFile}: exit ${r.status}, no ${bench} figures: ${out.slice(-600)}` };
  return { ...(JSON.parse(line) as Record<string, unknown>), proofPassed: r.status === 0 };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  console.log("bench:heal 1/4: Galera full-cluster outage in the sandbox (kill -9 of every node under activations)");
  const sandbox = await sandboxFullOutage().catch((e) => ({ error: (e as Error).message }) as const);
  console.log(`sandbox: ${JSON.stringify(sandbox)}`);
  let docker: EngineRestartFigures | null = null;
  if (process.env.BENCH_HEAL_DOCKER !== "0") {
    console.log("bench:heal 2/4: Docker engine restart (lchost up --target docker, dockerd SIGTERM + start)");
    docker = await engineRestartProof();
    console.log(`docker: ${JSON.stringify(docker)}`);
  }
  console.log("bench:heal 3/4: FSB hang -> line out of the pool (test/proofs/healSandbox.test.ts, fsb-hang)");
  const fsbHang = proofFigures("test/proofs/healSandbox.test.ts", "heal-fsb-hang", "fsb-hang");
  console.log(`fsb hang: ${JSON.stringify(fsbHang)}`);
  console.log("bench:heal 4/4: peak -> extra line serving (test/proofs/autoscale.test.ts)");
  const peak = proofFigures("test/proofs/autoscale.test.ts", "heal-autoscale");
  console.log(`peak: ${JSON.stringify(peak)}`);
  const ms = (v: unknown) => (typeof v === "number" && v >= 0 ? Math.round(v / 100) / 10 : null);
  console.log(
    JSON.stringify({
      bench: "heal",
      galeraSandboxOutage: sandbox,
      galeraDockerEngineRestart: docker && {
        reformSeconds: docker.reformSeconds,
        totalOutageSeconds: docker.totalOutageSeconds,
        reformedBy: docker.reformedBy,
        lostWrites: docker.lostWrites,
        acknowledgedWrites: docker.acknowledgedWrites,
        linesReady: docker.linesReady,
        error: docker.error,
      },
      fsbHangLineOutSeconds: ms((fsbHang as { lineOutMs?: number }).lineOutMs),
      fsbHangFailedRequests: (fsbHang as { failed?: number }).failed ?? null,
      peakExtraLineServingSeconds: ms((peak as { peakToExtraLineServingMs?: number }).peakToExtraLineServingMs),
      peakFailedRequests: (peak as { failed?: number }).failed ?? null,
      proofErrors: [fsbHang, peak].map((x) => (x as { error?: string }).error).filter(Boolean),
      targets: { galeraWritableSeconds: 60, lostAcknowledged: 0, fsbHangLineOutSeconds: 10, peakExtraLineServingSeconds: 60 },
      wallSeconds: Math.round((Date.now() - t0) / 1000),
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      cpus: os.cpus().length,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
