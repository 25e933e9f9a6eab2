/**
 * npm run bench:slowloris — the gateway under a slowloris attack. The real HAProxy runs the rendered
 * gateway config of a High Availability package (the catalog's limits, `timeout http-request` 5 s) in
 * front of a trivial local backend (sandbox/standaloneGateway.ts). An attacker process holds 2,000 TLS
 * connections that trickle their request head (a header line every 2 s, reconnecting when cut off),
 * spread over as many loopback source addresses as the per-source cap needs so that all are admitted;
 * meanwhile a normal client (another address, a new TLS connection per request) measures latency.
 * Bounded: 2,000 connections, about 40 s; loopback only. Prints one JSON line {"bench":"slowloris", ...}.
 */
import { fork } from "child_process";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { editionFacts } from "../model/catalog";
import { DEFAULT_TIMEOUTS } from "../haproxy/renderConfig";
import { percentile } from "../sandbox/activationLoad";
import { clientContext, rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../sandbox/standaloneGateway";

const SLOW_CONNECTIONS = 2000;
const TRICKLE_MS = 2000;
const BASELINE_MS = 5000;
const ATTACK_MS = 20_000;
const TARGET_P99_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AttackerInput {
  address: string;
  port: number;
  servername: string;
  caCert: string;
  sources: string[];
  perSource: number;
  durationMs: number;
}

interface AttackerReport {
  opened: number;
  refused: number;
  cutOff: number;
  answered408: number;
  /** Longest a slow connection stayed open before the gateway closed it. */
  maxHeldMs: number;
  peakOpen: number;
  /** When the last of the first SLOW_CONNECTIONS handshakes completed, from the attack's start. */
  allOpenAfterMs: number;
}

/** The attacker, in its own process so its sockets do not slow the measuring client's event loop. */
async function attacker(input: AttackerInput): Promise<AttackerReport> {
  const secureContext = clientContext(input.caCert);
  const report: AttackerReport = { opened: 0, refused: 0, cutOff: 0, answered408: 0, maxHeldMs: 0, peakOpen: 0, allOpenAfterMs: -1 };
  let open = 0;
  const start = Date.now();
  const total = input.sources.length * input.perSource;
  const deadline = Date.now() + input.durationMs;
  const sockets = new Set<tls.TLSSocket>();
  const slot = (source: string): Promise<void> =>
    new Promise((resolve) => {
      if (Date.now() > deadline) return resolve();
      const socket = tls.connect({
        host: input.address,
        port: input.port,
        servername: input.servername,
        secureContext,
        ...({ localAddress: source } as object),
      });
      sockets.add(socket);
      let openedAt = 0;
      let got = "";
      let timer: NodeJS.Timeout | undefined;
      socket.once("secureConnect", () => {
        openedAt = Date.now();
        report.opened++;
        report.peakOpen = Math.max(report.peakOpen, ++open);
        if (report.opened === total) report.allOpenAfterMs = openedAt - start;
        socket.write(`GET /depot/v1/slow HTTP/1.1\r\nHost: ${input.servername}\r\n`);
        let n = 0;
        timer = setInterval(() => socket.write(`X-Slow-${n++}: aaaaaaaaaa\r\n`), TRICKLE_MS);
      });
      socket.on("data", (d) => (got += d.toString("latin1")));
      socket.on("error", () => undefined);
      socket.once("close", () => {
        clearInterval(timer);
        sockets.delete(socket);
        if (openedAt) {
          open--;
          if (Date.now() <= deadline) {
            report.cutOff++;
            report.maxHeldMs = Math.max(report.maxHeldMs, Date.now() - openedAt);
            if (got.startsWith("HTTP/1.1 408")) report.answered408++;
          }
        } else report.refused++;
        // Keep the pressure on: a cut-off slot reconnects at once (after a refusal, a little later).
        setTimeout(() => void slot(source).then(resolve), openedAt ? 0 : 200);
      });
    });
  const progress = process.env.LCHOST_BENCH_VERBOSE
    ? setInterval(
        () => console.error(`attacker +${Date.now() - start} ms: opened ${report.opened}, open ${open}, cut off ${report.cutOff}, refused ${report.refused}`),
        2000,
      )
    : undefined;
  const slots: Array<Promise<void>> = [];
  // Ramp up in small batches: 2,000 synchronous tls.connect calls would block this process's event loop for seconds.
  for (const source of input.sources) {
    for (let i = 0; i < input.perSource; i++) {
      slots.push(slot(source));
      if (slots.length % 20 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  await sleep(input.durationMs);
  clearInterval(progress);
  for (const s of sockets) s.destroy();
  await Promise.race([Promise.all(slots), sleep(2000)]);
  return report;
}

async function measure(gw: StandaloneGateway, ms: number): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + ms;
  const worker = async () => {
    while (Date.now() < until) {
      const t0 = performance.now();
      const r = await rawHttpsRequest(gw, "GET /depot/v1/normal HTTP/1.1", { localAddress: "127.0.11.1", timeoutMs: 10_000 });
      if (r.status === 200) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all([worker(), worker()]);
  return { latencies, errors };
}

const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const started = Date.now();
  const limits = editionFacts("high-availability").gateway;
  const dir = path.join(os.tmpdir(), `lchost-bench-slowloris-${process.pid}`);
  const gw = await startStandaloneGateway({ dir, limits });
  try {
    const perSource = Math.min(limits.connectionsPerSource, SLOW_CONNECTIONS);
    const sources = Array.from({ length: Math.ceil(SLOW_CONNECTIONS / perSource) }, (_, i) => `127.0.10.${i + 1}`);
    const baseline = await measure(gw, BASELINE_MS);

    const input: AttackerInput = {
      address: gw.address,
      port: gw.port,
      servername: gw.servername,
      caCert: gw.tls.caCert,
      sources,
      perSource,
      durationMs: ATTACK_MS,
    };
    const child = fork(__filename, ["--attacker", JSON.stringify(input)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const attackReport = new Promise<AttackerReport>((resolve, reject) => {
      child.once("message", (m) => resolve(m as AttackerReport));
      child.once("exit", (code) => reject(new Error(`attacker exited with ${code} before reporting`)));
    });
    // Let the 2,000 connections build up, then measure while they are held.
    await sleep(4000);
    const during = await measure(gw, ATTACK_MS - 6000);
    const attack = await attackReport;

    const p = (xs: number[], q: number) => round(percentile(xs, q));
    const result = {
      bench: "slowloris",
      gateway: {
        maxConnections: limits.maxConnections,
        connectionsPerSource: limits.connectionsPerSource,
        httpRequestTimeoutMs: DEFAULT_TIMEOUTS.httpRequestMs,
      },
      slowConnections: SLOW_CONNECTIONS,
      sources: sources.length,
      attack: { ...attack, seconds: ATTACK_MS / 1000 },
      baseline: { requests: baseline.latencies.length, errors: baseline.errors, p50Ms: p(baseline.latencies, 50), p99Ms: p(baseline.latencies, 99) },
      duringAttack: {
        requests: during.latencies.length,
        errors: during.errors,
        p50Ms: p(during.latencies, 50),
        p99Ms: p(during.latencies, 99),
        maxMs: round(Math.max(...during.latencies)),
      },
      targetP99Ms: TARGET_P99_MS,
      // maxHeldMs is seen by the attacker, whose own event loop lags under 2,000 handshakes: reported, not judged.
      // All 2,000 slow connections were opened; how many are held at once is capped by the 5 s cut-off
      // (peakOpen): the gateway's defence, not a shortfall of the attack.
      met: during.errors === 0 && percentile(during.latencies, 99) <= TARGET_P99_MS && attack.opened >= SLOW_CONNECTIONS && attack.answered408 > 0,
      machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]) },
      seconds: round((Date.now() - started) / 1000),
    };
    console.log(
      `normal requests (new TLS connection each): p99 ${result.baseline.p99Ms} ms before, ${result.duringAttack.p99Ms} ms during a slowloris of ${attack.peakOpen} held connections ` +
        `(${attack.cutOff} cut off by the gateway, longest held ${attack.maxHeldMs} ms, ${attack.refused} refused at accept)`,
    );
    console.log(JSON.stringify(result));
    if (!result.met) process.exitCode = 1;
  } finally {
    await gw.stop();
  }
}

if (process.argv[2] === "--attacker") {
  attacker(JSON.parse(process.argv[3]))
    .then((r) => {
      process.send!(r, () => process.exit(0));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
