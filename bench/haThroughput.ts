/**
 * npm run bench:ha — activations per second through the real HAProxy balancer of a High Availability
 * sandbox (the wayne example with 4 lines, each with its own FSB emulator at signLatencyMs=50: the FSB
 * is the bottleneck, so the limit is N x 20/s), for 1..4 lines in the pool (the others disabled on the
 * admin socket), with p50/p99 latency; then the time from a line's death (SIGKILL) to the balancer
 * taking it out, polled on the admin socket, and the client errors meanwhile. Bounded: < 3 minutes.
 * Then the balancer pair's VIP takeover (bench/vipTakeover.ts: keepalived + HAProxy between network namespaces,
 * after the sandbox stopped): vip_takeover_haproxy_killed_s, vip_takeover_host_down_s,
 * requests_failed_during_takeover (and each round in vip_rounds) join the JSON. Then the throughput on hosts
 * (bench/hostsThroughput.ts: the sandbox's hosts as network namespaces, 4 lines over 2 hosts + garbd and over 3
 * hosts, through the VIP from a client namespace): `throughput_2_hosts_ratio`, `throughput_3_hosts_ratio` (4 lines
 * as a share of 4 × one line; target ≥ 0.9) and the rows in `hostsThroughput` join the JSON.
 * Prints a table, then as the last line one JSON object {"bench":"ha", ...}.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTickets, percentile, runActivationLoad } from "../sandbox/activationLoad";
import { SandboxHandle, startSandbox } from "../sandbox/startSandbox";
import { hostsRatios, hostsTargetMet, measureHostsLayouts } from "./hostsThroughput";
import { measureVipTakeover, vipTargetMet } from "./vipTakeover";

const LINES = 4;
const MEASURE_MS = 6000;
const WARMUP_MS = 1000;
const PER_LINE_CONCURRENCY = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setPool(sb: SandboxHandle, gateway: string, backend: string, n: number): Promise<void> {
  for (let i = 1; i <= LINES; i++) await sb.haproxyCommand(gateway, `${i <= n ? "enable" : "disable"} server ${backend}/line${i}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await sb.serverStates(gateway);
    const ok = Array.from({ length: LINES }, (_, i) => s[`${backend}/line${i + 1}`] === (i < n ? "UP" : "MAINT")).every(Boolean);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`pool did not reach ${n} line(s): ${JSON.stringify(s)}`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-bench-ha-"));
  const wayne = fs.readFileSync(path.join(__dirname, "..", "..", "stacks", "Pulumi.wayne.yaml"), "utf8");
  if (!/lchost:lines: \d+/.test(wayne) || !/signLatencyMs: 50/.test(wayne))
    throw new Error("stacks/Pulumi.wayne.yaml changed shape: update bench/haThroughput.ts");
  const stackFile = path.join(tmp, "Pulumi.wayne.yaml");
  fs.writeFileSync(stackFile, wayne.replace(/lchost:lines: \d+/, `lchost:lines: ${LINES}`));
  const sb = await startSandbox({ stackFiles: [stackFile], name: `bench-ha-${process.pid}`, removeOnStop: true, serviceLogLevel: "warn" });
  const stop = async () => {
    await sb.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    const gw = sb.endpoints.wayne.gateway!;
    const backend = gw.backend ?? "license_central";
    const setupSeconds = (Date.now() - started) / 1000;
    const tickets = await createTickets(sb, "wayne", 2200, `bench-${process.pid}`, 12);
    let used = 0;
    const take = (n: number) => tickets.slice(used, (used += n));

    const rows: Array<{ lines: number; perSecond: number; p50: number; p99: number; errors: number; requests: number }> = [];
    for (let n = 1; n <= LINES; n++) {
      await setPool(sb, gw.process, backend, n);
      const r = await runActivationLoad(sb, {
        stack: "wayne",
        tickets: take(Math.ceil((n * 25 * (MEASURE_MS + WARMUP_MS)) / 1000)),
        concurrency: n * PER_LINE_CONCURRENCY,
        durationMs: WARMUP_MS + MEASURE_MS,
      });
      const from = r.startedAt + WARMUP_MS;
      const inWindow = r.acknowledged.filter((o) => o.endedAt >= from);
      const windowMs = r.endedAt - from;
      const lat = inWindow.map((o) => o.endedAt - o.startedAt);
      rows.push({
        lines: n,
        perSecond: (inWindow.length * 1000) / windowMs,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        errors: r.failures.length,
        requests: r.outcomes.length,
      });
    }

    // A line dies under load (all lines in the pool): how long until the balancer takes it out?
    await setPool(sb, gw.process, backend, LINES);
    let killedAt = 0;
    let downAt = 0;
    const load = runActivationLoad(sb, { stack: "wayne", tickets: take(500), concurrency: LINES * PER_LINE_CONCURRENCY, durationMs: 5000 });
    await sleep(1500);
    killedAt = Date.now();
    sb.kill(`lc-wayne-line-${LINES}`, "SIGKILL");
    while (Date.now() - killedAt < 10_000) {
      const s = await sb.serverStates(gw.process);
      if (s[`${backend}/line${LINES}`]?.startsWith("DOWN")) {
        downAt = Date.now();
        break;
      }
      await sleep(20);
    }
    const failover = await load;
    const detectionMs = downAt ? downAt - killedAt : NaN;
    const errorsDuringDetection = failover.failures.filter((o) => o.endedAt >= killedAt && o.startedAt <= (downAt || Date.now())).length;

    const one = rows[0].perSecond;
    const table = [
      "lines | activations/s | x one line | limit (N x 20/s) | p50 ms | p99 ms | errors",
      "------|---------------|------------|------------------|--------|--------|-------",
      ...rows.map(
        (r) =>
          `${String(r.lines).padStart(5)} | ${r.perSecond.toFixed(1).padStart(13)} | ${(r.perSecond / one).toFixed(2).padStart(10)} | ${String(r.lines * 20).padStart(16)} | ${String(r.p50).padStart(6)} | ${String(r.p99).padStart(6)} | ${String(r.errors).padStart(6)}`,
      ),
      "",
      `line killed (SIGKILL) under load: out of the pool after ${detectionMs} ms (target <= 1500), client errors meanwhile: ${errorsDuringDetection}, during the whole failover run: ${failover.failures.length} of ${failover.outcomes.length}`,
      `sandbox start ${setupSeconds.toFixed(1)} s (3-node Galera, ${LINES} FSBs, ${LINES} lines, HAProxy)`,
    ];
    for (const l of table) console.log(l);
    const scaling = rows.map((r) => r.perSecond / (r.lines * one));
    const result = {
      bench: "ha",
      lines: rows.map((r) => r.lines),
      activationsPerSecond: rows.map((r) => Math.round(r.perSecond * 10) / 10),
      p50Ms: rows.map((r) => r.p50),
      p99Ms: rows.map((r) => r.p99),
      errors: rows.map((r) => r.errors),
      scalingVsOneLine: scaling.map((x) => Math.round(x * 100) / 100),
      detectionMs,
      clientErrorsDuringDetection: errorsDuringDetection,
      clientErrorsDuringFailover: failover.failures.length,
      targets: { scalingAtLeast: 0.9, detectionMsAtMost: 1500, clientErrors: 0 },
      met: scaling.every((x) => x >= 0.9) && detectionMs <= 1500 && failover.failures.length === 0 && rows.every((r) => r.errors === 0),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await stop();
    console.log("");
    console.log("balancer pair (keepalived VRRP + HAProxy between network namespaces), VIP takeover:");
    const vip = await measureVipTakeover(console.log);
    console.log("");
    console.log("4 lines on 2 hosts + garbd and on 3 hosts (each host a network namespace), through the VIP from a client namespace:");
    const hostsThroughput = await measureHostsLayouts(console.log);
    const merged = {
      ...result,
      ...vip,
      ...hostsRatios(hostsThroughput),
      hostsThroughput,
      met: result.met && vipTargetMet(vip) && hostsTargetMet(hostsThroughput),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(JSON.stringify(merged));
    if (!merged.met) process.exitCode = 1;
  } catch (e) {
    await stop();
    throw e;
  }
}

main().catch((e) => {
  console.error(`bench:ha failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
