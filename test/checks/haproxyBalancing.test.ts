/**
 * Issue 11.3: a customer's balancing rules (lchost:balancing), proven through the real HAProxy 2.6 with the
 * rendered haproxy.cfg in front of three stub "lines" (tiny HTTP servers that say which line they are).
 * Clients come from their own loopback addresses (127.66.x.y), so per-address rules (sticky source, the
 * /ws/ rate limit) see distinct clients. Every port is a free one; run under flock /tmp/lchost-realruns.lock.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { haproxyAdminCommand, HaproxyBalancing, HaproxyConfigSpec, parseShowStat, renderHaproxyConfig } from "../../haproxy";
import { RawResponse, rawHttpsRequest } from "../../sandbox/standaloneGateway";
import { issueCertificate, makeCertificateAuthority } from "../../sandbox/sandboxCertificates";
import { freePort } from "../../sandbox/freePort";

jest.setTimeout(120_000);

const SERVERNAME = "balancer.lchost.test";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stub line: /readyz 200, anything else `{"line":N,"url":…}` with the request target it received. */
class StubLine {
  server?: http.Server;
  port = 0;
  constructor(readonly index: number) {}
  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      if (req.url === "/readyz") return void res.end("ready");
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ line: this.index, url: req.url }));
      });
    });
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }
  /** The line dies: its port refuses connections and open ones are cut. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}

interface Answer extends RawResponse {
  line?: number;
  url?: string;
}

class Balancer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-balancing-"));
  readonly lines = [1, 2, 3].map((i) => new StubLine(i));
  readonly adminSocket = path.join(this.dir, "admin.sock");
  port = 0;
  config = "";
  private child?: ChildProcess;
  private caCert = "";

  async start(balancing: HaproxyBalancing | undefined, extra: { weights?: number[]; rateLimit?: number } = {}): Promise<void> {
    for (const l of this.lines) await l.start();
    const ca = makeCertificateAuthority(this.dir, "ca", "lchost balancing test CA");
    const server = issueCertificate(this.dir, "server", ca, { commonName: SERVERNAME, dnsNames: [SERVERNAME], usage: "server" });
    const pem = path.join(this.dir, "server.pem");
    fs.writeFileSync(pem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
    this.caCert = ca.cert;
    this.port = await freePort();
    const spec: HaproxyConfigSpec = {
      bind: { address: "127.0.0.1", port: this.port },
      certificatePath: pem,
      webServices: true,
      backends: [
        {
          name: "license_central",
          servers: this.lines.map((l, i) => ({ name: `line${l.index}`, address: "127.0.0.1", port: l.port, weight: extra.weights?.[i] })),
          balancing,
        },
      ],
      health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
      adminSocketPath: this.adminSocket,
      // generous per-source limits: the rules under test, not the flood guard, must decide
      limits: { maxConnections: 1000, connectionsPerSource: 200, requestsPerSourcePer10s: 100_000 },
      webServiceRateLimit: extra.rateLimit ? { requestsPerSecond: extra.rateLimit } : undefined,
    };
    this.config = renderHaproxyConfig(spec);
    const cfg = path.join(this.dir, "haproxy.cfg");
    fs.writeFileSync(cfg, this.config);
    const check = spawnSync("haproxy", ["-c", "-f", cfg], { encoding: "utf8" });
    expect({ status: check.status, out: check.stdout + check.stderr }).toMatchObject({ status: 0 });
    const log = fs.openSync(path.join(this.dir, "haproxy.log"), "a");
    this.child = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    await this.waitForStatus(Object.fromEntries(this.lines.map((l) => [`line${l.index}`, "UP"])));
  }

  /** Waits until `show stat` reports these states for the main backend's servers. */
  async waitForStatus(want: Record<string, string>, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let seen: Record<string, string> = {};
    for (;;) {
      if (this.child?.exitCode !== null) throw new Error(`haproxy exited: ${fs.readFileSync(path.join(this.dir, "haproxy.log"), "utf8").slice(-1500)}`);
      try {
        const stat = parseShowStat(await haproxyAdminCommand(this.adminSocket, "show stat"));
        seen = Object.fromEntries(Object.keys(want).map((s) => [s, (stat[`license_central/${s}`] ?? "").split(" ")[0]]));
        if (Object.entries(want).every(([s, st]) => seen[s] === st)) return;
      } catch {
        /* the socket is not there yet */
      }
      if (Date.now() > until) throw new Error(`servers did not reach ${JSON.stringify(want)} within ${timeoutMs} ms: ${JSON.stringify(seen)}`);
      await sleep(100);
    }
  }

  async get(target: string, opts: { from: string; headers?: string[] }): Promise<Answer> {
    const head = [`GET ${target} HTTP/1.1`, ...(opts.headers ?? [])].join("\r\n");
    const r = await rawHttpsRequest({ address: "127.0.0.1", port: this.port, servername: SERVERNAME, tls: { caCert: this.caCert } }, head, {
      localAddress: opts.from,
      timeoutMs: 20_000,
    });
    if (r.status === 200 && r.headers["content-type"] === "application/json") {
      const body = JSON.parse(r.body);
      return { ...r, line: body.line, url: body.url };
    }
    return r;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child!.once("exit", r));
      this.child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (this.child.exitCode === null) this.child.kill("SIGKILL");
    }
    for (const l of this.lines) await l.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `count` requests with at most `parallel` in flight; answers in completion order. */
