/**
 * A userspace WAN between sites: a TCP relay that forwards each accepted connection to a fixed target and
 * delays every chunk by a one-way latency (+ jitter). This machine's kernel has no sch_netem (`tc qdisc add …
 * netem` fails with "Specified qdisc kind is unknown", and a container cannot load modules), so the latency
 * is made here instead of in the kernel.
 *
 *  - Latency: each chunk is written to the other side `latencyMs ± jitterMs` after it arrived, in order
 *    (a chunk never overtakes the one before it), in both directions: a round trip costs 2 × latencyMs.
 *  - Loss: TCP never loses bytes end to end; a lossy WAN shows up as retransmission stalls. Modelled as
 *    "stallPercent % of chunks are delayed by an extra RTO of stallMs (~200 ms)", which also holds up the
 *    chunks behind them (head-of-line blocking), as a retransmission does.
 *  - Cut: a link between two sites is cut by closing every connection on it and closing each new one at
 *    once; restoring the link lets new connections through again.
 *
 * Which link a connection uses is decided by the sites of its two ends (`siteOf` of the client's address and
 * of the target's). The relay is one object per process: `wanRelayMain.ts` runs it in the WAN namespace.
 */
import * as net from "net";

export interface WanLink {
  /** One-way delay added to every chunk, ms. */
  latencyMs: number;
  /** Uniform ± jitter around the latency, ms (never below 0 in total). */
  jitterMs: number;
  /** Share of chunks (0–100) held back by an extra `stallMs`, as a retransmission would. */
  stallPercent: number;
  stallMs: number;
}

export interface WanRoute {
  /** Port the relay listens on (the WAN namespace redirects the site-to-site traffic for the target here). */
  listenPort: number;
  target: { host: string; port: number };
}

export interface WanRelayOptions {
  /** Address the listeners bind (default 0.0.0.0: the redirected traffic arrives on the site-facing addresses). */
  bindAddress?: string;
  routes: WanRoute[];
  /** The site of an address, or undefined for an address outside every site (it gets no delay and no cut). */
  siteOf: (address: string) => string | undefined;
  link?: Partial<WanLink>;
  /** A relayed connection idle for this long is closed (both sides). Default 10 min. */
  idleTimeoutMs?: number;
  /** Connecting to the target may take this long. Default 5 s. */
  connectTimeoutMs?: number;
  /** Chance source for jitter and stalls (tests pass a fixed one). */
  random?: () => number;
}

export interface WanRelayStats {
  open: number;
  accepted: number;
  refusedByCut: number;
  chunks: number;
  stalledChunks: number;
  bytes: number;
}

export const DEFAULT_LINK: WanLink = { latencyMs: 0, jitterMs: 0, stallPercent: 0, stallMs: 200 };

/** `a` and `b` in a stable order: the link between two sites has one name whichever side called. */
export function linkName(a: string, b: string): string {
  return [a, b].sort().join("-");
}

export function validateLink(link: Partial<WanLink>): WanLink {
  const out = { ...DEFAULT_LINK, ...link };
  for (const key of ["latencyMs", "jitterMs", "stallMs"] as const) {
    if (!Number.isFinite(out[key]) || out[key] < 0 || out[key] > 60_000)
      throw new Error(`link.${key}: ${JSON.stringify(link[key])} is not a number of milliseconds from 0 to 60000`);
  }
  if (!Number.isFinite(out.stallPercent) || out.stallPercent < 0 || out.stallPercent > 100)
    throw new Error(`link.stallPercent: ${JSON.stringify(link.stallPercent)} is not a percentage from 0 to 100`);
  return out;
}

interface Relayed {
  link: string | undefined;
  client: net.Socket;
  upstream: net.Socket;
}

export class WanRelay {
  private link: WanLink;
  private readonly servers: net.Server[] = [];
  private readonly open = new Set<Relayed>();
  private readonly cutLinks = new Set<string>();
  private readonly random: () => number;
  private readonly counters = { accepted: 0, refusedByCut: 0, chunks: 0, stalledChunks: 0, bytes: 0 };

  constructor(private readonly opts: WanRelayOptions) {
    this.link = validateLink(opts.link ?? {});
    this.random = opts.random ?? Math.random;
    const ports = new Set<number>();
    for (const [i, r] of opts.routes.entries()) {
      if (!Number.isInteger(r.listenPort) || r.listenPort < 1 || r.listenPort > 65535)
        throw new Error(`routes[${i}].listenPort: ${JSON.stringify(r.listenPort)} is not a TCP port`);
      if (ports.has(r.listenPort)) throw new Error(`routes[${i}].listenPort: ${r.listenPort} is given twice`);
      ports.add(r.listenPort);
    }
  }

