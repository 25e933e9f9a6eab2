/**
 * Issue 15.4 on the real HAProxy with the rendered gateway config: a client that trickles its request
 * head (a header line every 2 s) is cut off within `timeout http-request` while a normal client is served
 * meanwhile, and one source address cannot hold more than its share of connections.
 */
import * as fs from "fs";
import * as tls from "tls";
import { DEFAULT_TIMEOUTS } from "../../haproxy/renderConfig";
import { rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { haLimits, sleep, tmpDir } from "./support";

jest.setTimeout(120_000);

function openTls(gw: StandaloneGateway, localAddress: string): Promise<{ socket?: tls.TLSSocket; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: gw.address,
      port: gw.port,
      servername: gw.servername,
      ca: fs.readFileSync(gw.tls.caCert),
      ...({ localAddress } as object),
    });
    const t = setTimeout(() => {
      socket.destroy();
      resolve({ error: "timeout" });
    }, 15_000);
    socket.once("secureConnect", () => {
      clearTimeout(t);
      resolve({ socket });
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      socket.destroy();
      resolve({ error: e.code ?? e.message });
    });
  });
}

describe("slow and greedy clients (real HAProxy)", () => {
  let gw: StandaloneGateway;
  const PER_SOURCE = 10;
  beforeAll(async () => {
    gw = await startStandaloneGateway({ dir: tmpDir("slowloris"), limits: { ...haLimits(), connectionsPerSource: PER_SOURCE } });
  });
  afterAll(async () => gw?.stop());

  it("renders the deployed request timeout (5 s) into the config it runs", () => {
    expect(DEFAULT_TIMEOUTS.httpRequestMs).toBe(5000);
    expect(gw.config).toMatch(/^\s+timeout http-request 5000ms$/m);
  });

  it("cuts off a client sending a header line every 2 s within the request timeout, while a normal client is served", async () => {
    const slow = await openTls(gw, "127.0.8.1");
    expect(slow.error).toBeUndefined();
    const socket = slow.socket!;
    const started = Date.now();
    let received = "";
    socket.on("data", (d) => (received += d.toString("latin1")));
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - started)));
    socket.on("error", () => undefined);
    socket.write(`GET /depot/v1/slow HTTP/1.1\r\nHost: ${gw.servername}\r\n`);
    let n = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${n++}: ${"a".repeat(10)}\r\n`);
    }, 2000);
    try {
      // Meanwhile a normal client from another address gets its answer at once.
      await sleep(1000);
      const t0 = Date.now();
      const normal = await rawHttpsRequest(gw, "GET /depot/v1/normal HTTP/1.1", { localAddress: "127.0.8.2" });
      expect({ status: normal.status, fast: Date.now() - t0 < 2000 }).toEqual({ status: 200, fast: true });
      const closedAfterMs = await Promise.race([closed, sleep(15_000).then(() => -1)]);
      expect(closedAfterMs).toBeGreaterThan(0);
      expect(closedAfterMs).toBeLessThan(DEFAULT_TIMEOUTS.httpRequestMs + 2000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(gw.backendRequests.map((r) => r.url)).not.toContain("/depot/v1/slow");
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it(`lets one source address hold at most ${PER_SOURCE} connections; others are still served`, async () => {
    const attempts = await Promise.all(Array.from({ length: PER_SOURCE + 15 }, () => openTls(gw, "127.0.8.3")));
    try {
      const open = attempts.filter((a) => a.socket);
      expect(open.length).toBe(PER_SOURCE);
      expect(attempts.filter((a) => a.error).length).toBe(15);
      expect((await rawHttpsRequest(gw, "GET /depot/v1/other HTTP/1.1", { localAddress: "127.0.8.4" })).status).toBe(200);
    } finally {
      for (const a of attempts) a.socket?.destroy();
    }
  });
});
