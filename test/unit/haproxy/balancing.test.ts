import { backendHealth, haproxySections, HaproxyBalancing, HaproxyConfigSpec, renderHaproxyConfig, routePrefixBase } from "../../../haproxy";

/** An HA balancer with three lines; tests change one thing. */
function balancerSpec(balancing?: HaproxyBalancing, change: Partial<HaproxyConfigSpec> = {}): HaproxyConfigSpec {
  return {
    bind: { address: "*", port: 8443 },
    certificatePath: "/etc/haproxy/server.pem",
    webServices: true,
    backends: [
      {
        name: "license_central",
        servers: [1, 2, 3].map((i) => ({ name: `line${i}`, address: `lc-wayne-line-${i}`, port: 8080 })),
        balancing,
      },
    ],
    health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
    limits: { maxConnections: 100, connectionsPerSource: 10, requestsPerSourcePer10s: 100 },
    ...change,
  };
}

const section = (cfg: string, kind: string, name: string) => haproxySections(cfg).find((s) => s.kind === kind && s.name === name)?.lines ?? [];

describe("balancing rules in haproxy.cfg", () => {
  it("keeps least connections and no per-server options when a backend has no balancing", () => {
    const be = section(renderHaproxyConfig(balancerSpec()), "backend", "license_central");
    expect(be).toContain("balance leastconn");
    expect(be.filter((l) => l.startsWith("server "))).toEqual([1, 2, 3].map((i) => `server line${i} lc-wayne-line-${i}:8080 check`));
  });

  it.each(["roundrobin", "leastconn", "source"] as const)("renders the algorithm %s", (algorithm) => {
    expect(section(renderHaproxyConfig(balancerSpec({ algorithm })), "backend", "license_central")).toContain(`balance ${algorithm}`);
  });

  it("hashes source addresses consistently, so a dead line moves only its own clients", () => {
    expect(section(renderHaproxyConfig(balancerSpec({ algorithm: "source" })), "backend", "license_central")).toContain("hash-type consistent");
    expect(section(renderHaproxyConfig(balancerSpec({ algorithm: "roundrobin" })), "backend", "license_central")).not.toContain("hash-type consistent");
  });

  it("renders each server's weight", () => {
    const spec = balancerSpec({ algorithm: "roundrobin" });
    spec.backends[0].servers.forEach((s, i) => (s.weight = i + 1));
    expect(section(renderHaproxyConfig(spec), "backend", "license_central").filter((l) => l.startsWith("server "))).toEqual(
      [1, 2, 3].map((i) => `server line${i} lc-wayne-line-${i}:8080 check weight ${i}`),
    );
  });

  it("keeps a client on its line by source address with a stick table", () => {
    const be = section(renderHaproxyConfig(balancerSpec({ algorithm: "roundrobin", sticky: "source" })), "backend", "license_central");
    expect(be).toEqual(expect.arrayContaining(["stick-table type ipv6 size 100k expire 30m", "stick on src"]));
  });

  it("keeps a client on its line with a Secure, HttpOnly cookie that names the line", () => {
    const be = section(renderHaproxyConfig(balancerSpec({ algorithm: "roundrobin", sticky: "cookie" })), "backend", "license_central");
    expect(be).toContain("cookie lc_license_central insert indirect nocache secure httponly");
    expect(be).toContain("server line2 lc-wayne-line-2:8080 check cookie line2");
  });

  describe("routes", () => {
    const routed = renderHaproxyConfig(
      balancerSpec({
        algorithm: "roundrobin",
        routes: [
          { pathPrefix: "/ws/", servers: ["line1", "line2"] },
          { pathPrefix: "/depot/v1/tickets", servers: ["line3"] },
          { pathPrefix: "/depot", servers: ["line2", "line3"] },
        ],
      }),
    );
    const frontend = section(routed, "frontend", "https");

    it("give each route a backend of its servers, which follow the main backend's health checks", () => {
      expect(section(routed, "backend", "license_central_route1").filter((l) => l.startsWith("server "))).toEqual([
        "server line1 lc-wayne-line-1:8080 track license_central/line1",
        "server line2 lc-wayne-line-2:8080 track license_central/line2",
      ]);
      expect(section(routed, "backend", "license_central_route2").filter((l) => l.startsWith("server "))).toEqual([
        "server line3 lc-wayne-line-3:8080 track license_central/line3",
      ]);
    });

    it("match whole segments case-insensitively, with and without the trailing slash", () => {
      expect(frontend).toEqual(
        expect.arrayContaining([
          "acl license_central_route1 path -i /ws",
          "acl license_central_route1 path_beg -i /ws/",
          "use_backend license_central_route1 if license_central_route1",
        ]),
      );
    });

    it("are tried most specific first, and before the default backend", () => {
      const order = frontend.filter((l) => l.startsWith("use_backend") || l.startsWith("default_backend"));
      expect(order).toEqual([
        "use_backend license_central_route2 if license_central_route2",
        "use_backend license_central_route1 if license_central_route1",
        "use_backend license_central_route3 if license_central_route3",
        "default_backend license_central",
      ]);
    });

    it("are decided after the path is normalized and the ambiguous paths refused", () => {
      const lines = routed.split("\n").map((l) => l.trim());
      const firstRoute = lines.indexOf("acl license_central_route1 path -i /ws");
      expect(lines.indexOf("http-request normalize-uri path-strip-dotdot full")).toBeLessThan(firstRoute);
      expect(lines.indexOf("http-request deny deny_status 400 if ambiguous_path")).toBeLessThan(firstRoute);
    });

    it("count as health-checked for the dead-line policy (track), with the same timing", () => {
      for (const b of backendHealth(routed)) expect(b).toMatchObject({ uncheckedServers: [], intervalMs: 500, fall: 2 });
      expect(backendHealth(routed).map((b) => b.backend)).toEqual([
        "license_central",
        "license_central_route1",
        "license_central_route2",
        "license_central_route3",
      ]);
    });

    it("a route to / takes every path no other route takes", () => {
      const cfg = renderHaproxyConfig(
        balancerSpec({
          algorithm: "roundrobin",
          routes: [
            { pathPrefix: "/", servers: ["line3"] },
            { pathPrefix: "/ws", servers: ["line1"] },
          ],
        }),
      );
      expect(section(cfg, "frontend", "https").filter((l) => /license_central_route/.test(l))).toEqual([
        "acl license_central_route2 path -i /ws",
        "acl license_central_route2 path_beg -i /ws/",
        "use_backend license_central_route2 if license_central_route2",
        "acl license_central_route1 path_beg /",
        "use_backend license_central_route1 if license_central_route1",
      ]);
    });

    it("keep weights and stickiness, with a cookie of their own", () => {
      const spec = balancerSpec({ algorithm: "source", sticky: "cookie", routes: [{ pathPrefix: "/ws/", servers: ["line2"] }] });
      spec.backends[0].servers[1].weight = 7;
      const be = section(renderHaproxyConfig(spec), "backend", "license_central_route1");
      expect(be).toEqual(
        expect.arrayContaining([
          "balance source",
          "hash-type consistent",
          "cookie lc_license_central_route1 insert indirect nocache secure httponly",
          "server line2 lc-wayne-line-2:8080 track license_central/line2 weight 7 cookie line2",
        ]),
      );
    });
  });

  describe("the /ws/ rate limit per client address", () => {
    const cfg = renderHaproxyConfig(balancerSpec(undefined, { webServiceRateLimit: { requestsPerSecond: 25 } }));
    const frontend = section(cfg, "frontend", "https");

    it("tracks /ws/ requests per source address in a table of its own, over one second", () => {
      expect(frontend).toContain("http-request track-sc1 src table ws_rate_limit if web_service");
      expect(section(cfg, "backend", "ws_rate_limit")).toEqual(["stick-table type ipv6 size 100k expire 10s store http_req_rate(1s)"]);
    });

    it("answers above the rate with the gateway's own 429 and Retry-After", () => {
      expect(frontend).toContain(
        'http-request deny deny_status 429 content-type "text/plain; charset=utf-8" string "too many requests" hdr Retry-After 1 if web_service { sc_http_req_rate(1) gt 25 }',
      );
    });

    it("comes before the connection checks, so unauthenticated floods are limited too", () => {
      const spec = balancerSpec(undefined, { webServiceRateLimit: { requestsPerSecond: 25 }, basicAuth: { username: "crm", passwordHash: "$6$s$h" } });
      const lines = section(renderHaproxyConfig(spec), "frontend", "https");
      expect(lines.findIndex((l) => l.includes("sc_http_req_rate(1)"))).toBeLessThan(lines.findIndex((l) => l.startsWith("http-request auth")));
    });

    it("is absent without webServiceRateLimit", () => {
      expect(renderHaproxyConfig(balancerSpec())).not.toContain("ws_rate_limit");
    });
  });

  describe("refusals, naming the field", () => {
    const refused: Array<[string, HaproxyConfigSpec, string]> = [
      [
        "a route to a server the backend does not have",
        balancerSpec({ algorithm: "roundrobin", routes: [{ pathPrefix: "/ws/", servers: ["line1", "line9"] }] }),
        "backend 'license_central' balancing.routes[0].servers: 'line9' is not a server of the backend (servers: line1, line2, line3)",
      ],
      [
        "a route prefix not starting with /",
        balancerSpec({ algorithm: "roundrobin", routes: [{ pathPrefix: "ws/", servers: ["line1"] }] }),
        "backend 'license_central' balancing.routes[0].pathPrefix: 'ws/' must start with '/' (e.g. /ws/)",
      ],
      [
        "a route prefix that is not normalized",
        balancerSpec({ algorithm: "roundrobin", routes: [{ pathPrefix: "/depot/../ws", servers: ["line1"] }] }),
        "backend 'license_central' balancing.routes[0].pathPrefix: '/depot/../ws' is not a normalized path prefix: segments of letters, digits, '.', '_', '~', '-' (no empty, '.' or '..' segment)",
      ],
      [
        "two routes for the same paths",
        balancerSpec({
          algorithm: "roundrobin",
          routes: [
            { pathPrefix: "/ws/", servers: ["line1"] },
            { pathPrefix: "/WS", servers: ["line2"] },
          ],
        }),
        "backend 'license_central' balancing.routes[1].pathPrefix: '/WS' names the same paths as '/ws/'",
      ],
      [
        "a route without servers",
        balancerSpec({ algorithm: "roundrobin", routes: [{ pathPrefix: "/ws/", servers: [] }] }),
        "backend 'license_central' balancing.routes[0].servers: name at least one server",
      ],
      [
        "an unknown algorithm",
        balancerSpec({ algorithm: "random" as never }),
        "backend 'license_central': balancing.algorithm 'random' is not allowed; allowed: roundrobin, leastconn, source",
      ],
      [
        "an unknown stickiness",
        balancerSpec({ algorithm: "roundrobin", sticky: "session" as never }),
        "backend 'license_central': balancing.sticky 'session' is not allowed; allowed: source, cookie",
      ],
      [
        "a rate limit where every /ws/ request is refused anyway",
        balancerSpec(undefined, { webServices: false, webServiceRateLimit: { requestsPerSecond: 5 } }),
        "webServiceRateLimit: this gateway refuses every /ws/ request (webServices false); there is nothing to limit",
      ],
      [
        "a rate limit of 0",
        balancerSpec(undefined, { webServiceRateLimit: { requestsPerSecond: 0 } }),
        "webServiceRateLimit.requestsPerSecond must be a positive integer, got 0",
      ],
    ];
    it.each(refused)("refuses %s", (_what, spec, message) => {
      expect(() => renderHaproxyConfig(spec)).toThrow(message);
    });

    it.each([0, 257, 1.5])("refuses the weight %s", (weight) => {
      const spec = balancerSpec({ algorithm: "roundrobin" });
      spec.backends[0].servers[2].weight = weight;
      expect(() => renderHaproxyConfig(spec)).toThrow(`backend 'license_central' server 'line3': weight must be a whole number from 1 to 256, got ${weight}`);
    });

    it("refuses routes on a backend chosen by host name", () => {
      const spec = balancerSpec({ algorithm: "roundrobin", routes: [{ pathPrefix: "/ws/", servers: ["line1"] }] });
      spec.backends[0].host = "wayne.lchost.local";
      expect(() => renderHaproxyConfig(spec)).toThrow("backend 'license_central': balancing.routes need the default backend (one without a host)");
    });
  });

  it.each([
    ["/ws/", "/ws"],
    ["/ws", "/ws"],
    ["/", ""],
    ["/depot/v1/", "/depot/v1"],
  ])("reads the route prefix %s as the path %s", (prefix, base) => {
    expect(routePrefixBase(prefix, "f")).toBe(base);
  });
});
