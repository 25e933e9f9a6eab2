/**
 * Renders haproxy.cfg for a host's one HTTPS entry (issue 14 item 2, docs/hosts.md): HAProxy in TCP mode
 * on the host's :443 that reads the TLS ClientHello's server name (SNI) and passes the connection,
 * untouched, to that customer's own gateway — TLS is not terminated here, so the client certificate
 * reaches the customer's gateway — with a PROXY protocol v2 header first, so the gateway (rendered with
 * `acceptProxy`) sees the client's address for its allow-list and per-source limits. A server name no
 * customer claims is closed before any byte reaches a gateway. Pure, like renderConfig.ts.
 */

/**
 * Where a gateway behind its host's entry publishes lchost:httpsPort (lchost:behindHostEntry): loopback only,
 * so nothing but the entry on that host (host network) reaches it — its bind trusts the PROXY v2 header's
 * client address, which any other client could forge.
 */
export const BEHIND_HOST_ENTRY_ADDRESS = "127.0.0.1";

export interface HostEntryRoute {
  /** The customer (a DNS label); names the backend. */
  customer: string;
  /** Its public host name, matched case-insensitively against the ClientHello's server name. */
  serverName: string;
  /** Where its gateway listens (with accept-proxy on that bind). */
  gateway: { address: string; port: number };
}

export interface HostEntryTimeouts {
  /** How long a new connection may take to send its ClientHello. */
  helloMs: number;
  connectMs: number;
  /** Idle time on either side of an established tunnel; the customer gateway's own timeouts are shorter. */
  clientMs: number;
  serverMs: number;
  /** A half-closed connection is closed after this. */
  finMs: number;
}

export const DEFAULT_HOST_ENTRY_TIMEOUTS: HostEntryTimeouts = { helloMs: 5000, connectMs: 2000, clientMs: 60000, serverMs: 60000, finMs: 5000 };

export interface HostEntrySpec {
  bind: { address: string; port: number };
  routes: HostEntryRoute[];
  /** Concurrent connections the entry accepts (e.g. the sum of its customers' gateway maxConnections). */
  maxConnections: number;
  /** Concurrent connections one source address may hold at the entry; more are closed at accept. */
  connectionsPerSource: number;
  timeouts?: Partial<HostEntryTimeouts>;
  adminSocketPath?: string;
  /**
   * Started as root to bind a port below 1024 on the host's network (the fleet's entry container), the
   * master switches its workers to this user and group after binding.
   */
  dropPrivilegesTo?: { user: string; group: string };
}

/** The ClientHello's server name is a host name: lower-case it and it must be this. */
const SERVER_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CUSTOMER = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Every problem of a spec, each naming its field; empty when it can be rendered. */
export function hostEntryProblems(spec: HostEntrySpec): string[] {
  const problems: string[] = [];
  const positive = (v: number, field: string) => {
    if (!Number.isInteger(v) || v < 1) problems.push(`${field}: must be a positive integer, got ${v}`);
  };
  const port = (v: number, field: string) => {
    if (!Number.isInteger(v) || v < 1 || v > 65535) problems.push(`${field}: ${v} is not a port (1-65535)`);
  };
  port(spec.bind.port, "bind.port");
  positive(spec.maxConnections, "maxConnections");
  positive(spec.connectionsPerSource, "connectionsPerSource");
  for (const [k, v] of Object.entries(spec.timeouts ?? {})) positive(v as number, `timeouts.${k}`);
  for (const k of ["user", "group"] as const) {
    const v = spec.dropPrivilegesTo?.[k];
    if (spec.dropPrivilegesTo && !/^[a-z_][a-z0-9_-]{0,31}$/.test(String(v))) problems.push(`dropPrivilegesTo.${k}: '${v}' is not a system ${k} name`);
  }
  const names = new Map<string, string>();
  const customers = new Set<string>();
  spec.routes.forEach((r, i) => {
    const at = `routes[${i}]`;
    if (!CUSTOMER.test(r.customer)) problems.push(`${at}.customer: '${r.customer}' is not a DNS label`);
    else if (customers.has(r.customer)) problems.push(`${at}.customer: '${r.customer}' has a route already; one public host name per customer`);
    customers.add(r.customer);
    const name = r.serverName.toLowerCase();
    if (!SERVER_NAME.test(name)) problems.push(`${at}.serverName: '${r.serverName}' is not a host name (labels of letters, digits and '-', dot-separated)`);
    const other = names.get(name);
    if (other !== undefined)
      problems.push(`${at}.serverName: '${name}' is claimed by customer '${other}' and customer '${r.customer}'; a host name routes to one customer`);
    else names.set(name, r.customer);
    if (!/^[0-9a-fA-F.:]+$/.test(r.gateway.address) && !/^[a-z0-9.-]+$/.test(r.gateway.address))
      problems.push(`${at}.gateway.address: '${r.gateway.address}' is not an address or host name`);
    port(r.gateway.port, `${at}.gateway.port`);
  });
  return problems;
}

