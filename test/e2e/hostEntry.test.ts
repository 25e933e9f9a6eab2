/**
 * Issue 14 item 2 for real: one host's HTTPS entry (haproxy/renderHostEntry.ts, run by the installed
 * HAProxy on 127.250.0.1) in front of two customers' gateways — each the real gateway haproxy.cfg
 * (renderHaproxyConfig with acceptProxy, real HAProxy, client certificates required and an IP allow-list
 * on /ws/), in front of a stub License Central that echoes what it received (sandbox/standaloneGateway.ts).
 * Clients connect from their own loopback addresses (127.250.1.x), so what each gateway's allow-list sees
 * is the client's address only if the entry's PROXY v2 header carried it (the entry itself connects from
 * 127.0.0.1). Run under flock /tmp/lchost-realruns.lock (binds 127.250.0.0/16, which no sandbox uses:
 * their second octet is 10-249).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { renderHostEntryConfig } from "../../haproxy/renderHostEntry";
import { editionFacts } from "../../model/catalog";
import { clientContext, rawHttpsRequest, StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { freePort } from "../../sandbox/freePort";

jest.setTimeout(120_000);

const ENTRY = "127.250.0.1";
const ACME_CLIENT = "127.250.1.10";
const GLOBEX_CLIENT = "127.250.1.11";
const HELLO_MS = 2000;

async function waitForPort(address: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port }, () => (s.destroy(), resolve(true)));
      s.once("error", () => (s.destroy(), resolve(false)));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`the host entry did not listen on ${address}:${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TLS handshake through the entry: whose certificate answered, or the error. */
function handshake(port: number, opts: { servername?: string; gw?: StandaloneGateway; localAddress?: string }): Promise<{ cn?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: ENTRY,
      port,
      ...(opts.servername ? { servername: opts.servername } : {}),
      ...(opts.gw ? { secureContext: clientContext(opts.gw.tls.caCert) } : { rejectUnauthorized: false }),
      ...({ localAddress: opts.localAddress ?? ACME_CLIENT } as object),
    });
    const timer = setTimeout(() => (socket.destroy(), resolve({ error: "timeout" })), 15_000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve({ cn: Array.isArray(cn) ? cn[0] : cn });
    });
    socket.once("error", (e: NodeJS.ErrnoException) => (clearTimeout(timer), resolve({ error: e.code ?? e.message })));
    socket.once("close", () => (clearTimeout(timer), resolve({ error: "closed" })));
  });
}

