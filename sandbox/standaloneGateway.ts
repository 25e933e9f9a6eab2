/**
 * The HTTPS gateway alone, for real: the haproxy.cfg that renderHaproxyConfig renders for a Dedicated
 * or HA gateway, run by the installed HAProxy on a loopback port, in front of a trivial local backend
 * that answers every request with what it received. The gateway security tests (test/security/) and
 * `npm run bench:slowloris` use it: no database, no License Central, seconds to start.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import { GatewayLimits, GatewayTimeouts, HaproxyConfigSpec, renderAllowList, renderHaproxyConfig } from "../haproxy/renderConfig";
import { sha512Crypt } from "../components/render/sha512Crypt";
import { issueCertificate, makeCertificateAuthority, makeRevocationList } from "./sandboxCertificates";
import { freePort } from "./freePort";

export interface StandaloneGatewayOptions {
  /** Working folder (certificates, config, log); created, and removed by stop(). */
  dir: string;
  address?: string;
  limits: GatewayLimits;
  timeouts?: Partial<GatewayTimeouts>;
  webServices?: boolean;
  /** Require a client certificate from the gateway's own test CA on /ws/, with a CRL revoking one issued certificate. */
  clientCertificate?: boolean;
  /** CIDRs allowed to call /ws/. */
  ipAllowList?: string[];
  basicAuth?: { username: string; password: string };
  /** The backend answers after this many ms (default 0). */
  backendDelayMs?: number;
  /** Server name on the gateway's certificate (default GATEWAY_SERVERNAME). */
  servername?: string;
  /** The public bind takes a PROXY protocol header first: the gateway sits behind the host's entry (renderHostEntry.ts). */
  acceptProxy?: boolean;
  /** Also render the `frontend prometheus` (HAProxy's exporter) on its own free port of the same address. */
  prometheus?: boolean;
}

export interface BackendRequest {
  method: string;
  /** The request target exactly as the backend received it. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface StandaloneGateway {
  address: string;
  port: number;
  /** Server name on the gateway's certificate. */
  servername: string;
  config: string;
  configPath: string;
  /** HAProxy's log (its stdout). */
  logPath: string;
  /** The `frontend prometheus` port (plain HTTP, same address), when asked for. */
  prometheusPort?: number;
  tls: { caCert: string; clientCert?: string; clientKey?: string; revokedClientCert?: string; revokedClientKey?: string };
  /** What the backend received, in order. */
  backendRequests: BackendRequest[];
  /**
   * A graceful reload as the sandbox does it (`haproxy -sf <old pid>`, same config): resolves once the new
   * process serves and the old one has entered its soft stop (it says so in the log).
   */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export const GATEWAY_SERVERNAME = "gateway.lchost.test";

/** What HAProxy writes when a process enters its soft stop (SIGUSR1 from the process that replaces it). */
const SOFT_STOP = /Stopping frontend \S+ in \d+ ms|Proxy \S+ stopped/g;

function waitForPort(address: string, port: number, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`haproxy exited with ${child.exitCode}: ${log()}`));
      const s = net.connect({ host: address, port });
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`haproxy did not listen on ${address}:${port} within ${timeoutMs} ms: ${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startStandaloneGateway(opts: StandaloneGatewayOptions): Promise<StandaloneGateway> {
  const r = spawnSync("haproxy", ["-v"]);
  if (r.status !== 0) throw new Error("haproxy is not installed: apt-get install -y haproxy");
  const address = opts.address ?? "127.0.0.1";
  const servername = opts.servername ?? GATEWAY_SERVERNAME;
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  // Valid for 90 days like a real ACME certificate, so a TLS scanner judges the gateway, not a short test certificate.
  const ca = makeCertificateAuthority(opts.dir, "ca", "lchost gateway test CA", 365);
  const server = issueCertificate(opts.dir, "server", ca, {
    commonName: servername,
    dnsNames: [servername],
    ipAddresses: [address],
    usage: "server",
    days: 90,
  });
  const serverPem = path.join(opts.dir, "server.pem");
  fs.writeFileSync(serverPem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
  const tlsFiles: StandaloneGateway["tls"] = { caCert: ca.cert };
  let crlPath: string | undefined;
  if (opts.clientCertificate) {
    const good = issueCertificate(opts.dir, "client", ca, { commonName: "customer client", usage: "client" });
    const revoked = issueCertificate(opts.dir, "revoked-client", ca, { commonName: "revoked customer client", usage: "client" });
    crlPath = makeRevocationList(opts.dir, "client-ca", ca, [revoked.cert]);
    Object.assign(tlsFiles, { clientCert: good.cert, clientKey: good.key, revokedClientCert: revoked.cert, revokedClientKey: revoked.key });
  }
  let allowListPath: string | undefined;
  if (opts.ipAllowList) {
    allowListPath = path.join(opts.dir, "allow.lst");
    fs.writeFileSync(allowListPath, renderAllowList(opts.ipAllowList));
  }

  const backendRequests: BackendRequest[] = [];
  const backend = http.createServer((req, res) => {
    if (req.url === "/readyz") return void res.end("ready");
    backendRequests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const answer = () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    };
    req.resume();
    req.on("end", () => (opts.backendDelayMs ? setTimeout(answer, opts.backendDelayMs) : answer()));
  });
  backend.keepAliveTimeout = 10_000;
  backend.headersTimeout = 10_000;
  backend.requestTimeout = 30_000;
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const backendPort = (backend.address() as net.AddressInfo).port;

  const port = await freePort(address);
  const prometheusPort = opts.prometheus ? await freePort(address) : undefined;
  const spec: HaproxyConfigSpec = {
    bind: { address, port },
    certificatePath: serverPem,
    clientCaPath: opts.clientCertificate ? ca.cert : undefined,
    clientCrlPath: crlPath,
    allowListPath,
    basicAuth: opts.basicAuth ? { username: opts.basicAuth.username, passwordHash: sha512Crypt(opts.basicAuth.password, "gatewaytest") } : undefined,
    webServiceToken: opts.webServices === false ? undefined : "backend-token",
    webServices: opts.webServices ?? true,
    backends: [{ name: "license_central", servers: [{ name: "line1", address: "127.0.0.1", port: backendPort }] }],
    health: { path: "/readyz", intervalMs: 2000, fall: 2, rise: 1 },
    adminSocketPath: path.join(opts.dir, "admin.sock"),
    timeouts: opts.timeouts,
    limits: opts.limits,
    ...(opts.acceptProxy ? { acceptProxy: true } : {}),
    prometheus: prometheusPort ? { address, port: prometheusPort } : undefined,
  };
  const config = renderHaproxyConfig(spec);
  const configPath = path.join(opts.dir, "haproxy.cfg");
  fs.writeFileSync(configPath, config, { mode: 0o600 });
  const logPath = path.join(opts.dir, "haproxy.log");
  const logFd = fs.openSync(logPath, "a");
  const launch = (extra: string[]) => {
    const fd = fs.openSync(logPath, "a");
    const c = spawn("haproxy", ["-db", "-f", configPath, ...extra], { stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    return c;
  };
  // every process started, the old ones of a reload included: stop() ends those still draining
  const children: ChildProcess[] = [launch([])];
  const readLog = () => fs.readFileSync(logPath, "utf8").slice(-2000);
  try {
    await waitForPort(address, port, children[0], readLog, 20_000);
  } catch (e) {
    children[0].kill("SIGKILL");
    backend.close();
    throw e;
  }
  let stopped = false;
  return {
    address,
    port,
    servername,
    config,
    configPath,
    logPath,
    prometheusPort,
    tls: tlsFiles,
    backendRequests,
    async reload() {
      const old = children[children.length - 1];
      const softStops = (fs.readFileSync(logPath, "utf8").match(SOFT_STOP) ?? []).length;
      const fresh = launch(["-sf", String(old.pid)]);
      children.push(fresh);
      const until = Date.now() + 20_000;
      while ((fs.readFileSync(logPath, "utf8").match(SOFT_STOP) ?? []).length <= softStops) {
        if (fresh.exitCode !== null) throw new Error(`haproxy exited during a reload (${fresh.exitCode}): ${readLog()}`);
        if (Date.now() > until) throw new Error(`haproxy's old process did not enter its soft stop within 20 s: ${readLog()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitForPort(address, port, fresh, readLog, 20_000);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      backend.closeAllConnections();
      await new Promise((r) => backend.close(r));
      fs.rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Set when no HTTP answer came: the TLS or socket error. */
  error?: string;
}

