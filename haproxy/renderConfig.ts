/**
 * Renders haproxy.cfg for the HTTPS gateway (Dedicated, High Performance), the load balancer
 * (High Availability) and the shared entry point (Datacenter tenants). Pure: the Docker components
 * upload exactly this text, and the real-runtime tests run exactly this text with HAProxy 2.6.
 */
import { MONITORING_PORTS } from "../model/naming";
import { BALANCING_ALGORITHMS } from "../model/stackConfigSchema";

export interface HaproxyServer {
  name: string;
  address: string;
  port: number;
  /** HAProxy's `weight` (1–256): the server's share of new clients relative to the others; absent: 1. */
  weight?: number;
}

export type BalanceAlgorithm = (typeof BALANCING_ALGORITHMS)[number];

/** Requests under a path prefix go only to some of the backend's servers. */
export interface HaproxyRoute {
  /**
   * Matched per whole segment on the normalized path, case-insensitively like the gateway's /ws and /admin
   * checks: "/ws/" (or "/ws") matches /ws, /ws/… and /WS/…, never /wsx.
   */
  pathPrefix: string;
  /** Names of the backend's servers that serve it. */
  servers: string[];
}

/** How a backend spreads requests over its servers (a customer's `lchost:balancing`). */
export interface HaproxyBalancing {
  algorithm: BalanceAlgorithm;
  /** Each route becomes a backend of its own with the named servers, which track the main backend's health checks. */
  routes?: HaproxyRoute[];
  /** Keep a client on one server while it is up: by source address (stick table) or by a cookie the balancer sets. */
  sticky?: "source" | "cookie";
}

export interface HaproxyBackend {
  name: string;
  /** Route by Host header (shared entry point); without it the backend is the default. */
  host?: string;
  servers: HaproxyServer[];
  /** Absent: `balance leastconn`, no routes, no stickiness. */
  balancing?: HaproxyBalancing;
}

/** Per-gateway connection limits (from the edition catalog's `gateway` entry). */
export interface GatewayLimits {
  /** Concurrent connections the TLS frontend accepts; more wait in the kernel's queue. */
  maxConnections: number;
  /** Concurrent connections one source address may hold; more are closed at accept. */
  connectionsPerSource: number;
  /** HTTP requests one source address may send per 10 s; more get 429. */
  requestsPerSourcePer10s: number;
}

export interface HaproxyConfigSpec {
  bind: { address: string; port: number };
  /** PEM with certificate and key. */
  certificatePath: string;
  /** CA of the customer's client certificates: web services then require a verified client certificate. */
  clientCaPath?: string;
  /** Revocation list (PEM) of that CA: a revoked client certificate is refused in the handshake. */
  clientCrlPath?: string;
  /** File with one CIDR per line allowed to call web services (changeable at run time over the admin socket). */
  allowListPath?: string;
  basicAuth?: { username: string; passwordHash: string };
  /** Bearer token added to web-service requests that passed the checks (License Central requires it). */
  webServiceToken?: string;
  /** false: every /ws/ request is refused with 403 (Datacenter). */
  webServices: boolean;
  backends: HaproxyBackend[];
  health: { path: string; intervalMs: number; fall: number; rise: number };
  /** Resolve server names at run time through Docker's embedded DNS, so a missing line does not stop the balancer. */
  dockerDns?: boolean;
  adminSocketPath?: string;
  /** Plain-HTTP port answering GET /haproxy-health for container health checks. */
  monitorPort?: number;
  /**
   * HAProxy's built-in Prometheus exporter (`frontend prometheus`, GET /metrics, 404 for anything else).
   * Bind it on the container network only (`*` inside the container, never published to the host), never
   * on the public entry's port.
   */
  prometheus?: { address: string; port: number };
  timeouts?: Partial<GatewayTimeouts>;
  limits: GatewayLimits;
  /** Requests per second one client address may send to /ws/; more are answered 429 with Retry-After. */
  webServiceRateLimit?: { requestsPerSecond: number };
  /**
   * Behind the host's HTTPS entry (renderHostEntry.ts): the public bind takes a PROXY protocol header first,
   * so `src` (allow-list, per-source limits, logs) is the client's address. Off: today's output, unchanged.
   */
  acceptProxy?: boolean;
  /**
   * Further path prefixes served on internal ports only (the status portal's `/v1`: Alertmanager's webhook and
   * the team's admin API): refused with 404 like /admin and /metrics, decided on the normalized path, any case.
   */
  internalPaths?: string[];
  /** Replace X-Forwarded-For with the client's address (a backend that trusts this entry reads the client from it). */
  forwardClientAddress?: boolean;
}

