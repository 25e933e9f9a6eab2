/**
 * The customer's side of the geo simulation: a health-checked DNS name with a low TTL in front of the sites'
 * entries (what a GSLB or a DNS failover service does), and end users' depots that resolve it, activate
 * tickets through the site they got, and on a failure retry the same activation (same idempotency key) after
 * a pause, resolving again once their cached answer's TTL has run out.
 */
import * as crypto from "crypto";
import * as https from "https";

export interface SiteEntry {
  site: string;
  address: string;
  port: number;
}

export interface GeoDnsOptions {
  entries: SiteEntry[];
  /** Host/SNI name of the customer (the entries' certificate is for it). */
  serverName: string;
  ca: Buffer;
  /** How often each entry's /readyz is checked through the entry, ms. */
  checkIntervalMs: number;
  /** Consecutive failed checks before an entry is withdrawn from the answers. */
  failuresToWithdraw: number;
  /** TTL of the answers, ms (clients keep an answer this long). */
  ttlMs: number;
  checkTimeoutMs?: number;
}

/** What the DNS answers: the healthy entries, the client's nearest first. Records when each entry was withdrawn. */
export class GeoDns {
  private readonly healthy = new Map<string, boolean>();
  private readonly failures = new Map<string, number>();
  readonly withdrawnAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly agent: https.Agent;

  constructor(readonly opts: GeoDnsOptions) {
    for (const e of opts.entries) this.healthy.set(e.site, true);
    this.agent = new https.Agent({ keepAlive: false, ca: opts.ca });
  }

  /** Checks every entry once now. */
  async checkAll(): Promise<void> {
    await Promise.all(this.opts.entries.map((e) => this.check(e)));
  }

  start(): void {
    const tick = async () => {
      await this.checkAll();
      this.timer = setTimeout(tick, this.opts.checkIntervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  /** The entry a client near `site` gets: its own site while it is healthy, else the first healthy one. */
  resolve(site: string): SiteEntry | undefined {
    const own = this.opts.entries.find((e) => e.site === site && this.healthy.get(e.site));
    return own ?? this.opts.entries.find((e) => this.healthy.get(e.site));
  }

  private async check(e: SiteEntry): Promise<void> {
    const status = await httpsStatus(e, this.opts.serverName, "/readyz", this.agent, this.opts.checkTimeoutMs ?? 1000);
    if (status === 200) {
      this.failures.set(e.site, 0);
      this.healthy.set(e.site, true);
      return;
    }
    const n = (this.failures.get(e.site) ?? 0) + 1;
    this.failures.set(e.site, n);
    if (n >= this.opts.failuresToWithdraw && this.healthy.get(e.site)) {
      this.healthy.set(e.site, false);
      this.withdrawnAt.set(e.site, Date.now());
    }
  }
}

function httpsStatus(e: SiteEntry, serverName: string, path: string, agent: https.Agent, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: e.address, port: e.port, servername: serverName, path, agent, timeout: timeoutMs, headers: { host: serverName } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end();
  });
}

export interface Attempt {
  client: number;
  site: string;
  ticket: string;
  idempotencyKey: string;
  container: string;
  startedAt: number;
  endedAt: number;
  status: number;
  error?: string;
}

export interface ClientOutage {
  client: number;
  home: string;
  firstFailureAt: number;
  servedAgainAt: number | undefined;
  servedAgainBy: string | undefined;
  failedAttempts: number;
}

export interface GeoLoadResult {
  attempts: Attempt[];
  /** Activations answered 201 (one per ticket: a retried one counts once). */
  acknowledged: Attempt[];
  outages: ClientOutage[];
  startedAt: number;
  endedAt: number;
}

export interface GeoLoadOptions {
  dns: GeoDns;
  /** One depot per entry: the site it is near to (its DNS answer prefers it). */
  clients: string[];
  tickets: string[];
  durationMs: number;
  ttlMs: number;
  retryPauseMs: number;
  requestTimeoutMs: number;
  serverName: string;
  ca: Buffer;
}

/** Each client activates tickets one after another for `durationMs`; a failed activation is retried until it succeeds or time is up. */
export async function runGeoLoad(opts: GeoLoadOptions): Promise<GeoLoadResult> {
  const attempts: Attempt[] = [];
  const acknowledged: Attempt[] = [];
  const outages: ClientOutage[] = [];
  const startedAt = Date.now();
  const deadline = startedAt + opts.durationMs;
  let next = 0;
  const client = async (id: number, home: string) => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: opts.ca });
    let answer: { entry: SiteEntry; until: number } | undefined;
    let outage: ClientOutage | undefined;
    try {
      while (Date.now() < deadline && next < opts.tickets.length) {
        const ticket = opts.tickets[next++];
        const idempotencyKey = crypto.randomUUID();
        const container = `3-${1000000 + crypto.randomInt(8999999)}`;
        for (;;) {
          if (!answer || Date.now() >= answer.until) {
            const entry = opts.dns.resolve(home);
            answer = entry ? { entry, until: Date.now() + opts.ttlMs } : undefined;
          }
          const a = answer
            ? await activate(answer.entry, opts, agent, { client: id, ticket, idempotencyKey, container })
            : { client: id, site: "-", ticket, idempotencyKey, container, startedAt: Date.now(), endedAt: Date.now(), status: 0, error: "no DNS answer" };
          attempts.push(a);
          if (a.status === 201) {
            acknowledged.push(a);
            if (outage && outage.servedAgainAt === undefined) {
              outage.servedAgainAt = a.endedAt;
              outage.servedAgainBy = a.site;
            }
            break;
          }
          if (!outage || outage.servedAgainAt !== undefined) {
            outage = { client: id, home, firstFailureAt: a.startedAt, servedAgainAt: undefined, servedAgainBy: undefined, failedAttempts: 0 };
            outages.push(outage);
          }
          outage.failedAttempts++;
          agent.destroy(); // a fresh connection for the retry, as a depot would after an error
          if (Date.now() + opts.retryPauseMs >= deadline) return;
          await new Promise((r) => setTimeout(r, opts.retryPauseMs));
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(opts.clients.map((home, i) => client(i, home)));
  return { attempts, acknowledged, outages, startedAt, endedAt: Date.now() };
}

function activate(
  entry: SiteEntry,
  opts: GeoLoadOptions,
  agent: https.Agent,
  a: { client: number; ticket: string; idempotencyKey: string; container: string },
): Promise<Attempt> {
  const payload = JSON.stringify({ container: a.container, idempotencyKey: a.idempotencyKey });
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const done = (status: number, error?: string) => resolve({ ...a, site: entry.site, startedAt, endedAt: Date.now(), status, error });
    const req = https.request(
      {
        host: entry.address,
        port: entry.port,
        servername: opts.serverName,
        method: "POST",
        path: `/depot/v1/tickets/${a.ticket}/activations`,
        agent,
        timeout: opts.requestTimeoutMs,
        headers: { host: opts.serverName, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => done(res.statusCode ?? 0, res.statusCode === 201 ? undefined : body.slice(0, 200)));
        res.on("error", (e) => done(0, e.message));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.requestTimeoutMs} ms`)));
    req.on("error", (e) => done(0, e.message));
    req.end(payload);
  });
}
