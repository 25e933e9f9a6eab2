/**
 * A real Prometheus holding synthetic history, for the SLA report's real-process test and its benchmark:
 * OpenMetrics text written from known outages, turned into TSDB blocks by `promtool tsdb create-blocks-from
 * openmetrics` (and the SLA recording rule backfilled by `promtool tsdb create-blocks-from rules`), served by
 * the Debian `prometheus` on a free loopback port. Every external program runs with a timeout.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../sandbox/freePort";
export { freePort };

/** Runs a program to its end within `timeoutMs`; rejects with its output on a non-zero exit. */
export function run(cmd: string, args: string[], timeoutMs: number, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") reject(new Error(`${cmd} is not installed: apt-get install -y prometheus`));
      else if (err) reject(new Error(`${cmd} ${args.join(" ")} failed (${err.message}):\n${`${stdout}${stderr}`.slice(-3000)}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

type Labels = Record<string, string>;
const labelText = (l: Labels) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/** Writes OpenMetrics text: each series' samples in time order (seconds with ms), ending in # EOF. */
export class OpenMetricsWriter {
  private readonly fd: number;
  private buf: string[] = [];
  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }
  /** One series; `samples` yields [unix ms, value] in increasing time. */
  series(metric: string, labels: Labels, samples: Iterable<[number, number]>): void {
    const prefix = `${metric}${labelText(labels)} `;
    for (const [ms, v] of samples) {
      this.buf.push(`${prefix}${v} ${(ms / 1000).toFixed(3)}\n`);
      if (this.buf.length >= 50_000) this.flush();
    }
  }
  close(): void {
    this.buf.push("# EOF\n");
    this.flush();
    fs.closeSync(this.fd);
  }
  private flush(): void {
    fs.writeSync(this.fd, this.buf.join(""));
    this.buf = [];
  }
}

/** Blackbox probes every `stepMs` from `fromMs` to `toMs` (stamped `phaseMs` into each step): 0 inside an outage, absent inside a gap. */
export function* probes(
  fromMs: number,
  toMs: number,
  outages: Array<[number, number]>,
  gaps: Array<[number, number]> = [],
  stepMs = 5000,
  phaseMs = 2345,
): Generator<[number, number]> {
  for (let t = fromMs + phaseMs; t < toMs; t += stepMs) {
    if (gaps.some(([a, b]) => t >= a && t < b)) continue;
    yield [t, outages.some(([a, b]) => t >= a && t < b) ? 0 : 1];
  }
}

/** OpenMetrics -> TSDB blocks in `tsdbDir` (blocks of up to 31 days: fewer files, a faster start). */
export async function createBlocks(openMetricsFile: string, tsdbDir: string, timeoutMs: number): Promise<void> {
  await run("promtool", ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=744h", openMetricsFile, tsdbDir], timeoutMs);
}

/** Evaluates a rules file over [start, end] against a running Prometheus and writes the results as blocks into `outDir`. */
export async function backfillRules(
  rulesFile: string,
  prometheusUrl: string,
  startMs: number,
  endMs: number,
  outDir: string,
  timeoutMs: number,
): Promise<void> {
  await run(
    "promtool",
    [
      "tsdb",
      "create-blocks-from",
      "rules",
      `--start=${new Date(startMs).toISOString()}`,
      `--end=${new Date(endMs).toISOString()}`,
      "--eval-interval=1m",
      `--url=${prometheusUrl}`,
      `--output-dir=${outDir}`,
      rulesFile,
    ],
    timeoutMs,
  );
}

/** Moves every block of `fromDir` into `tsdbDir` (a Prometheus that is not running). */
export function moveBlocks(fromDir: string, tsdbDir: string): number {
  let n = 0;
  for (const b of fs.readdirSync(fromDir)) {
    if (!/^[0-9A-Z]{26}$/.test(b)) continue;
    fs.renameSync(path.join(fromDir, b), path.join(tsdbDir, b));
    n++;
  }
  return n;
}

export interface RunningPrometheus {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** CPU seconds (user + system) a running process has used so far, from /proc (Linux; 100 ticks a second). */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The Debian Prometheus serving `tsdbDir` (kept forever: the history is old), scraping nothing, on a free
 * loopback port; resolves when /-/ready answers 200.
 */
export async function startPrometheus(tsdbDir: string, readyWithinMs: number): Promise<RunningPrometheus> {
  const config = path.join(tsdbDir, "..", "prometheus-empty.yml");
  fs.writeFileSync(config, "global:\n  scrape_interval: 1m\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${tsdbDir}`,
      "--storage.tsdb.retention.time=100y",
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.read-timeout=60s",
      "--query.timeout=60s",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => log.push(String(d)));
  child.stderr!.on("data", (d) => log.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return { url, pid: child.pid!, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`Prometheus did not become ready on ${url} within ${readyWithinMs} ms:\n${log.join("").slice(-3000)}`);
}
