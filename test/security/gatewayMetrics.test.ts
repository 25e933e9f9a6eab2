/**
 * The attack review of issue 9's metrics on the gateway (real HAProxy with the rendered config, trivial
 * backend): HAProxy's `frontend prometheus` answers only GET/HEAD /metrics, cuts off slow clients, and is a
 * listener of its own; the customer's public HTTPS entry never serves metrics, whatever the spelling, neither
 * HAProxy's exporter nor a backend's /metrics (License Central's live on its admin port).
 */
import * as net from "net";
import { rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { PROMETHEUS_FRONTEND_LIMITS } from "../../haproxy/renderConfig";
import { haLimits, tmpDir } from "./support";

jest.setTimeout(180_000);

interface PlainAnswer {
  status?: number;
  head: string;
  body: string;
  closedAfterMs: number;
  gaveUp: boolean;
}

/** Plain HTTP on a raw socket: `chunks` written `everyMs` apart; read until HAProxy closes or `giveUpMs`. */
function plainRequest(address: string, port: number, chunks: string[], opts: { everyMs?: number; giveUpMs?: number } = {}): Promise<PlainAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, address);
    const got: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (gaveUp: boolean) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      socket.destroy();
      const text = Buffer.concat(got).toString("latin1");
      const i = text.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : undefined, head: i === -1 ? text : text.slice(0, i), body: i === -1 ? "" : text.slice(i + 4), closedAfterMs: Date.now() - started, gaveUp });
    };
    socket.on("data", (c) => got.push(c));
    socket.on("close", () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => {
      chunks.forEach((c, k) => timers.push(setTimeout(() => !socket.destroyed && socket.write(c), k * (opts.everyMs ?? 0))));
      timers.push(setTimeout(() => finish(true), opts.giveUpMs ?? 15_000));
    });
  });
}

const EXPORTER_OUTPUT = /haproxy_(process|frontend|backend|server)_/;

describe("metrics on the gateway (real HAProxy, rendered config)", () => {
  let gw: StandaloneGateway;
  beforeAll(async () => {
    gw = await startStandaloneGateway({ dir: tmpDir("metrics"), limits: haLimits(), prometheus: true });
  });
  afterAll(async () => gw?.stop());
  const scrape = (head: string, opts?: { everyMs?: number; giveUpMs?: number }) =>
    plainRequest(gw.address, gw.prometheusPort!, [`${head}\r\nHost: gateway\r\nConnection: close\r\n\r\n`], opts);

  describe("the public HTTPS entry", () => {
    const spellings = [
      "/metrics",
      "/METRICS",
      "/Metrics",
      "/metrics/",
      "//metrics",
      "/./metrics",
      "/%6detrics",
      "/%6Detrics",
      "/depot/../metrics",
      "/metrics?scope=all",
      "/metrics/x",
    ];
    it.each(spellings)("GET %s: 404 from the gateway, nothing forwarded, no exporter output", async (p) => {
      const before = gw.backendRequests.length;
      const r = await rawHttpsRequest(gw, `GET ${p} HTTP/1.1`);
      expect({ status: r.status, forwarded: gw.backendRequests.slice(before).map((x) => x.url) }).toEqual({ status: 404, forwarded: [] });
      expect(r.body).not.toMatch(EXPORTER_OUTPUT);
    });

    it("still forwards what is not a metrics path (/metricsx, /depot/metrics): the rule is exact", async () => {
      for (const p of ["/metricsx", "/depot/v1/metrics"]) {
        const before = gw.backendRequests.length;
        const r = await rawHttpsRequest(gw, `GET ${p} HTTP/1.1`);
        expect({ p, status: r.status, forwarded: gw.backendRequests.slice(before).map((x) => x.url) }).toEqual({ p, status: 200, forwarded: [p] });
      }
    });

    it("is not the exporter's listener: the exporter's port speaks plain HTTP only and is not the entry's port", async () => {
      expect(gw.prometheusPort).toBeDefined();
      expect(gw.prometheusPort).not.toBe(gw.port);
      // the entry's port speaks TLS only: plain HTTP there gets no metrics
      const r = await plainRequest(gw.address, gw.port, ["GET /metrics HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n"], { giveUpMs: 10_000 });
      expect(r.body).not.toMatch(EXPORTER_OUTPUT);
      expect(r.status === undefined || r.status === 400).toBe(true);
    });
  });

  describe("frontend prometheus", () => {
    it("GET /metrics answers the exporter's text (HEAD too, without a body)", async () => {
      const r = await scrape("GET /metrics HTTP/1.1");
      expect(r.status).toBe(200);
      expect(r.body).toMatch(EXPORTER_OUTPUT);
      const h = await scrape("HEAD /metrics HTTP/1.1");
      expect(h.status).toBe(200);
      expect(h.body).not.toMatch(EXPORTER_OUTPUT);
    });

    it.each(["/metrics/", "//metrics", "/METRICS", "/%6detrics", "/metrics%2f", "/metrics%2F", "/./metrics", "/stats", "/haproxy?stats", "/", "/haproxy-health", "/probe"])(
      "GET %s: 404",
      async (p) => {
        const r = await scrape(`GET ${p} HTTP/1.1`);
        expect(r.status).toBe(404);
        expect(r.body).not.toMatch(EXPORTER_OUTPUT);
      },
    );

    it.each(["POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"])("%s /metrics: 405, no exporter output", async (m) => {
      const r = await plainRequest(gw.address, gw.prometheusPort!, [`${m} /metrics HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`]);
      expect(r.status).toBe(405);
      expect(r.body).not.toMatch(EXPORTER_OUTPUT);
    });

    it("the exporter's scopes never list a client's address (stick-table entries hold end users' IPs)", async () => {
      // fill the public entry's stick table with this source first
      await rawHttpsRequest(gw, "GET /depot/v1/x HTTP/1.1", { localAddress: "127.0.9.77" });
      for (const q of ["", "?scope=*", "?scope=sticktable", "?scope=stick-table", "?scope=all&extra-counters=on"]) {
        const r = await scrape(`GET /metrics${q} HTTP/1.1`);
        // HAProxy 2.6 knows no stick-table scope: 400 for the names it does not know
        expect([200, 400]).toContain(r.status);
        expect(r.body).not.toContain("127.0.9.77");
      }
    });

    it(`a client trickling its request is cut off within the frontend's ${PROMETHEUS_FRONTEND_LIMITS.httpRequestMs} ms (+2 s)`, async () => {
      const chunks = ["GET /metrics HTTP/1.1\r\n", ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: a\r\n`)];
      const r = await plainRequest(gw.address, gw.prometheusPort!, chunks, { everyMs: 500, giveUpMs: 30_000 });
      expect(r.gaveUp).toBe(false);
      expect(r.closedAfterMs).toBeLessThan(PROMETHEUS_FRONTEND_LIMITS.httpRequestMs + 2_000);
      expect(r.body).not.toMatch(EXPORTER_OUTPUT);
    });

    it("a connection that sends nothing is closed within the frontend's request timeout (+2 s)", async () => {
      const r = await plainRequest(gw.address, gw.prometheusPort!, [""], { giveUpMs: 30_000 });
      expect(r.gaveUp).toBe(false);
      expect(r.closedAfterMs).toBeLessThan(PROMETHEUS_FRONTEND_LIMITS.httpRequestMs + 2_000);
    });
  });
});
