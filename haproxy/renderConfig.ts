/**
 * Renders haproxy.cfg for the HTTPS gateway (Dedicated, High Performance), the load balancer
 * (High Availability) and the shared entry point (Datacenter tenants). Pure: the Docker components
 * upload exactly this text, and the real-runtime tests run exactly this text with HAProxy 2.6.
 */
export interface HaproxyServer {
  name: string;
  address: string;
  port: number;
}

export interface HaproxyBackend {
  name: string;
  /** Route by Host header (shared entry point); without it the backend is the default. */
  host?: string;
  servers: HaproxyServer[];
}

export interface HaproxyConfigSpec {
  bind: { address: string; port: number };
  /** PEM with certificate and key. */
  certificatePath: string;
  /** CA of the customer's client certificates: web services then require a verified client certificate. */
  clientCaPath?: string;
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
  timeouts?: { connectMs: number; clientMs: number; serverMs: number };
}

export const DEFAULT_HEALTH = { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 };

/** Time from a line's death to the balancer taking it out, at the latest. */
export function deadLineDetectionMs(health: HaproxyConfigSpec["health"]): number {
  return health.intervalMs * health.fall;
}

const safeName = /^[A-Za-z0-9_.-]+$/;

export function renderHaproxyConfig(spec: HaproxyConfigSpec): string {
  for (const b of spec.backends) {
    if (!safeName.test(b.name)) throw new Error(`backend name '${b.name}' may only hold letters, digits, '_', '.', '-'`);
    if (b.servers.length === 0) throw new Error(`backend '${b.name}' has no server`);
    for (const s of b.servers) if (!safeName.test(s.name)) throw new Error(`server name '${s.name}' may only hold letters, digits, '_', '.', '-'`);
  }
  if (spec.basicAuth && !safeName.test(spec.basicAuth.username)) throw new Error(`basic-auth username '${spec.basicAuth.username}' is not allowed`);
  const t = spec.timeouts ?? { connectMs: 2000, clientMs: 30000, serverMs: 30000 };
  const out: string[] = [];
  const line = (s = "") => out.push(s);

  line("# Rendered by lchost (haproxy/renderConfig.ts). Do not edit by hand.");
  line("global");
  line("  log stdout format raw local0");
  line("  maxconn 4096");
  if (spec.adminSocketPath) line(`  stats socket ${spec.adminSocketPath} mode 600 level admin`);
  line("  ssl-default-bind-options ssl-min-ver TLSv1.2");
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
  line("  option httplog");
  line(`  timeout connect ${t.connectMs}ms`);
  line(`  timeout client ${t.clientMs}ms`);
  line(`  timeout server ${t.serverMs}ms`);
  line("  # A request to a line that dies is sent again to another line; activations carry idempotency keys.");
  line("  retries 3");
  line("  option redispatch 1");
  line("  option http-buffer-request");
  line("  retry-on conn-failure empty-response response-timeout 502 503");
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
  line("frontend https");
  const clientCa = spec.clientCaPath ? ` ca-file ${spec.clientCaPath} verify optional` : "";
  line(`  bind ${spec.bind.address}:${spec.bind.port} ssl crt ${spec.certificatePath}${clientCa}`);
  line("  http-request set-header X-Forwarded-Proto https");
  line("  http-response set-header Strict-Transport-Security max-age=31536000");
  line("  acl web_service path_beg /ws/");
  line("  acl admin_api path_beg /admin/");
  line("  # The admin API lives on an internal port and is never published.");
  line("  http-request deny deny_status 404 if admin_api");
  if (!spec.webServices) {
    line("  # This edition has no web-service access.");
    line("  http-request deny deny_status 403 if web_service");
  } else {
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
  if (fallback) line(`  default_backend ${fallback.name}`);
  else line("  default_backend unknown_host");
  for (const b of spec.backends) {
    line();
    line(`backend ${b.name}`);
    line("  balance leastconn");
    line(`  option httpchk GET ${spec.health.path}`);
    line("  http-check expect status 200");
    const resolve = spec.dockerDns ? " resolvers docker init-addr last,libc,none" : "";
    line(`  default-server inter ${spec.health.intervalMs}ms fall ${spec.health.fall} rise ${spec.health.rise}${resolve}`);
    for (const s of b.servers) line(`  server ${s.name} ${s.address}:${s.port} check`);
  }
  if (!fallback) {
    line();
    line("backend unknown_host");
    line("  http-request deny deny_status 404");
  }
  line();
  return out.join("\n");
}

/** The allow-list file: one CIDR per line. */
export function renderAllowList(cidrs: string[]): string {
  return cidrs.map((c) => `${c}\n`).join("");
}