async function many(count: number, parallel: number, one: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const out: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) out.push(await one(next++));
    }),
  );
  return out;
}

function perLine(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = { 1: 0, 2: 0, 3: 0 };
  for (const a of answers) if (a.line) counts[a.line]++;
  return counts;
}

describe("weights change the distribution (roundrobin, 600 requests)", () => {
  const REQUESTS = 600;
  // Smooth weighted round robin is exact over whole cycles; the tolerance covers retries and a cycle cut short.
  const TOLERANCE = 0.03;
  let b: Balancer;
  afterEach(async () => b?.stop());

  it("without weights each line serves a third", async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin" });
    const answers = await many(REQUESTS, 8, (i) => b.get("/depot/v1/ping", { from: `127.66.0.${1 + (i % 20)}` }));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const counts = perLine(answers);
    console.log(`no weights, ${REQUESTS} requests: ${JSON.stringify(counts)}`);
    for (const line of [1, 2, 3]) {
      const share = counts[line] / REQUESTS;
      expect({ line, share, withinTolerance: Math.abs(share - 1 / 3) <= TOLERANCE }).toMatchObject({ withinTolerance: true });
    }
  });

  it("with weights 1:2:3 the lines serve 1/6, 2/6 and 3/6 (±3 points each)", async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin" }, { weights: [1, 2, 3] });
    const answers = await many(REQUESTS, 8, (i) => b.get("/depot/v1/ping", { from: `127.66.0.${1 + (i % 20)}` }));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const counts = perLine(answers);
    console.log(`weights 1:2:3, ${REQUESTS} requests: ${JSON.stringify(counts)}`);
    const shares = [1, 2, 3].map((l) => counts[l] / REQUESTS);
    for (let i = 0; i < 3; i++) {
      const want = (i + 1) / 6;
      expect({ line: i + 1, share: shares[i], withinTolerance: Math.abs(shares[i] - want) <= TOLERANCE }).toMatchObject({ withinTolerance: true });
    }
  });
});

