import * as fs from "fs";
import * as path from "path";
import {
  adminSocketPath,
  basicAuthUser,
  haproxyBinds,
  haproxySections,
  haproxyServers,
  parseShowStat,
  renderHaproxyConfig,
  sessionCounts,
  translateHaproxyConfig,
} from "../../../haproxy";

const ROOT = path.join(__dirname, "../../..");

describe("the haproxy module", () => {
  it("imports no component, edition, program or CLI module (it is the pure layer they build on)", () => {
    const dir = path.join(ROOT, "haproxy");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const imports = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
      for (const i of imports)
        expect({ file: f, import: i }).toEqual({
          file: f,
          import: expect.not.stringMatching(/^\.\.\/(components|editions|program|cli|sandbox|policies|migration)\b/),
        });
    }
  });

  const cfg = renderHaproxyConfig({
    bind: { address: "*", port: 8443 },
    certificatePath: "/etc/haproxy/server.pem",
    webServices: true,
    basicAuth: { username: "ws", passwordHash: "$6$salt$hash" },
    backends: [{ name: "lines", servers: [{ name: "line1", address: "lc-1", port: 8080 }] }],
    health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
    dockerDns: true,
    adminSocketPath: "/tmp/admin.sock",
    monitorPort: 8404,
    prometheus: { address: "*", port: 8405 },
    limits: { maxConnections: 100, connectionsPerSource: 10, requestsPerSourcePer10s: 100 },
  });

  it("reads back what it renders: binds, servers, the admin socket and the basic-auth user", () => {
    expect(haproxyBinds(cfg).map((b) => [b.frontend, b.address, b.port, b.tls])).toEqual([
      ["monitor", "127.0.0.1", 8404, false],
      ["prometheus", "*", 8405, false],
      ["https", "*", 8443, true],
    ]);
    expect(haproxyServers(cfg)).toEqual([{ backend: "lines", server: "line1", address: "lc-1", port: 8080 }]);
    expect(adminSocketPath(cfg)).toBe("/tmp/admin.sock");
    expect(basicAuthUser(cfg)).toBe("ws");
  });

  it("rewrites for the sandbox through the same parse: the docker resolvers go, binds move, the hash is replaced", () => {
    const local = translateHaproxyConfig(cfg, { address: "127.1.2.3", extraBindAddresses: ["10.0.0.1"], basicAuthPasswordHash: "$6$new$h" });
    expect(haproxySections(local).map((s) => s.kind)).not.toContain("resolvers");
    expect(local).not.toContain("resolvers docker");
    expect(haproxyBinds(local).map((b) => `${b.frontend} ${b.address}:${b.port}`)).toEqual([
      "monitor 127.1.2.3:8404",
      // the Prometheus listener moves to the node's address like every bind, but never onto the extra (test-namespace) addresses
      "prometheus 127.1.2.3:8405",
      "https 127.1.2.3:8443",
      "https 10.0.0.1:8443",
    ]);
    expect(local).toContain("user ws password $6$new$h");
  });

  const STAT = [
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status",
    "https,FRONTEND,,,3,5,4096,10,0,0,0,0,0,,,,,OPEN",
    "lines,line1,0,0,2,3,,8,0,0,,0,,0,0,0,0,UP",
    "lines,line2,0,0,0,1,,2,0,0,,0,,0,0,0,0,DOWN",
    "lines,BACKEND,0,0,2,3,,10,0,0,0,0,,0,0,0,0,UP",
  ].join("\n");

  it("reads server status and current sessions from `show stat`, leaving frontends and backends out", () => {
    expect(parseShowStat(STAT)).toEqual({ "lines/line1": "UP", "lines/line2": "DOWN" });
    expect(sessionCounts(STAT)).toEqual({ "lines/line1": 2, "lines/line2": 0 });
  });
});
