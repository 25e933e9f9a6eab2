import { hostEntryProblems, HostEntrySpec, renderHostEntryConfig } from "../../../haproxy/renderHostEntry";
import { HaproxyConfigSpec, renderHaproxyConfig } from "../../../haproxy/renderConfig";
import { editionFacts } from "../../../model/catalog";

const spec = (): HostEntrySpec => ({
  bind: { address: "10.20.0.12", port: 443 },
  routes: [
    { customer: "globex", serverName: "globex.dc1.lchost.example", gateway: { address: "10.20.0.12", port: 8443 } },
    { customer: "hooli", serverName: "Hooli.dc1.lchost.example", gateway: { address: "10.20.0.12", port: 8444 } },
  ],
  maxConnections: 3000,
  connectionsPerSource: 200,
});

describe("the per-host HTTPS entry's haproxy.cfg", () => {
  const cfg = renderHostEntryConfig(spec());

  it("routes by the ClientHello's server name in TCP mode, passing TLS through with a PROXY v2 header", () => {
    expect(cfg).toContain("  mode tcp");
    expect(cfg).toContain("  tcp-request content accept if { req.ssl_hello_type 1 }\n  tcp-request content reject\n");
    expect(cfg).toContain("  use_backend customer_globex if { req.ssl_sni -i globex.dc1.lchost.example }");
    expect(cfg).toContain("  use_backend customer_hooli if { req.ssl_sni -i hooli.dc1.lchost.example }");
    expect(cfg).toContain("backend customer_hooli\n  server gateway 10.20.0.12:8444 send-proxy-v2\n");
    expect(cfg).not.toMatch(/\bssl crt\b|mode http/);
  });

  it("closes a connection whose server name no customer claims", () => {
    expect(cfg).toContain("  default_backend unknown_server_name");
    expect(cfg).toMatch(/backend unknown_server_name\n( {2}#.*\n)? {2}tcp-request content reject\n/);
  });

  it("has a timeout for the ClientHello, connecting, both sides and half-closed connections, and connection limits", () => {
    for (const l of [
      "tcp-request inspect-delay 5000ms",
      "timeout connect 2000ms",
      "timeout client 60000ms",
      "timeout server 60000ms",
      "timeout client-fin 5000ms",
      "timeout server-fin 5000ms",
    ])
      expect(cfg).toContain(`  ${l}\n`);
    expect(cfg).toContain("  maxconn 3000\n");
    expect(cfg).toContain("  tcp-request connection reject if { sc_conn_cur(0) gt 200 }");
  });

  it("is the same text whatever the order of the routes", () => {
    expect(renderHostEntryConfig({ ...spec(), routes: [...spec().routes].reverse() })).toBe(cfg);
  });

  it("refuses two customers claiming one host name, naming both", () => {
    const s = spec();
    s.routes[1] = { ...s.routes[1], serverName: "GLOBEX.dc1.lchost.example" };
    expect(hostEntryProblems(s)).toEqual([
      "routes[1].serverName: 'globex.dc1.lchost.example' is claimed by customer 'globex' and customer 'hooli'; a host name routes to one customer",
    ]);
    expect(() => renderHostEntryConfig(s)).toThrow(/claimed by customer 'globex' and customer 'hooli'/);
  });

  it("refuses what is not a host name, a port or a limit, naming the field", () => {
    const s = spec();
    s.routes[0] = { customer: "Globex", serverName: "globex dc1", gateway: { address: "10.0.0.1;x", port: 70000 } };
    s.bind.port = 0;
    s.connectionsPerSource = 0;
    expect(hostEntryProblems({ ...s, timeouts: { helloMs: -1 } })).toEqual([
      "bind.port: 0 is not a port (1-65535)",
      "connectionsPerSource: must be a positive integer, got 0",
      "timeouts.helloMs: must be a positive integer, got -1",
      "routes[0].customer: 'Globex' is not a DNS label",
      "routes[0].serverName: 'globex dc1' is not a host name (labels of letters, digits and '-', dot-separated)",
      "routes[0].gateway.address: '10.0.0.1;x' is not an address or host name",
      "routes[0].gateway.port: 70000 is not a port (1-65535)",
    ]);
  });
});

describe("the customer gateway behind the entry (acceptProxy)", () => {
  const gateway = (acceptProxy?: boolean): HaproxyConfigSpec => ({
    bind: { address: "*", port: 8443 },
    certificatePath: "/etc/haproxy/server.pem",
    webServices: true,
    allowListPath: "/etc/haproxy/allow.lst",
    backends: [{ name: "license_central", servers: [{ name: "line1", address: "lc-line-1", port: 8080 }] }],
    health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
    limits: editionFacts("dedicated").gateway,
    ...(acceptProxy === undefined ? {} : { acceptProxy }),
  });

  it("is byte for byte today's output when off", () => {
    expect(renderHaproxyConfig(gateway(false))).toBe(renderHaproxyConfig(gateway()));
    expect(renderHaproxyConfig(gateway())).not.toContain("accept-proxy");
  });

  it("takes the PROXY header on the public bind only when on", () => {
    const on = renderHaproxyConfig(gateway(true)).split("\n");
    const off = renderHaproxyConfig(gateway()).split("\n");
    const changed = on.filter((l, i) => l !== off[i]);
    expect(changed).toEqual(["  bind *:8443 accept-proxy ssl crt /etc/haproxy/server.pem"]);
  });
});

describe("the host entry started as root on the host's network", () => {
  it("switches its workers to the given user and group, and renders nothing of it otherwise", () => {
    expect(renderHostEntryConfig({ ...spec(), dropPrivilegesTo: { user: "haproxy", group: "haproxy" } })).toMatch(
      /^global\n(.*\n)*? {2}user haproxy\n {2}group haproxy\n/m,
    );
    expect(renderHostEntryConfig(spec())).not.toMatch(/^ {2}(user|group) /m);
  });

  it("refuses a user name that is not one, naming the field", () => {
    expect(hostEntryProblems({ ...spec(), dropPrivilegesTo: { user: "ha proxy", group: "haproxy" } })).toEqual([
      "dropPrivilegesTo.user: 'ha proxy' is not a system user name",
    ]);
  });
});
