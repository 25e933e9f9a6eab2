/**
 * The customer's client for the sandbox's hosts: a bounded activation load against the virtual IP, run in a
 * network namespace of its own (`spawnVipClient`: `ip netns exec <client> node vipClientMain.js`), so it reaches
 * the customer exactly as a depot does — through the VIP and the bridge, never a host's loopback.
 *
 * Each request activates one ticket with its own idempotency key. A request that fails (no answer, a 5xx, a 409
 * "in progress", a timeout) is sent once more with the SAME key after `retryAfterMs`, on a new connection: License
 * Central answers a replay of a committed activation with the same 201, so the retry can never activate twice.
 * Each request's outcome (both attempts) is one JSON line on stdout; ticket codes and keys travel only over that
 * pipe to the parent, never into a log.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { packageRoot } from "../../model/packageRoot";

export interface VipClientOptions {
  /** The virtual IP and the entry's port. */
  address: string;
  port: number;
  /** TLS server name and Host header (the customer's name on the certificate). */
  servername: string;
  /** PEM of the CA that issued the entry's certificate. */
  caPem: string;
  tickets: string[];
  concurrency: number;
  durationMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Pause before the one retry with the same key. */
  retryAfterMs: number;
  /** Pause after each request of a worker (0: as fast as answers come). */
  pauseMs: number;
}

export interface AttemptResult {
  startedAt: number;
  endedAt: number;
  status: number;
  error?: string;
}

export interface RequestOutcome {
  ticket: string;
  idempotencyKey: string;
  container: string;
  attempts: AttemptResult[];
  /** Answered 201 by one of its attempts. */
  acknowledged: boolean;
}

export interface VipLoadSummary {
  requests: number;
  acknowledged: number;
  /** Acknowledged only on the retry (the first attempt failed). */
  fixedByRetry: number;
  /** Neither attempt was answered 201. */
  failed: number;
  /** First attempts that failed (fixed or not). */
  firstAttemptsFailed: number;
  /** acknowledged / requests (1 when there was none). */
  availability: number;
  firstAttemptAvailability: number;
}

export function summarize(outcomes: RequestOutcome[]): VipLoadSummary {
  const requests = outcomes.length;
  const acknowledged = outcomes.filter((o) => o.acknowledged).length;
  const firstFailed = outcomes.filter((o) => o.attempts[0]?.status !== 201).length;
  return {
    requests,
    acknowledged,
    fixedByRetry: outcomes.filter((o) => o.acknowledged && o.attempts[0]?.status !== 201).length,
    failed: requests - acknowledged,
    firstAttemptsFailed: firstFailed,
    availability: requests ? acknowledged / requests : 1,
    firstAttemptAvailability: requests ? (requests - firstFailed) / requests : 1,
  };
}

/** Whether an answer is worth the one retry with the same key (anything but a 2xx or a 4xx other than 409/429). */
export function retryable(a: AttemptResult): boolean {
  if (a.status === 201) return false;
  if (a.status === 409 || a.status === 429) return true;
  return !(a.status >= 400 && a.status < 500);
}

function attempt(o: VipClientOptions, agent: https.Agent | false, ticket: string, key: string, container: string): Promise<AttemptResult> {
  const payload = JSON.stringify({ container, idempotencyKey: key });
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ startedAt, endedAt: Date.now(), status, ...(error ? { error: error.slice(0, 200) } : {}) });
    };
    const req = https.request(
      {
        host: o.address,
        port: o.port,
        servername: o.servername,
        ca: o.caPem,
        method: "POST",
        path: `/depot/v1/tickets/${ticket}/activations`,
        agent,
        timeout: o.timeoutMs,
        headers: { host: o.servername, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d.length + body.length <= 2000 ? d : ""));
        res.on("end", () => done(res.statusCode ?? 0, res.statusCode === 201 ? undefined : body.replace(/"ticket":"[^"]*"/g, '"ticket":"…"')));
        res.on("error", (e) => done(0, e.message));
      },
    );
    // an overall deadline too: `timeout` is per idle socket, a trickling answer would not trip it
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on("timeout", () => req.destroy(new Error(`idle for ${o.timeoutMs} ms`)));
    req.on("error", (e) => done(0, (e as NodeJS.ErrnoException).code ?? e.message));
    req.on("close", () => clearTimeout(deadline));
    req.end(payload);
  });
}

/**
 * Runs the load until the duration is over, the tickets are used up or `stop()` returns true; calls `onOutcome`
 * for each finished request. Requests in flight at the end finish (with their retry).
 */
export async function runVipLoad(o: VipClientOptions, onOutcome: (r: RequestOutcome) => void, stop: () => boolean = () => false): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.concurrency, ca: o.caPem });
  const until = Date.now() + o.durationMs;
  let next = 0;
  const worker = async () => {
    while (!stop() && Date.now() < until && next < o.tickets.length) {
      const ticket = o.tickets[next++];
      const key = crypto.randomUUID();
      const container = `3-${1000000 + crypto.randomInt(8999999)}`;
      const first = await attempt(o, agent, ticket, key, container);
      const attempts = [first];
      if (retryable(first)) {
        await new Promise((r) => setTimeout(r, o.retryAfterMs));
        attempts.push(await attempt(o, false, ticket, key, container));
      }
      onOutcome({ ticket, idempotencyKey: key, container, attempts, acknowledged: attempts.some((a) => a.status === 201) });
      if (o.pauseMs > 0) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  agent.destroy();
}

export function vipClientMainPath(): string {
  return path.join(packageRoot(), "dist", "sandbox", "hosts", "vipClientMain.js");
}

/** A client load running in a namespace; `outcomes` fills as requests finish. */
export interface VipClientRun {
  outcomes: RequestOutcome[];
  /** Ends the load early: requests in flight finish. */
  stop(): void;
  done: Promise<RequestOutcome[]>;
}

/** Starts the client in the namespace `netns` (options over stdin: the ticket codes never appear on a command line). */
export function spawnVipClient(netns: string, o: VipClientOptions, logFile: string): VipClientRun {
  const main = vipClientMainPath();
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -p tsconfig.json)`);
  const log = fs.openSync(logFile, "a", 0o600);
  const child: ChildProcess = spawn("ip", ["netns", "exec", netns, process.execPath, main], { stdio: ["pipe", "pipe", log] });
  fs.closeSync(log);
  const outcomes: RequestOutcome[] = [];
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) outcomes.push(JSON.parse(line));
    }
  });
  child.stdin!.end(JSON.stringify(o));
  const done = new Promise<RequestOutcome[]>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve(outcomes) : reject(new Error(`the client in ${netns} exited ${code ?? signal}; its log: ${logFile}`)),
    );
  });
  return {
    outcomes,
    stop: () => {
      if (child.exitCode === null) child.kill("SIGTERM");
    },
    done,
  };
}