  async listen(): Promise<void> {
    for (const route of this.opts.routes) {
      // half-open: one side's FIN travels to the other in order (after its data), the other may still answer
      const server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(route, client));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(route.listenPort, this.opts.bindAddress ?? "0.0.0.0", () => resolve());
      });
      this.servers.push(server);
    }
  }

  setLink(link: Partial<WanLink>): WanLink {
    this.link = validateLink({ ...this.link, ...link });
    return this.link;
  }

  get currentLink(): WanLink {
    return { ...this.link };
  }

  /** Cuts every link of `site` (to each other site), closing what is open on them. Returns the links cut. */
  cutSite(site: string, otherSites: string[]): string[] {
    const links = otherSites.filter((s) => s !== site).map((s) => linkName(site, s));
    for (const l of links) this.cutLinks.add(l);
    for (const r of [...this.open]) if (r.link && this.cutLinks.has(r.link)) this.drop(r);
    return links;
  }

  restore(): void {
    this.cutLinks.clear();
  }

  stats(): WanRelayStats {
    return { open: this.open.size, ...this.counters };
  }

  async close(): Promise<void> {
    for (const r of [...this.open]) this.drop(r);
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.length = 0;
  }

  private accept(route: WanRoute, client: net.Socket): void {
    const from = this.opts.siteOf(client.remoteAddress?.replace(/^::ffff:/, "") ?? "");
    const to = this.opts.siteOf(route.target.host);
    const link = from && to && from !== to ? linkName(from, to) : undefined;
    if (link && this.cutLinks.has(link)) {
      this.counters.refusedByCut++;
      client.destroy();
      return;
    }
    this.counters.accepted++;
    const upstream = net.connect({ host: route.target.host, port: route.target.port, allowHalfOpen: true });
    const r: Relayed = { link, client, upstream };
    this.open.add(r);
    const connectTimer = setTimeout(() => this.drop(r), this.opts.connectTimeoutMs ?? 5000);
    upstream.once("connect", () => clearTimeout(connectTimer));
    const idle = this.opts.idleTimeoutMs ?? 600_000;
    let closed = 0;
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      s.setTimeout(idle, () => this.drop(r));
      // a reset (or a write to a side that is gone) ends both at once, as it would end a direct connection
      s.on("error", () => this.drop(r));
      s.on("close", () => {
        clearTimeout(connectTimer);
        if (++closed === 2) this.open.delete(r);
      });
    }
    this.pipe(r, client, upstream);
    this.pipe(r, upstream, client);
  }

  /**
   * Forwards `from` to `to` chunk by chunk, each after the link's delay, strictly in order (one FIFO per
   * direction and one timer for its head: separate timers per chunk may fire out of order); `end` travels the
   * same way.
   */
  private pipe(r: Relayed, from: net.Socket, to: net.Socket): void {
    const queue: Array<{ due: number; bytes: number; deliver: () => void }> = [];
    let lastDue = 0;
    let queued = 0;
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length && queue[0].due <= now) {
        const item = queue.shift()!;
        queued -= item.bytes;
        if (this.open.has(r)) item.deliver();
      }
      if (queued <= 1024 * 1024 && from.isPaused()) from.resume();
      if (queue.length) timer = setTimeout(pump, queue[0].due - now);
    };
    const schedule = (deliver: () => void, bytes: number) => {
      const delay = r.link ? this.delayOfChunk() : 0;
      const due = Math.max(Date.now() + delay, lastDue);
      lastDue = due;
      queued += bytes;
      if (queued > 4 * 1024 * 1024) from.pause(); // the far side is slower than the delay line: push back
      queue.push({ due, bytes, deliver });
      if (!timer) timer = setTimeout(pump, Math.max(0, queue[0].due - Date.now()));
    };
    from.on("data", (chunk: Buffer) => {
      this.counters.chunks++;
      this.counters.bytes += chunk.length;
      schedule(() => to.write(chunk), chunk.length);
    });
    from.on("end", () => schedule(() => to.end(), 0));
    // closed without a FIN of its own having been relayed yet (e.g. destroyed): end the other side after the data
    from.on("close", () => schedule(() => to.end(), 0));
  }

  private delayOfChunk(): number {
    const { latencyMs, jitterMs, stallPercent, stallMs } = this.link;
    let d = latencyMs + (jitterMs ? (this.random() * 2 - 1) * jitterMs : 0);
    if (stallPercent > 0 && this.random() * 100 < stallPercent) {
      this.counters.stalledChunks++;
      d += stallMs;
    }
    return Math.max(0, d);
  }

  private drop(r: Relayed): void {
    if (!this.open.delete(r)) return;
    r.client.destroy();
    r.upstream.destroy();
  }
}