/** The port of every gateway's and balancer's Prometheus listener (the ops stack's `haproxy` job scrapes it). */
export const HAPROXY_PROMETHEUS_PORT = MONITORING_PORTS.haproxyMetrics;

/** The Prometheus frontend's own limits: a scraper or two, small answers, nobody else. */
export const PROMETHEUS_FRONTEND_LIMITS = { maxConnections: 16, clientMs: 10_000, httpRequestMs: 5_000, httpKeepAliveMs: 5_000 };

export interface GatewayTimeouts {
  connectMs: number;
  clientMs: number;
  serverMs: number;
  /** Whole request head (and buffered body) must arrive within this: a slowloris client is cut off. */
  httpRequestMs: number;
  /** Idle time between two requests on one connection. */
  httpKeepAliveMs: number;
}

/** How long an old process may drain after a reload: the longest request (server timeout) or idle keep-alive, plus 5 s. */
export function hardStopAfterMs(t: GatewayTimeouts): number {
  return Math.max(t.serverMs, t.httpKeepAliveMs, t.clientMs) + 5000;
}

export const DEFAULT_TIMEOUTS: GatewayTimeouts = { connectMs: 2000, clientMs: 30000, serverMs: 30000, httpRequestMs: 5000, httpKeepAliveMs: 5000 };

export const DEFAULT_HEALTH = { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 };

/**
 * Mozilla's "intermediate" server profile (guidelines 5.7): TLS 1.2 with ECDHE and AEAD suites only,
 * TLS 1.3 suites, named curves; no session tickets (their keys would outlive a restart's forward secrecy).
 */
export const TLS_PROFILE = {
  ciphers: [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
  ].join(":"),
  ciphersuites: ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"].join(":"),
  curves: "X25519:prime256v1:secp384r1",
  options: "ssl-min-ver TLSv1.2 no-tls-tickets",
};

/** Headers on every answer of the TLS frontend, the gateway's own 400/401/403/404/429 included. */
export const SECURITY_HEADERS: Array<[string, string]> = [
  ["Strict-Transport-Security", "max-age=63072000"],
  ["X-Content-Type-Options", "nosniff"],
];

/** The answers HAProxy generates itself, with a short plain-text body. */
const GATEWAY_ERRORS: Array<[number, string]> = [
  [400, "bad request"],
  [403, "forbidden"],
  [404, "not found"],
  [408, "request timeout"],
  [429, "too many requests"],
  [500, "internal error"],
  [502, "bad gateway"],
  [503, "service unavailable"],
  [504, "gateway timeout"],
];

/** Time from a line's death to the balancer taking it out, at the latest. */
export function deadLineDetectionMs(health: HaproxyConfigSpec["health"]): number {
  return health.intervalMs * health.fall;
}

const safeName = /^[A-Za-z0-9_.-]+$/;

function positiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${field} must be a positive integer, got ${value}`);
}

/** The backend holding the per-client /ws/ rate table. */
const WS_RATE_TABLE = "ws_rate_limit";

function gatewayErrorText(status: number): string {
  return GATEWAY_ERRORS.find(([s]) => s === status)![1];
}

function routeBackendName(backend: string, index: number): string {
  return `${backend}_route${index + 1}`;
}

/** One cookie per backend, so a route's servers never overwrite the main backend's choice. */
function cookieName(backend: string, balancing: HaproxyBalancing | undefined): string | undefined {
  return balancing?.sticky === "cookie" ? `lc_${backend}` : undefined;
}

function balancingLines(line: (s?: string) => void, balancing: HaproxyBalancing | undefined, cookie: string | undefined): void {
  line(`  balance ${balancing?.algorithm ?? "leastconn"}`);
  // Consistent hashing: when a line dies only its clients move; a map-based hash would reshuffle everyone.
  if (balancing?.algorithm === "source") line("  hash-type consistent");
  if (balancing?.sticky === "source") {
    line("  # A client address stays on its line while the line is up; then it moves, and stays on the new one.");
    line("  stick-table type ipv6 size 100k expire 30m");
    line("  stick on src");
  } else if (cookie) {
    line("  # A client stays on its line while the line is up (the cookie names the line, nothing else).");
    line(`  cookie ${cookie} insert indirect nocache secure httponly`);
  }
}

function serverOptions(s: HaproxyServer, cookie: boolean): string {
  return `${s.weight !== undefined ? ` weight ${s.weight}` : ""}${cookie ? ` cookie ${s.name}` : ""}`;
}

/**
 * A route's prefix as the path it names, without the trailing "/" ("" for "/"). Paths are decided on
 * after normalization, so a prefix that is not normalized itself could never match: refused.
 */
export function routePrefixBase(prefix: string, field: string): string {
  if (!prefix.startsWith("/")) throw new Error(`${field}: '${prefix}' must start with '/' (e.g. /ws/)`);
  const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  for (const seg of base.split("/").slice(1)) {
    if (!/^[A-Za-z0-9._~-]+$/.test(seg) || seg === "." || seg === "..") {
      throw new Error(`${field}: '${prefix}' is not a normalized path prefix: segments of letters, digits, '.', '_', '~', '-' (no empty, '.' or '..' segment)`);
    }
  }
  return base;
}

interface RenderedRoute {
  backend: string;
  base: string;
}

/** Checks every backend's balancing and the rate limit; returns the routes in the order HAProxy must try them. */
function checkBalancing(spec: HaproxyConfigSpec): RenderedRoute[] {
  const names = new Set(spec.backends.map((b) => b.name));
  const reserved = (name: string, field: string) => {
    if (names.has(name)) throw new Error(`${field}: backend name '${name}' is taken`);
    names.add(name);
  };
  if (spec.webServiceRateLimit) {
    positiveInteger(spec.webServiceRateLimit.requestsPerSecond, "webServiceRateLimit.requestsPerSecond");
    if (!spec.webServices) throw new Error("webServiceRateLimit: this gateway refuses every /ws/ request (webServices false); there is nothing to limit");
    reserved(WS_RATE_TABLE, "webServiceRateLimit");
  }
  const routes: Array<RenderedRoute & { segments: number }> = [];
  for (const b of spec.backends) {
    for (const s of b.servers) {
      if (s.weight !== undefined && (!Number.isInteger(s.weight) || s.weight < 1 || s.weight > 256)) {
        throw new Error(`backend '${b.name}' server '${s.name}': weight must be a whole number from 1 to 256, got ${s.weight}`);
      }
    }
    const bal = b.balancing;
    if (!bal) continue;
    if (!BALANCING_ALGORITHMS.includes(bal.algorithm)) {
      throw new Error(`backend '${b.name}': balancing.algorithm '${bal.algorithm}' is not allowed; allowed: ${BALANCING_ALGORITHMS.join(", ")}`);
    }
    if (bal.sticky !== undefined && bal.sticky !== "source" && bal.sticky !== "cookie") {
      throw new Error(`backend '${b.name}': balancing.sticky '${bal.sticky}' is not allowed; allowed: source, cookie`);
    }
    if (bal.routes?.length && b.host) throw new Error(`backend '${b.name}': balancing.routes need the default backend (one without a host)`);
    const bases = new Map<string, string>();
    (bal.routes ?? []).forEach((r, i) => {
      const field = `backend '${b.name}' balancing.routes[${i}]`;
      const base = routePrefixBase(r.pathPrefix, `${field}.pathPrefix`);
      const same = bases.get(base.toLowerCase());
      if (same !== undefined) throw new Error(`${field}.pathPrefix: '${r.pathPrefix}' names the same paths as '${same}'`);
      bases.set(base.toLowerCase(), r.pathPrefix);
      if (r.servers.length === 0) throw new Error(`${field}.servers: name at least one server`);
      for (const n of r.servers) {
        if (!b.servers.some((s) => s.name === n)) {
          throw new Error(`${field}.servers: '${n}' is not a server of the backend (servers: ${b.servers.map((s) => s.name).join(", ")})`);
        }
      }
      if (new Set(r.servers).size !== r.servers.length) throw new Error(`${field}.servers: list each server once`);
      const backend = routeBackendName(b.name, i);
      reserved(backend, field);
      routes.push({ backend, base, segments: base === "" ? 0 : base.split("/").length - 1 });
    });
  }
  // Most specific first; a stable sort keeps the configured order among equals.
  return routes.sort((a, b) => b.segments - a.segments).map(({ backend, base }) => ({ backend, base }));
}

export function renderHaproxyConfig(spec: HaproxyConfigSpec): string {
  for (const b of spec.backends) {
    if (!safeName.test(b.name)) throw new Error(`backend name '${b.name}' may only hold letters, digits, '_', '.', '-'`);
    if (b.servers.length === 0) throw new Error(`backend '${b.name}' has no server`);
    for (const s of b.servers) if (!safeName.test(s.name)) throw new Error(`server name '${s.name}' may only hold letters, digits, '_', '.', '-'`);
  }
  if (spec.basicAuth && !safeName.test(spec.basicAuth.username)) throw new Error(`basic-auth username '${spec.basicAuth.username}' is not allowed`);
  if (spec.clientCrlPath && !spec.clientCaPath) throw new Error("a client-certificate revocation list needs the client CA (clientCaPath)");
  positiveInteger(spec.limits.maxConnections, "limits.maxConnections");
  positiveInteger(spec.limits.connectionsPerSource, "limits.connectionsPerSource");
  positiveInteger(spec.limits.requestsPerSourcePer10s, "limits.requestsPerSourcePer10s");
  const routing = checkBalancing(spec);
  const t = { ...DEFAULT_TIMEOUTS, ...spec.timeouts };
  const out: string[] = [];
  const line = (s = "") => out.push(s);

  line("# Rendered by lchost (haproxy/renderConfig.ts). Do not edit by hand.");
  line("global");
  line("  log stdout format raw local0");
  line("  # HAProxy 2.6 still files http-request normalize-uri (below) under experimental directives.");
  line("  expose-experimental-directives");
  line(`  maxconn ${spec.limits.maxConnections + 64}`);
  if (spec.adminSocketPath) line(`  stats socket ${spec.adminSocketPath} mode 600 level admin`);
  line("  # A reload (-sf) leaves the old process to finish its requests; it is gone after the longest of them.");
  line(`  hard-stop-after ${hardStopAfterMs(t)}ms`);
  line(`  ssl-default-bind-ciphers ${TLS_PROFILE.ciphers}`);
  line(`  ssl-default-bind-ciphersuites ${TLS_PROFILE.ciphersuites}`);
  line(`  ssl-default-bind-curves ${TLS_PROFILE.curves}`);
  line(`  ssl-default-bind-options ${TLS_PROFILE.options}`);
  line();
  if (spec.dockerDns) {
    line("resolvers docker");
    line("  nameserver dns 127.0.0.11:53");
    line("  hold valid 1s");
    line();
  }
  line("defaults");
  line("  mode http");
  line("  log global");
  line("  # Like httplog, but the path is logged normalized, with ticket codes masked, and never the query string.");
  line(`  log-format "${LOG_FORMAT}"`);
  line(`  timeout connect ${t.connectMs}ms`);
  line(`  timeout client ${t.clientMs}ms`);
  line(`  timeout server ${t.serverMs}ms`);
  line("  # A client that trickles its request (slowloris) is cut off; idle keep-alive connections do not pile up.");
  line(`  timeout http-request ${t.httpRequestMs}ms`);
  line(`  timeout http-keep-alive ${t.httpKeepAliveMs}ms`);
  line("  # On a reload the old process keeps an idle keep-alive connection until its next request, answers it with");
  line("  # Connection: close, and only then closes: closing it at once raced the client's next request (socket hang up).");
  line("  option idle-close-on-response");
  line("  # A request to a line that dies is sent again to another line; activations carry idempotency keys.");
  line("  retries 3");
  line("  option redispatch 1");
  line("  option http-buffer-request");
  line("  retry-on conn-failure empty-response response-timeout 502 503");
  line("  # HAProxy's own error answers (a request it cannot parse, a timeout …) carry the security headers too.");
  for (const [status, text] of GATEWAY_ERRORS) {
    const hdrs = SECURITY_HEADERS.map(([n, v]) => ` hdr ${n} "${v}"`).join("");
    line(`  http-error status ${status} content-type "text/plain; charset=utf-8" string "${text}"${hdrs}`);
  }
  line();
  if (spec.basicAuth) {
    line("userlist web_service_users");
    line(`  user ${spec.basicAuth.username} password ${spec.basicAuth.passwordHash}`);
    line();
  }
  if (spec.monitorPort) {
    line("frontend monitor");
    line(`  bind 127.0.0.1:${spec.monitorPort}`);
    line("  monitor-uri /haproxy-health");
    line();
  }
  if (spec.prometheus) {
    if (spec.prometheus.port === spec.bind.port) {
      throw new Error(
        `prometheus.port ${spec.prometheus.port} must differ from the public entry's port (bind.port): metrics are never served on the public entry`,
      );
    }
    const p = PROMETHEUS_FRONTEND_LIMITS;
    line("frontend prometheus");
    line("  # Scraped by the operations stack's Prometheus over the container network; never published.");
    line(`  bind ${spec.prometheus.address}:${spec.prometheus.port}`);
    line(`  maxconn ${p.maxConnections}`);
    line(`  timeout client ${p.clientMs}ms`);
    line(`  timeout http-request ${p.httpRequestMs}ms`);
    line(`  timeout http-keep-alive ${p.httpKeepAliveMs}ms`);
    line("  # scrapes every few seconds would drown the access log");
    line("  http-request set-log-level silent");
    line("  # GET and HEAD only: the exporter itself answers any method");
    line("  http-request use-service prometheus-exporter if { path /metrics } { method GET HEAD }");
    line("  http-request deny deny_status 405 if { path /metrics }");
    line("  http-request deny deny_status 404");
    line();
  }
  line("frontend https");
  const clientCa = spec.clientCaPath ? ` ca-file ${spec.clientCaPath}${spec.clientCrlPath ? ` crl-file ${spec.clientCrlPath}` : ""} verify optional` : "";
  line(`  bind ${spec.bind.address}:${spec.bind.port}${spec.acceptProxy ? " accept-proxy" : ""} ssl crt ${spec.certificatePath}${clientCa}`);
  line(`  maxconn ${spec.limits.maxConnections}`);
  for (const [name, value] of SECURITY_HEADERS) line(`  http-after-response set-header ${name} "${value}"`);
  line("  # Per source address: concurrent connections and request rate (slowloris, floods).");
  line("  stick-table type ipv6 size 100k expire 30s store conn_cur,http_req_rate(10s)");
  line("  tcp-request connection track-sc0 src");
  line(`  tcp-request connection reject if { sc_conn_cur(0) gt ${spec.limits.connectionsPerSource} }`);
  line(`  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${spec.limits.requestsPerSourcePer10s} }`);
  line("  # Every decision below is made on the normalized path, and the normalized path is what is forwarded:");
  line("  # /%77s/, //ws/, /./ws/, /depot/../ws/ are all /ws/.");
  line("  http-request normalize-uri percent-to-uppercase");
  line("  http-request normalize-uri percent-decode-unreserved");
  line("  http-request normalize-uri path-merge-slashes");
  line("  http-request normalize-uri path-strip-dot");
  line("  http-request normalize-uri path-strip-dotdot full");
  line(`  http-request set-var(txn.logged_path) ${LOGGED_PATH}`);
  line("  # What normalizing cannot make unambiguous is refused: a percent-encoding left over (%2F, %5C, %00 …),");
  line("  # a backslash, a ';' (path parameters), a byte outside printable ASCII.");
  line(String.raw`  acl ambiguous_path path -m reg '[%\\;]|[^!-~]'`);
  line("  http-request set-var(txn.logged_path) str(refused-ambiguous-path) if ambiguous_path");
  line("  http-request deny deny_status 400 if ambiguous_path");
  line("  http-request set-header X-Forwarded-Proto https");
  line("  # Case-insensitive: /WS/ and /Admin get the same treatment as /ws/ and /admin.");
  line("  acl web_service path -i -m reg ^/ws(/|$)");
  line("  acl admin_api path -i -m reg ^/admin(/|$)");
  line("  # The admin API lives on an internal port and is never published.");
  line("  http-request deny deny_status 404 if admin_api");
  line("  # Metrics are scraped on internal ports only (License Central's admin port, frontend prometheus), never here.");
  line("  acl metrics_path path -i -m reg ^/metrics(/|$)");
  line("  http-request deny deny_status 404 if metrics_path");
  if (spec.internalPaths && spec.internalPaths.length > 0) {
    for (const p of spec.internalPaths) {
      if (!/^(\/[a-z0-9-]+)+$/.test(p)) throw new Error(`internalPaths: '${p}' must be a normalized lower-case path prefix like /v1`);
    }
    const alternatives = spec.internalPaths.map((p) => p.slice(1)).join("|");
    line("  # Internal APIs of the backend (reached on the container network only), never from outside.");
    line(`  acl internal_path path -i -m reg ^/(${alternatives})(/|$)`);
    line("  http-request deny deny_status 404 if internal_path");
  }
  if (spec.forwardClientAddress) {
    line("  # The backend trusts this entry's X-Forwarded-For: exactly the client's address, whatever the client sent.");
    line("  http-request set-header X-Forwarded-For %[src]");
  }
  if (!spec.webServices) {
    line("  # This edition has no web-service access.");
    line("  http-request deny deny_status 403 if web_service");
  } else {
    if (spec.webServiceRateLimit) {
      line(`  # Per client address on /ws/: at most ${spec.webServiceRateLimit.requestsPerSecond} requests per second; more get 429 and Retry-After.`);
      line(`  http-request track-sc1 src table ${WS_RATE_TABLE} if web_service`);
      const answer = `content-type "text/plain; charset=utf-8" string "${gatewayErrorText(429)}" hdr Retry-After 1`;
      line(`  http-request deny deny_status 429 ${answer} if web_service { sc_http_req_rate(1) gt ${spec.webServiceRateLimit.requestsPerSecond} }`);
    }
    if (spec.clientCaPath) {
      line("  http-request deny deny_status 403 if web_service !{ ssl_c_used }");
      line("  http-request deny deny_status 403 if web_service !{ ssl_c_verify 0 }");
    }
    if (spec.allowListPath) {
      line(`  acl allowed_source src -f ${spec.allowListPath}`);
      line("  http-request deny deny_status 403 if web_service !allowed_source");
    }
    if (spec.basicAuth) {
      line("  http-request auth realm license-central-web-services if web_service !{ http_auth(web_service_users) }");
    }
    line("  http-request del-header Authorization if web_service");
    if (spec.webServiceToken) {
      if (!/^[A-Za-z0-9._-]+$/.test(spec.webServiceToken)) throw new Error("web-service token may only hold letters, digits, '.', '_', '-'");
      line(`  http-request set-header Authorization "Bearer ${spec.webServiceToken}" if web_service`);
    }
  }
  const routed = spec.backends.filter((b) => b.host);
  for (const b of routed) {
    line(`  use_backend ${b.name} if { req.hdr(host),field(1,:) -i ${b.host} }`);
  }
  const fallback = spec.backends.find((b) => !b.host);
  if (routing.length > 0) {
    line("  # Balancing routes, most specific first, decided on the normalized path and case-insensitively like the");
    line("  # checks above (License Central's own router is case-sensitive: /WS/… is a 404 on every line).");
    for (const r of routing) {
      if (r.base === "") line(`  acl ${r.backend} path_beg /`);
      else {
        line(`  acl ${r.backend} path -i ${r.base}`);
        line(`  acl ${r.backend} path_beg -i ${r.base}/`);
      }
      line(`  use_backend ${r.backend} if ${r.backend}`);
    }
  }
  if (fallback) line(`  default_backend ${fallback.name}`);
  else line("  default_backend unknown_host");
  const resolve = spec.dockerDns ? " resolvers docker init-addr last,libc,none" : "";
  const defaultServer = `  default-server inter ${spec.health.intervalMs}ms fall ${spec.health.fall} rise ${spec.health.rise}${resolve}`;
  for (const b of spec.backends) {
    line();
    line(`backend ${b.name}`);
    balancingLines(line, b.balancing, cookieName(b.name, b.balancing));
    line(`  option httpchk GET ${spec.health.path}`);
    line("  http-check expect status 200");
    line(defaultServer);
    const cookie = b.balancing?.sticky === "cookie";
    for (const s of b.servers) line(`  server ${s.name} ${s.address}:${s.port} check${serverOptions(s, cookie)}`);
    (b.balancing?.routes ?? []).forEach((r, i) => {
      const name = routeBackendName(b.name, i);
      line();
      line(`backend ${name}`);
      line(`  # ${r.pathPrefix} -> ${r.servers.join(", ")}; the servers follow ${b.name}'s health checks (and its drains)`);
      balancingLines(line, b.balancing, cookieName(name, b.balancing));
      line(defaultServer);
      for (const s of r.servers.map((n) => b.servers.find((x) => x.name === n)!)) {
        line(`  server ${s.name} ${s.address}:${s.port} track ${b.name}/${s.name}${serverOptions(s, cookie)}`);
      }
    });
  }
  if (spec.webServiceRateLimit) {
    line();
    line(`backend ${WS_RATE_TABLE}`);
    line("  # Only the table of the per-client /ws/ rate limit (no server).");
    line("  stick-table type ipv6 size 100k expire 10s store http_req_rate(1s)");
  }
  if (!fallback) {
    line();
    line("backend unknown_host");
    line("  http-request deny deny_status 404");
  }
  line();
  return out.join("\n");
}

/**
 * The path as logged: ticket codes (the segment after `tickets/`, and anything shaped like a code
 * anywhere) are replaced by their first 4 characters and `…`; the query string is never logged.
 */
const LOGGED_PATH = String.raw`"path,regsub('tickets/([^/]?[^/]?[^/]?[^/]?)[^/]*','tickets/\\1...',gi),regsub('([A-Za-z2-9]{4})[A-Za-z2-9]?(-[A-Za-z2-9]+)(-[A-Za-z2-9]+)+','\\1...',g)"`;

/** httplog's fields without %r (whose URI holds the query string and unmasked ticket codes). */
const LOG_FORMAT = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %HM %[var(txn.logged_path)] %HV";

/** The allow-list file: one CIDR per line. */
export function renderAllowList(cidrs: string[]): string {
  return cidrs.map((c) => `${c}\n`).join("");
}