const contexts = new Map<string, tls.SecureContext>();

/** One TLS context per CA + client certificate: building one per request would cost more than the request. */
export function clientContext(caCert: string, cert?: string, key?: string): tls.SecureContext {
  const id = `${caCert}|${cert ?? ""}|${key ?? ""}`;
  let ctx = contexts.get(id);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: fs.readFileSync(caCert), cert: cert && fs.readFileSync(cert), key: key && fs.readFileSync(key) });
    contexts.set(id, ctx);
  }
  return ctx;
}

/**
 * Sends `head` (request line and headers, exactly as given, CRLF-terminated, without the blank line)
 * over TLS and reads the answer until the gateway closes. No client library rewrites the path.
 */
export function rawHttpsRequest(
  gw: Pick<StandaloneGateway, "address" | "port" | "servername" | "tls">,
  head: string | Buffer,
  opts: { clientCert?: "good" | "revoked"; localAddress?: string; timeoutMs?: number; body?: string } = {},
): Promise<RawResponse> {
  const cert = opts.clientCert === "good" ? gw.tls.clientCert : opts.clientCert === "revoked" ? gw.tls.revokedClientCert : undefined;
  const key = opts.clientCert === "good" ? gw.tls.clientKey : opts.clientCert === "revoked" ? gw.tls.revokedClientKey : undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m)
        return resolve({
          headers: {},
          body: text,
          error: error ?? (text ? `not an HTTP answer: ${text.slice(0, 80)}` : "connection closed without an answer"),
        });
      const headers: Record<string, string> = {};
      for (const l of m[2].split("\r\n")) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(m[1]), headers, body: m[3] });
    };
    const socket = tls.connect({
      host: gw.address,
      port: gw.port,
      servername: gw.servername,
      secureContext: clientContext(gw.tls.caCert, cert, key),
      // Passed on to net.Socket#connect (not in the tls typings).
      ...({ localAddress: opts.localAddress } as object),
    });
    const timer = setTimeout(() => finish("timeout"), opts.timeoutMs ?? 15_000);
    socket.on("secureConnect", () => {
      const body = opts.body ?? "";
      const headText = Buffer.isBuffer(head) ? head : Buffer.from(head, "latin1");
      socket.write(
        Buffer.concat([
          headText,
          Buffer.from(
            `\r\nHost: ${gw.servername}\r\nConnection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ""}\r\n${body}`,
            "latin1",
          ),
        ]),
      );
    });
    socket.on("data", (d) => chunks.push(d));
    socket.on("end", () => finish());
    socket.on("close", () => finish());
    socket.on("error", (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  });
}
