/**
 * A bounded activation load through a sandbox's HTTPS entry point, as end users' depots make it: each
 * request activates one ticket with its own idempotency key, over keep-alive TLS connections. Bounded by
 * the tickets given, a request count and a duration. Used by the e2e failover tests and `npm run bench:ha`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import type { SandboxHandle } from "./startSandbox";

export interface ActivationOutcome {
  ticket: string;
  idempotencyKey: string;
  container: string;
  startedAt: number;
  endedAt: number;
  status: number;
  error?: string;
}

export interface LoadResult {
  outcomes: ActivationOutcome[];
  acknowledged: ActivationOutcome[];
  failures: ActivationOutcome[];
  startedAt: number;
  endedAt: number;
}

export interface LoadOptions {
  stack: string;
  tickets: string[];
  concurrency: number;
  durationMs: number;
  /** Stop early when this resolves. */
  stop?: Promise<unknown>;
  timeoutMs?: number;
}

export function activationAgent(sb: SandboxHandle, maxSockets: number): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets, ca: fs.readFileSync(sb.tls.caCert) });
}

function activateOnce(sb: SandboxHandle, stack: string, agent: https.Agent, ticket: string, timeoutMs: number): Promise<ActivationOutcome> {
  const gw = sb.endpoints[stack].gateway!;
  const idempotencyKey = crypto.randomUUID();
  const container = `3-${1000000 + crypto.randomInt(8999999)}`;
  const payload = JSON.stringify({ container, idempotencyKey });
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const done = (status: number, error?: string) => resolve({ ticket, idempotencyKey, container, startedAt, endedAt: Date.now(), status, error });
    const req = https.request(
      {
        host: gw.address,
        port: gw.port,
        servername: gw.host,
        method: "POST",
        path: `/depot/v1/tickets/${ticket}/activations`,
        agent,
        timeout: timeoutMs,
        headers: { host: gw.host, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => done(res.statusCode ?? 0, res.statusCode === 201 ? undefined : body.slice(0, 300)));
        res.on("error", (e) => done(0, e.message));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => done(0, e.message));
    req.end(payload);
  });
}

export async function runActivationLoad(sb: SandboxHandle, opts: LoadOptions): Promise<LoadResult> {
  const agent = activationAgent(sb, opts.concurrency);
  const outcomes: ActivationOutcome[] = [];
  const startedAt = Date.now();
  const deadline = startedAt + opts.durationMs;
  let next = 0;
  let stopped = false;
  opts.stop?.then(() => (stopped = true));
  const worker = async () => {
    while (!stopped && Date.now() < deadline && next < opts.tickets.length) {
      const ticket = opts.tickets[next++];
      outcomes.push(await activateOnce(sb, opts.stack, agent, ticket, opts.timeoutMs ?? 30_000));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  return {
    outcomes,
    acknowledged: outcomes.filter((o) => o.status === 201),
    failures: outcomes.filter((o) => o.status !== 201),
    startedAt,
    endedAt: Date.now(),
  };
}

/** Creates `count` tickets on a line's admin port, `parallel` at a time. */
export async function createTickets(sb: SandboxHandle, stack: string, count: number, prefix: string, parallel = 8): Promise<string[]> {
  const lines = sb.endpoints[stack].lines;
  const out: string[] = [];
  let i = 0;
  const worker = async () => {
    while (i < count) {
      const n = i++;
      const line = lines[n % lines.length];
      const res = await fetch(`${line.adminUrl}/admin/v1/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${sb.credentials[stack].adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ orderId: `${prefix}-${n}`, items: [{ productCode: 1001, quantity: 1 }] }),
      });
      const body = (await res.json()) as any;
      if (res.status !== 201) throw new Error(`creating ticket ${prefix}-${n}: ${res.status} ${JSON.stringify(body)}`);
      out.push(body.ticket);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