describe("the per-host HTTPS entry routes by SNI to the customers' own gateways (real HAProxy)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-host-entry-"));
  let acme: StandaloneGateway;
  let globex: StandaloneGateway;
  let entry: ChildProcess;
  let entryPort: number;
  let entryLog: string;
  let config: string;

  beforeAll(async () => {
    const limits = editionFacts("dedicated").gateway;
    [acme, globex] = await Promise.all([
      startStandaloneGateway({
        dir: path.join(root, "acme"),
        address: "127.250.0.2",
        servername: "acme.fleet.lchost.test",
        acceptProxy: true,
        clientCertificate: true,
        ipAllowList: [`${ACME_CLIENT}/32`],
        limits,
      }),
      startStandaloneGateway({
        dir: path.join(root, "globex"),
        address: "127.250.0.3",
        servername: "globex.fleet.lchost.test",
        acceptProxy: true,
        clientCertificate: true,
        ipAllowList: [`${GLOBEX_CLIENT}/32`],
        limits,
      }),
    ]);
    entryPort = await freePort(ENTRY);
    config = renderHostEntryConfig({
      bind: { address: ENTRY, port: entryPort },
      routes: [
        { customer: "acme", serverName: acme.servername, gateway: { address: acme.address, port: acme.port } },
        { customer: "globex", serverName: globex.servername, gateway: { address: globex.address, port: globex.port } },
      ],
      maxConnections: 2 * limits.maxConnections,
      connectionsPerSource: limits.connectionsPerSource,
      timeouts: { helloMs: HELLO_MS },
    });
    const cfgPath = path.join(root, "entry.cfg");
    fs.writeFileSync(cfgPath, config);
    entryLog = path.join(root, "entry.log");
    const fd = fs.openSync(entryLog, "a");
    entry = spawn("haproxy", ["-db", "-f", cfgPath], { stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    await waitForPort(ENTRY, entryPort, entry, () => fs.readFileSync(entryLog, "utf8").slice(-2000));
  });

  afterAll(async () => {
    if (entry && entry.exitCode === null) {
      const exited = new Promise((r) => entry.once("exit", r));
      entry.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (entry.exitCode === null) entry.kill("SIGKILL");
    }
    await Promise.all([acme?.stop(), globex?.stop()]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  // rawHttpsRequest to the entry, speaking TLS to the customer's gateway behind it
  const via = (gw: StandaloneGateway) => ({ address: ENTRY, port: entryPort, servername: gw.servername, tls: gw.tls });

  it("hands each server name's TLS handshake to that customer's gateway (its certificate answers, not the entry's)", async () => {
    expect(await handshake(entryPort, { servername: acme.servername, gw: acme })).toEqual({ cn: "acme.fleet.lchost.test" });
    expect(await handshake(entryPort, { servername: globex.servername, gw: globex, localAddress: GLOBEX_CLIENT })).toEqual({ cn: "globex.fleet.lchost.test" });
  });

  it("lets a web-service call with the customer's client certificate from an allowed address through to that customer only", async () => {
    const acmeBefore = acme.backendRequests.length;
    const globexBefore = globex.backendRequests.length;
    const r = await rawHttpsRequest(via(acme), "GET /ws/v1/usage HTTP/1.1", { clientCert: "good", localAddress: ACME_CLIENT });
    expect(r.status).toBe(200);
    expect(acme.backendRequests.slice(acmeBefore).map((x) => x.url)).toEqual(["/ws/v1/usage"]);
    expect(globex.backendRequests.length).toBe(globexBefore);
    const g = await rawHttpsRequest(via(globex), "GET /ws/v1/usage HTTP/1.1", { clientCert: "good", localAddress: GLOBEX_CLIENT });
    expect(g.status).toBe(200);
    expect(globex.backendRequests.slice(globexBefore).map((x) => x.url)).toEqual(["/ws/v1/usage"]);
  });

  it("the customer's gateway still checks the client certificate: none, or a revoked one, is refused", async () => {
    expect((await rawHttpsRequest(via(acme), "GET /ws/v1/usage HTTP/1.1", { localAddress: ACME_CLIENT })).status).toBe(403);
    const revoked = await rawHttpsRequest(via(acme), "GET /ws/v1/usage HTTP/1.1", { clientCert: "revoked", localAddress: ACME_CLIENT });
    expect(revoked.status).not.toBe(200);
  });

  it("the customer's gateway sees the client's own address (PROXY v2): its allow-list decides by it and its log shows it", async () => {
    // globex's client is not on acme's list and vice versa, though both arrive through the same entry
    expect((await rawHttpsRequest(via(acme), "GET /ws/v1/usage HTTP/1.1", { clientCert: "good", localAddress: GLOBEX_CLIENT })).status).toBe(403);
    expect((await rawHttpsRequest(via(globex), "GET /ws/v1/usage HTTP/1.1", { clientCert: "good", localAddress: ACME_CLIENT })).status).toBe(403);
    // the depot needs no allow-list: it answers from any address, and the gateway logs the client's
    expect((await rawHttpsRequest(via(acme), "GET /depot/v1/info HTTP/1.1", { localAddress: GLOBEX_CLIENT })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const log = fs.readFileSync(acme.logPath, "utf8");
    expect(log).toMatch(new RegExp(`^${GLOBEX_CLIENT.replace(/\./g, "\\.")}:\\d+ .* /depot/v1/info `, "m"));
    expect(log).not.toMatch(/^127\.0\.0\.1:\d+ .*\/ws\/v1\/usage/m);
  });

  it("refuses a server name no customer claims, and a handshake without one, before any byte reaches a gateway", async () => {
    const before = [acme.backendRequests.length, globex.backendRequests.length];
    const unknown = await handshake(entryPort, { servername: "nobody.fleet.lchost.test" });
    expect(unknown.cn).toBeUndefined();
    expect(unknown.error).toBeDefined();
    const none = await handshake(entryPort, {});
    expect(none.cn).toBeUndefined();
    const r = await rawHttpsRequest({ ...via(acme), servername: "nobody.fleet.lchost.test" }, "GET /depot/v1/info HTTP/1.1", { localAddress: ACME_CLIENT });
    expect(r.status).toBeUndefined();
    expect([acme.backendRequests.length, globex.backendRequests.length]).toEqual(before);
  });

  it("closes a connection that sends plain HTTP, and one that sends nothing, within the hello timeout", async () => {
    const exchange = (payload?: string) =>
      new Promise<{ data: string; ms: number }>((resolve) => {
        const started = Date.now();
        let data = "";
        const s = net.connect({ host: ENTRY, port: entryPort, localAddress: ACME_CLIENT }, () => payload && s.write(payload));
        s.on("data", (d) => (data += d.toString("latin1")));
        s.on("error", () => undefined);
        const cap = setTimeout(() => s.destroy(), 20_000);
        s.on("close", () => (clearTimeout(cap), resolve({ data, ms: Date.now() - started })));
      });
    const plain = await exchange(`GET / HTTP/1.1\r\nHost: ${acme.servername}\r\n\r\n`);
    expect(plain.data).toBe("");
    const silent = await exchange();
    expect(silent.data).toBe("");
    expect(silent.ms).toBeGreaterThanOrEqual(HELLO_MS - 100);
    expect(silent.ms).toBeLessThan(HELLO_MS + 8000);
  });
});
