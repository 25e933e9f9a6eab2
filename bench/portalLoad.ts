/**
 * The load generator of bench:portal, in its own process (forked by portalBench.ts, so the portal's CPU and the
 * generator's are not one event loop): autocannon 8 at a fixed overall rate against one page, for a given time.
 *
 * Customer pages rotate over the given sessions: request n goes to customer n mod N with that customer's own
 * session cookie, and its body must name that customer (a page of anyone else, or the login page, is a wrong
 * body). Latency is each response's time from its request's send, taken from autocannon's `response` event for
 * every response (not only 2xx), so the percentiles below are exact rather than histogram buckets.
 *
 * Not autocannon's coordinated-omission correction: in autocannon 8 it records `recordValueWithExpectedInterval(
 * latency, Math.ceil(1 / rate))`, an expected interval of 1 ms whatever the rate, which adds one made-up sample
 * per millisecond of every response (a 40 ms response also counts as 39, 38, …, 1 ms) and so lowers the
 * percentiles. Its rate limit is bursty instead (each connection sends its share of a second back to back, then
 * waits for the next second), which is harsher on p99 than evenly spaced arrivals; the achieved rate is reported.
 */

export interface LoadJob {
  url: string;
  /** Customer pages: the customers and their session cookies (`name=value`), in rotation. Absent: the public page `/`. */
  sessions?: Array<{ customer: string; cookie: string }>;
  seconds: number;
  rate: number;
  connections: number;
  /** Sent as Accept-Language (the page names the customer in both languages). */
  language: "de" | "en";
}

export interface LoadResult {
  page: string;
  seconds: number;
  requests: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  wrongBody: number;
  statusCodes: Record<string, number>;
  bytesPerResponse: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: "done", fn: (r: AutocannonResult) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => AutocannonInstance;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function runLoad(job: LoadJob): Promise<LoadResult> {
  const autocannon = require("autocannon") as Autocannon;
  const sessions = job.sessions;
  let next = 0;
  let wrongBody = 0;
  const request: AutocannonRequest = sessions
    ? {
        method: "GET",
        setupRequest: (req, context) => {
          const s = sessions[next++ % sessions.length];
          context.customer = s.customer;
          return { ...req, path: `/c/${s.customer}`, headers: { ...req.headers, cookie: s.cookie } };
        },
        onResponse: (status, body, context) => {
          if (status === 200 && !body.includes(`Status of ${String(context.customer)}<`)) wrongBody++;
        },
      }
    : {
        method: "GET",
        path: "/",
        // the public page names no customer: any stack name in it is a wrong body
        onResponse: (status, body) => {
          if (status === 200 && /cust\d{3}|shared-\d/.test(body)) wrongBody++;
        },
      };
  const latencies: number[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        overallRate: job.rate,
        duration: job.seconds,
        timeout: 10,
        headers: { "accept-language": job.language },
        requests: [request],
        ignoreCoordinatedOmission: true,
      },
      (err, r) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const statusCodes: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(r.statusCodeStats)) statusCodes[code] = Number(count);
        resolve({
          page: sessions ? "customer" : "public",
          seconds: r.duration,
          requests: latencies.length,
          achievedRate: round2(latencies.length / r.duration),
          p50: round2(percentile(latencies, 50)),
          p90: round2(percentile(latencies, 90)),
          p99: round2(percentile(latencies, 99)),
          max: round2(latencies[latencies.length - 1] ?? NaN),
          mean: round2(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          wrongBody,
          statusCodes,
          bytesPerResponse: Math.round(bytes / Math.max(1, latencies.length)),
        });
      },
    );
    instance.on("response", (_client, _status, resBytes, responseTimeMs) => {
      latencies.push(responseTimeMs);
      bytes += resBytes;
    });
  });
}

if (require.main === module) {
  process.once("message", (job: LoadJob) => {
    runLoad(job).then(
      (r) => process.send!({ ok: true, result: r }, () => process.exit(0)),
      (e) => process.send!({ ok: false, error: String(e?.stack ?? e) }, () => process.exit(1)),
    );
  });
}
