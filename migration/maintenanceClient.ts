/** Talks to License Central's admin API on every line: maintenance on/off, and waiting until it holds. */
import type { LineEndpoint } from "./deploymentTarget";

export interface LineMaintenance {
  enabled: boolean;
  line: { observedEnabled: boolean; inFlightRequests: number; pollMs: number };
}

/** How long one admin call may take, and how often an idempotent one is tried (loaded hosts are slow, not gone). */
export const ADMIN_CALL = { timeoutMs: 5000, attempts: 3, backoffMs: [250, 1000] };

/** Answers worth another try: the line or its database was busy, not the request wrong. */
const RETRIED_STATUS = new Set([500, 502, 503, 504]);

/**
 * One admin call, tried up to ADMIN_CALL.attempts times on no answer in time, a refused connection or a 5xx:
 * every call made here (PUT maintenance, GET its state) is idempotent, so a retry cannot apply anything twice.
 * A call that never succeeds names the line, the request and what each attempt got.
 */
export async function admin(line: LineEndpoint, token: string, method: string, path: string, body?: unknown, call = ADMIN_CALL): Promise<any> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= call.attempts; attempt++) {
    try {
      const res = await fetch(line.adminUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      const text = await res.text();
      if (res.ok) return JSON.parse(text);
      const answer = `answered ${res.status}: ${text.slice(0, 300)}`;
      if (!RETRIED_STATUS.has(res.status)) throw new Error(`${line.name}: ${method} ${path} ${answer}`);
      failures.push(answer);
    } catch (e) {
      const err = e as Error;
      if (err.message.startsWith(`${line.name}: `)) throw err; // a 4xx: the request is wrong, no retry
      const code = (err as Error & { cause?: { code?: string } }).cause?.code;
      failures.push(
        err.name === "TimeoutError" || err.name === "AbortError" ? `no answer within ${call.timeoutMs} ms` : code ? `${err.message} (${code})` : err.message,
      );
    }
    if (attempt < call.attempts) await new Promise((r) => setTimeout(r, call.backoffMs[Math.min(attempt - 1, call.backoffMs.length - 1)]));
  }
  throw new Error(`${line.name}: ${method} ${path} failed ${call.attempts} times (${failures.join("; ")})`);
}

export async function setMaintenance(
  lines: LineEndpoint[],
  token: string,
  enabled: boolean,
  opts: { retryAfterSeconds?: number; reason?: string } = {},
): Promise<void> {
  if (lines.length === 0) throw new Error("no License Central line to put into maintenance");
  // Every line is told (so each sees the state at once, not only at its next poll), one after the other: each
  // PUT writes the same row, and concurrent writes of one row through different Galera nodes fail certification
  // (a deadlock error, 500) — found by the sandbox's HA -> High Performance move.
  for (const line of lines) {
    await admin(line, token, "PUT", "/admin/v1/maintenance", {
      enabled,
      retryAfterSeconds: opts.retryAfterSeconds ?? 30,
      ...(opts.reason ? { reason: opts.reason } : {}),
    });
  }
}

/** Waits until every line observes maintenance and serves no write request any more. */
export async function waitUntilQuiet(lines: LineEndpoint[], token: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(lines.map(async (l) => ({ l, s: (await admin(l, token, "GET", "/admin/v1/maintenance")) as LineMaintenance })));
    const busy = states.filter(({ s }) => !s.line.observedEnabled || s.line.inFlightRequests > 0);
    if (busy.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `lines still writing after ${timeoutMs} ms: ${busy.map(({ l, s }) => `${l.name} (observed ${s.line.observedEnabled}, in flight ${s.line.inFlightRequests})`).join(", ")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until each line answers /readyz with 200. */
export async function waitUntilReady(lines: LineEndpoint[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const l of lines) {
    for (;;) {
      const ok = await fetch(`${l.adminUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${l.name} not ready after ${timeoutMs} ms (${l.adminUrl}/readyz)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