describe("routes: /ws/ only to lines 1 and 2, in every spelling", () => {
  let b: Balancer;
  beforeAll(async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin", routes: [{ pathPrefix: "/ws/", servers: ["line1", "line2"] }] });
  });
  afterAll(async () => b?.stop());

  // Spellings the gateway normalizes to /ws/… (its connection checks treat /WS/ as /ws/ too).
  const wsSpellings = [
    "/ws/v1/usage",
    "//ws/v1/usage",
    "///ws//v1/usage",
    "/./ws/v1/usage",
    "/%77s/v1/usage",
    "/%77%73/v1/usage",
    "/%2e/ws/v1/usage",
    "/%2E%2E/ws/v1/usage",
    "/depot/../ws/v1/usage",
    "/x/%2e%2e/ws/v1/usage",
    "/ws/./v1/usage",
    "/WS/v1/usage",
    "/Ws/v1/usage",
    "/ws",
    "/ws/",
  ];

  it.each(wsSpellings)("%s is served by lines 1 and 2 only, and by both", async (spelling) => {
    const answers = await many(12, 3, () => b.get(spelling, { from: "127.66.1.1" }));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    for (const a of answers) expect(a.url!.toLowerCase()).toMatch(/^\/ws(\/|$)/);
    expect(new Set(answers.map((a) => a.line))).toEqual(new Set([1, 2]));
  });

  it.each([
    ["/ws/%2e%2e/depot/v1/ping", "/depot/v1/ping"],
    ["/ws/../depot/v1/ping", "/depot/v1/ping"],
    ["/wsx/v1", "/wsx/v1"],
    ["/depot/v1/ws/", "/depot/v1/ws/"],
  ])("%s is no web-service path once normalized (%s): every line serves it", async (spelling, normalized) => {
    const answers = await many(12, 3, () => b.get(spelling, { from: "127.66.1.2" }));
    expect(answers.map((a) => a.url)).toEqual(Array(12).fill(normalized));
    expect(new Set(answers.map((a) => a.line))).toEqual(new Set([1, 2, 3]));
  });

  it("the depot is served by all three lines", async () => {
    const answers = await many(30, 3, () => b.get("/depot/v1/tickets/x/activations", { from: "127.66.1.3" }));
    expect(perLine(answers)).toEqual({ 1: 10, 2: 10, 3: 10 });
  });

  it("a line drained on the main backend (admin socket, as migrations do) leaves the route too", async () => {
    await haproxyAdminCommand(b.adminSocket, "disable server license_central/line2");
    const stat = parseShowStat(await haproxyAdminCommand(b.adminSocket, "show stat"));
    expect(stat["license_central_route1/line2"]).toMatch(/^MAINT/);
    const answers = await many(9, 3, () => b.get("/ws/v1/usage", { from: "127.66.1.5" }));
    expect(answers.map((a) => [a.status, a.line])).toEqual(Array(9).fill([200, 1]));
    await haproxyAdminCommand(b.adminSocket, "enable server license_central/line2");
    await b.waitForStatus({ line2: "UP" });
  });

  it("/ws/ keeps to its lines when line 1 dies: line 2 serves it alone, line 3 never", async () => {
    await b.lines[0].stop();
    await b.waitForStatus({ line1: "DOWN" });
    const answers = await many(12, 3, () => b.get("/ws/v1/usage", { from: "127.66.1.4" }));
    expect(answers.map((a) => [a.status, a.line])).toEqual(Array(12).fill([200, 2]));
    await b.lines[0].start();
    await b.waitForStatus({ line1: "UP" });
  });
});

describe("sticky by source address", () => {
  let b: Balancer;
  beforeAll(async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin", sticky: "source" });
  });
  afterAll(async () => b?.stop());

  const clients = [1, 2, 3, 4, 5, 6].map((i) => `127.66.2.${i}`);
  /** The lines a client was served by: one request alone, then 8 more, 2 at a time. */
  const lineOf = async (from: string): Promise<number[]> => {
    // A new client's table entry is written by its first request; two first requests at once may both be balanced.
    const first = await b.get("/depot/v1/ping", { from });
    const rest = await many(8, 2, () => b.get("/depot/v1/ping", { from }));
    return [...new Set([first, ...rest].map((a) => a.line!))];
  };

  it("keeps each client on one line until that line dies, then on one other line, which it keeps after the old one returns", async () => {
    const before: Record<string, number> = {};
    for (const c of clients) {
      const lines = await lineOf(c);
      expect({ client: c, lines }).toEqual({ client: c, lines: [expect.any(Number)] });
      before[c] = lines[0];
    }
    // the first request of each client is balanced: six clients land on more than one line
    expect(new Set(Object.values(before)).size).toBeGreaterThan(1);
    const victim = before[clients[0]];
    await b.lines[victim - 1].stop();
    await b.waitForStatus({ [`line${victim}`]: "DOWN" });
    const after: Record<string, number> = {};
    for (const c of clients) {
      const lines = await lineOf(c);
      expect({ client: c, lines }).toEqual({ client: c, lines: [expect.any(Number)] });
      after[c] = lines[0];
      if (before[c] === victim) expect(after[c]).not.toBe(victim);
      else expect({ client: c, line: after[c] }).toEqual({ client: c, line: before[c] });
    }
    await b.lines[victim - 1].start();
    await b.waitForStatus({ [`line${victim}`]: "UP" });
    for (const c of clients) expect({ client: c, lines: await lineOf(c) }).toEqual({ client: c, lines: [after[c]] });
  });
});

