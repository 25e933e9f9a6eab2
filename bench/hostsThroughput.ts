/**
 * bench:ha's figures on hosts: activations per second through the VIP of an HA customer with 4 lines spread over
 * 2 hosts (+ garbd on a third) and over 3 hosts (the sandbox's hosts: each host a network namespace; sandbox/hosts/),
 * from a client in its own namespace, with 1 line in the pool (the other 3 disabled on the active balancer node's
 * admin socket) and with all 4. Each FSB signs in 50 ms (the wayne example's emulator), so one line is bounded by
 * about 20/s and the target is 4 lines ≥ 0.9 × 4 × one line. Alone: node dist/bench/hostsThroughput.js.
 * Own resources only (namespaces nsb-*, bridge nsbbr, 10.245.2.0/24 and 10.245.3.0/24).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTickets, percentile } from "../sandbox/activationLoad";
import { HostsSandbox } from "../sandbox/hosts/hostsSandbox";
import { hostsArbitrator, hostsStackText } from "./hostsFixtures";

const LINES = 4;
const WARMUP_MS = 1000;
const MEASURE_MS = 6000;
const PER_LINE_CONCURRENCY = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HostsThroughput {
  hosts: number;
  oneLinePerSecond: number;
  allLinesPerSecond: number;
  /** all / (4 × one) */
  scaling: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  startupS: number;
}

async function setPool(hs: HostsSandbox, n: number): Promise<void> {
  for (const host of hs.layout.parts.balancers) {
    for (let i = 1; i <= LINES; i++) await hs.haproxyCommand(host, `${i <= n ? "enable" : "disable"} server license_central/line${i}`);
  }
  const active = hs.holders()[0];
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await hs.serverStates(active);
    if (Array.from({ length: LINES }, (_, i) => s[`license_central/line${i + 1}`] === (i < n ? "UP" : "MAINT")).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`pool did not reach ${n} line(s): ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

async function measure(hs: HostsSandbox, tickets: string[], lines: number): Promise<{ perSecond: number; p50: number; p99: number; failed: number }> {
  await setPool(hs, lines);
  const run = hs.startClient({
    tickets,
    concurrency: lines * PER_LINE_CONCURRENCY,
    durationMs: WARMUP_MS + MEASURE_MS,
    timeoutMs: 10_000,
    retryAfterMs: 1000,
    pauseMs: 0,
  });
  const outcomes = await run.done;
  const first = Math.min(...outcomes.map((o) => o.attempts[0].startedAt));
  const from = first + WARMUP_MS;
  const inWindow = outcomes.filter((o) => o.acknowledged && o.attempts.at(-1)!.endedAt >= from);
  const windowMs = Math.max(...outcomes.map((o) => o.attempts.at(-1)!.endedAt)) - from;
  const lat = inWindow.map((o) => o.attempts.at(-1)!.endedAt - o.attempts.at(-1)!.startedAt);
  return {
    perSecond: (inWindow.length * 1000) / windowMs,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    failed: outcomes.filter((o) => !o.acknowledged).length,
  };
}

export async function measureHostsThroughput(hosts: 2 | 3, log: (l: string) => void = () => undefined): Promise<HostsThroughput> {
  const t0 = Date.now();
  const subnet = hosts === 2 ? 2 : 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nsb-"));
  const stackFile = path.join(dir, "Pulumi.nsb.yaml");
  fs.writeFileSync(stackFile, hostsStackText({ customer: "nsb", lines: LINES, hosts, subnet, signLatencyMs: 50 }));
  const hs = await HostsSandbox.start({
    stackFile,
    tag: "nsb",
    name: `nsb-${process.pid}`,
    removeOnStop: true,
    serviceLogLevel: "warn",
    ...(hosts === 2 ? { arbitrator: hostsArbitrator(subnet) } : {}),
  });
  try {
    const startupS = (Date.now() - t0) / 1000;
    const tickets = await createTickets(hs.sb, "nsb", 1200, `nsb-${process.pid}`, 12);
    const one = await measure(hs, tickets.slice(0, 300), 1);
    const all = await measure(hs, tickets.slice(300), LINES);
    const r: HostsThroughput = {
      hosts,
      oneLinePerSecond: Math.round(one.perSecond * 10) / 10,
      allLinesPerSecond: Math.round(all.perSecond * 10) / 10,
      scaling: Math.round((all.perSecond / (LINES * one.perSecond)) * 100) / 100,
      p50Ms: all.p50,
      p99Ms: all.p99,
      failed: one.failed + all.failed,
      startupS: Math.round(startupS * 10) / 10,
    };
    log(
      `${hosts} hosts, ${LINES} lines through the VIP: one line ${r.oneLinePerSecond}/s, ${LINES} lines ${r.allLinesPerSecond}/s (${r.scaling} x ${LINES} x one line; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.failed} failed; sandbox up in ${r.startupS} s)`,
    );
    return r;
  } finally {
    await hs.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 4 lines on 2 hosts + garbd cannot run yet: line 3 is planned on Galera node 3, whose place garbd takes (the
 * hosts sandbox refuses it naming lchost:lines); measured once the plan points lines at the data nodes only.
 */
export const TWO_HOSTS_NOT_MEASURED =
  "2 hosts + garbd at 4 lines: line 3 is planned on Galera node 3, which garbd replaces (editions/customerDeployment.ts); not measurable until the plan points lines at data nodes only";

/** The figures meet the target: 4 lines ≥ 0.9 × 4 × one line, nothing failed. */
export function hostsTargetMet(rows: HostsThroughput[]): boolean {
  return rows.every((r) => r.scaling >= 0.9 && r.failed === 0);
}

if (require.main === module) {
  (async () => {
    const rows = [await measureHostsThroughput(3, console.log)];
    console.log(JSON.stringify({ bench: "ha-hosts", hostsThroughput: rows, hostsThroughputNotMeasured: TWO_HOSTS_NOT_MEASURED, met: hostsTargetMet(rows) }));
    if (!hostsTargetMet(rows)) process.exitCode = 1;
  })().catch((e) => {
    console.error(`bench ha-hosts failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  });
}
