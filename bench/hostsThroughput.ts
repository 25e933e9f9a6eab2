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
import { hostsStackText } from "./hostsFixtures";

const LINES = 4;
const WARMUP_MS = 1000;
const MEASURE_MS = 6000;
/**
 * Requests in flight per line in the pool. A closed-loop client keeps a line's FSB (one signature at a time, 50 ms)
 * busy only while another request already waits at it: in flight ≥ 1 + (the rest of a request's time / 50 ms).
 * On the shared 2-core machine the rest grew to ~150-300 ms at 4 lines (Galera, the lines, the balancer and the
 * client share the cores), so 3 in flight left the FSBs idle (0.64 × on 2 hosts, 0.69 × on 3 hosts at load average
 * 9); 6 keep them fed (0.82 ×, 0.77 × in the same conditions; 1.0 × on both at load average 2-4). The one-line run
 * uses the same number per line.
 */
const PER_LINE_CONCURRENCY = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HostsThroughput {
  hosts: number;
  /** Client requests in flight per line in the pool (closed loop: one line gets this many, 4 lines 4 × this many). */
  perLineConcurrency: number;
  oneLinePerSecond: number;
  allLinesPerSecond: number;
  /** all / (4 × one) */
  scaling: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** First attempts not answered 201 (fixed by the retry or not). */
  firstAttemptsFailed: number;
  startupS: number;
  /** The machine's CPU in use during the 4-line run, % of all cores (/proc/stat), and its core count. */
  machineCpuBusyPercent: number;
  cores: number;
  /** Cores used during the 4-line run by each kind of part (/proc/<pid>/stat of every process in the namespaces). */
  coresByPart: Record<string, number>;
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

/** Busy and total jiffies of all cores (/proc/stat's first line). */
function machineCpu(): { busy: number; total: number } {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** utime + stime (jiffies) of a process, undefined once it is gone. */
function processJiffies(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** Every process in the hosts' and the client's namespaces, by the kind of part it is. */
function partsByPid(hs: HostsSandbox): Map<number, string> {
  const kinds = new Map<number, string>();
  for (const p of hs.sb.processes()) if (p.pid !== undefined) kinds.set(p.pid, p.role === "database" ? "galera" : p.role);
  const out = new Map<number, string>();
  for (const ns of [...hs.layout.hosts.map((h) => h.name), hs.layout.client.name]) {
    for (const pid of hs.network.pids(ns)) {
      let kind = kinds.get(pid);
      if (!kind) {
        const comm = (() => {
          try {
            return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
          } catch {
            return "";
          }
        })();
        kind = ns === hs.layout.client.name ? "client" : comm === "mariadbd" ? "galera" : comm || "other";
      }
      out.set(pid, kind);
    }
  }
  return out;
}

/** Cores used per kind of part between two readings. */
function coresUsed(before: Map<number, number>, after: Map<number, number>, kinds: Map<number, string>, seconds: number): Record<string, number> {
  const hz = 100; // USER_HZ on Linux
  const out: Record<string, number> = {};
  for (const [pid, kind] of kinds) {
    const a = after.get(pid);
    const b = before.get(pid);
    if (a === undefined || b === undefined) continue;
    out[kind] = (out[kind] ?? 0) + (a - b) / hz / seconds;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]));
}

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  firstAttemptsFailed: number;
  machineCpuBusyPercent: number;
  coresByPart: Record<string, number>;
}

async function measure(hs: HostsSandbox, tickets: string[], lines: number, perLineConcurrency: number): Promise<Measured> {
  await setPool(hs, lines);
  const run = hs.startClient({
    tickets,
    concurrency: lines * perLineConcurrency,
    durationMs: WARMUP_MS + MEASURE_MS,
    timeoutMs: 10_000,
    retryAfterMs: 1000,
    pauseMs: 0,
  });
  // the CPU during the measured window (after the warm-up): the machine's and each part's
  await sleep(WARMUP_MS);
  const kinds = partsByPid(hs);
  const read = () => new Map([...kinds.keys()].flatMap((pid) => (processJiffies(pid) === undefined ? [] : [[pid, processJiffies(pid)!] as const])));
  const cpu0 = machineCpu();
  const jiffies0 = read();
  const t0 = Date.now();
  await sleep(MEASURE_MS - 500);
  const cpu1 = machineCpu();
  const jiffies1 = read();
  const cpuSeconds = (Date.now() - t0) / 1000;
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
    firstAttemptsFailed: outcomes.filter((o) => o.attempts[0].status !== 201).length,
    machineCpuBusyPercent: Math.round(((cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total)) * 1000) / 10,
    coresByPart: coresUsed(jiffies0, jiffies1, kinds, cpuSeconds),
  };
}