/** The backend of a customer's route. */
export function hostEntryBackendName(customer: string): string {
  return `customer_${customer.replace(/-/g, "_")}`;
}

const hostPort = (address: string, port: number) => (address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`);

export function renderHostEntryConfig(spec: HostEntrySpec): string {
  const problems = hostEntryProblems(spec);
  if (problems.length) throw new Error(`host entry: ${problems.join("; ")}`);
  const t = { ...DEFAULT_HOST_ENTRY_TIMEOUTS, ...spec.timeouts };
  const routes = [...spec.routes].sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  const out: string[] = [];
  const line = (s = "") => out.push(s);
  line("# Rendered by lchost (haproxy/renderHostEntry.ts). Do not edit by hand.");
  line("# The host's one HTTPS entry: routes each TLS connection by its server name (SNI) to that customer's gateway");
  line("# without terminating TLS, behind a PROXY protocol v2 header carrying the client's address.");
  line("global");
  line("  log stdout format raw local0");
  line(`  maxconn ${spec.maxConnections + 64}`);
  if (spec.adminSocketPath) line(`  stats socket ${spec.adminSocketPath} mode 600 level admin`);
  if (spec.dropPrivilegesTo) {
    line(`  user ${spec.dropPrivilegesTo.user}`);
    line(`  group ${spec.dropPrivilegesTo.group}`);
  }
  line();
  line("defaults");
  line("  mode tcp");
  line("  log global");
  line("  option tcplog");
  line(`  timeout connect ${t.connectMs}ms`);
  line(`  timeout client ${t.clientMs}ms`);
  line(`  timeout server ${t.serverMs}ms`);
  line(`  timeout client-fin ${t.finMs}ms`);
  line(`  timeout server-fin ${t.finMs}ms`);
  line();
  line("frontend host_entry");
  line(`  bind ${hostPort(spec.bind.address, spec.bind.port)}`);
  line(`  maxconn ${spec.maxConnections}`);
  line("  # Per source address: concurrent connections (the customer gateways limit requests, seeing the same address).");
  line("  stick-table type ipv6 size 100k expire 30s store conn_cur");
  line("  tcp-request connection track-sc0 src");
  line(`  tcp-request connection reject if { sc_conn_cur(0) gt ${spec.connectionsPerSource} }`);
  line("  # Wait for the TLS ClientHello (a client that sends none is closed after the delay); anything else is refused.");
  line(`  tcp-request inspect-delay ${t.helloMs}ms`);
  line("  tcp-request content accept if { req.ssl_hello_type 1 }");
  line("  tcp-request content reject");
  for (const r of routes) line(`  use_backend ${hostEntryBackendName(r.customer)} if { req.ssl_sni -i ${r.serverName.toLowerCase()} }`);
  line("  default_backend unknown_server_name");
  for (const r of routes) {
    line();
    line(`backend ${hostEntryBackendName(r.customer)}`);
    line(`  server gateway ${hostPort(r.gateway.address, r.gateway.port)} send-proxy-v2`);
  }
  line();
  line("backend unknown_server_name");
  line("  # No customer claims this server name (or the client sent none): closed, nothing reaches a gateway.");
  line("  tcp-request content reject");
  line();
  return out.join("\n");
}