describe("sticky by cookie", () => {
  let b: Balancer;
  beforeAll(async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin", sticky: "cookie" });
  });
  afterAll(async () => b?.stop());

  const cookieOf = (a: Answer) => /^(lc_license_central=[^;]+)/.exec(a.headers["set-cookie"] ?? "")?.[1];

  it("sets a Secure, HttpOnly cookie naming the line and keeps the client there until the line dies, then moves it", async () => {
    const first = await b.get("/depot/v1/ping", { from: "127.66.3.1" });
    const attributes = (first.headers["set-cookie"] ?? "").split("; ");
    expect(attributes.sort()).toEqual([`lc_license_central=line${first.line}`, "HttpOnly", "Secure", "path=/"].sort());
    const cookie = cookieOf(first)!;
    const again = await many(9, 3, () => b.get("/depot/v1/ping", { from: "127.66.3.1", headers: [`Cookie: ${cookie}`] }));
    expect(again.map((a) => a.line)).toEqual(Array(9).fill(first.line));

    await b.lines[first.line! - 1].stop();
    await b.waitForStatus({ [`line${first.line}`]: "DOWN" });
    const moved = await b.get("/depot/v1/ping", { from: "127.66.3.1", headers: [`Cookie: ${cookie}`] });
    expect(moved.status).toBe(200);
    expect(moved.line).not.toBe(first.line);
    const newCookie = cookieOf(moved);
    expect(newCookie).toBe(`lc_license_central=line${moved.line}`);
    const stays = await many(9, 3, () => b.get("/depot/v1/ping", { from: "127.66.3.1", headers: [`Cookie: ${newCookie}`] }));
    expect(stays.map((a) => a.line)).toEqual(Array(9).fill(moved.line));
    await b.lines[first.line! - 1].start();
  });
});

describe("rate limit on /ws/ per client address (10 per second)", () => {
  const RATE = 10;
  let b: Balancer;
  beforeAll(async () => {
    b = new Balancer();
    await b.start({ algorithm: "roundrobin" }, { rateLimit: RATE });
  });
  afterAll(async () => b?.stop());

  it("answers nothing but 200 to a client at half the rate (5 per second for 4 s)", async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      answers.push(await b.get("/ws/v1/usage", { from: "127.66.4.1" }));
      await sleep(Math.max(0, 200 - (Date.now() - started)));
    }
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  });

  it("answers 429 with Retry-After and the gateway's own headers and body above the rate, to that client only and only on /ws/", async () => {
    const burst = await many(60, 20, () => b.get("/ws/v1/usage", { from: "127.66.4.2" }));
    const refused = burst.filter((a) => a.status === 429);
    const served = burst.filter((a) => a.status === 200);
    console.log(`burst of 60 /ws/ requests (20 at a time) at ${RATE}/s: ${served.length} served, ${refused.length} refused with 429`);
    expect(refused.length + served.length).toBe(60);
    expect(refused.length).toBeGreaterThan(0);
    // the first RATE of the burst pass; how many more depends on how many seconds the burst spans here
    expect(served.length).toBeGreaterThanOrEqual(RATE);
    for (const r of refused) {
      expect(r.headers["retry-after"]).toBe("1");
      expect(r.headers["strict-transport-security"]).toBe("max-age=63072000");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(r.body).toBe("too many requests");
    }
    // another client, and the depot for the same client, are not limited
    expect((await b.get("/ws/v1/usage", { from: "127.66.4.3" })).status).toBe(200);
    expect((await b.get("/depot/v1/ping", { from: "127.66.4.2" })).status).toBe(200);
    // a second later the client is served again
    await sleep(2100);
    expect((await b.get("/ws/v1/usage", { from: "127.66.4.2" })).status).toBe(200);
  });
});