export async function measureHostsThroughput(
  hosts: 2 | 3,
  log: (l: string) => void = () => undefined,
  perLineConcurrency = PER_LINE_CONCURRENCY,
): Promise<HostsThroughput> {
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
  });
  try {
    const startupS = (Date.now() - t0) / 1000;
    const tickets = await createTickets(hs.sb, "nsb", 1200, `nsb-${process.pid}`, 12);
    const one = await measure(hs, tickets.slice(0, 300), 1, perLineConcurrency);
    const all = await measure(hs, tickets.slice(300), LINES, perLineConcurrency);
    const r: HostsThroughput = {
      hosts,
      perLineConcurrency,
      oneLinePerSecond: Math.round(one.perSecond * 10) / 10,
      allLinesPerSecond: Math.round(all.perSecond * 10) / 10,
      scaling: Math.round((all.perSecond / (LINES * one.perSecond)) * 100) / 100,
      p50Ms: all.p50,
      p99Ms: all.p99,
      failed: one.failed + all.failed,
      firstAttemptsFailed: one.firstAttemptsFailed + all.firstAttemptsFailed,
      startupS: Math.round(startupS * 10) / 10,
      machineCpuBusyPercent: all.machineCpuBusyPercent,
      cores: os.cpus().length,
      coresByPart: all.coresByPart,
    };
    log(
      `${hosts} hosts, ${LINES} lines through the VIP: one line ${r.oneLinePerSecond}/s, ${LINES} lines ${r.allLinesPerSecond}/s (${r.scaling} x ${LINES} x one line; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.failed} failed; sandbox up in ${r.startupS} s; ${perLineConcurrency} requests in flight per line; during the ${LINES}-line run the machine's CPU ${r.machineCpuBusyPercent} % busy of ${r.cores} cores, cores by part ${JSON.stringify(r.coresByPart)}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")})`,
    );
    return r;
  } finally {
    await hs.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures meet the target: 4 lines ≥ 0.9 × 4 × one line, nothing failed. */
export function hostsTargetMet(rows: HostsThroughput[]): boolean {
  return rows.every((r) => r.scaling >= 0.9 && r.failed === 0);
}

/** bench:ha's JSON fields: 4 lines' throughput on 2 and on 3 hosts as a share of 4 × one line. */
export function hostsRatios(rows: HostsThroughput[]): { throughput_2_hosts_ratio?: number; throughput_3_hosts_ratio?: number } {
  const of = (n: number) => rows.find((r) => r.hosts === n)?.scaling;
  return { throughput_2_hosts_ratio: of(2), throughput_3_hosts_ratio: of(3) };
}

/** Both layouts, one after the other (each sandbox stopped before the next starts). */
export async function measureHostsLayouts(log: (l: string) => void = () => undefined, perLineConcurrency?: number): Promise<HostsThroughput[]> {
  return [await measureHostsThroughput(2, log, perLineConcurrency), await measureHostsThroughput(3, log, perLineConcurrency)];
}

if (require.main === module) {
  (async () => {
    const arg = process.argv.indexOf("--per-line-concurrency");
    const perLine = arg > 0 ? Number(process.argv[arg + 1]) : undefined;
    if (perLine !== undefined && !(Number.isInteger(perLine) && perLine >= 1 && perLine <= 32))
      throw new Error(`--per-line-concurrency: ${process.argv[arg + 1]}; a whole number 1-32`);
    const rows = await measureHostsLayouts(console.log, perLine);
    console.log(JSON.stringify({ bench: "ha-hosts", ...hostsRatios(rows), hostsThroughput: rows, met: hostsTargetMet(rows) }));
    if (!hostsTargetMet(rows)) process.exitCode = 1;
  })().catch((e) => {
    console.error(`bench ha-hosts failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  });
}
