import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BalanceAlgorithm, DEFAULT_HEALTH, HaproxyConfigSpec, renderHaproxyConfig } from "../../haproxy";

/** Every shape of lchost:balancing the renderer produces, accepted by the real HAProxy 2.6 (`haproxy -c`). */
describe("balancing variants of haproxy.cfg", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-balancing-cfg-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=test"],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const spec = (algorithm: BalanceAlgorithm, sticky: "source" | "cookie" | undefined, full: boolean, dockerDns: boolean): HaproxyConfigSpec => ({
    bind: { address: "127.0.0.1", port: 18443 },
    certificatePath: `${dir}/server.pem`,
    webServices: true,
    webServiceToken: "token123",
    backends: [
      {
        name: "license_central",
        servers: [1, 2, 3, 4].map((i) => ({
          name: `line${i}`,
          address: dockerDns ? `lc-wayne-line-${i}` : "127.0.0.1",
          port: 18080 + i,
          ...(full ? { weight: i * 64 } : {}),
        })),
        balancing: {
          algorithm,
          sticky,
          routes: full
            ? [
                { pathPrefix: "/ws/", servers: ["line1", "line2"] },
                { pathPrefix: "/depot/v1/tickets", servers: ["line4"] },
                { pathPrefix: "/", servers: ["line2", "line3", "line4"] },
              ]
            : undefined,
        },
      },
    ],
    health: DEFAULT_HEALTH,
    dockerDns,
    adminSocketPath: `${dir}/admin.sock`,
    monitorPort: 18404,
    prometheus: { address: "127.0.0.1", port: 18405 },
    limits: { maxConnections: 1000, connectionsPerSource: 100, requestsPerSourcePer10s: 2000 },
    webServiceRateLimit: full ? { requestsPerSecond: 20 } : undefined,
  });

  const variants: Array<[BalanceAlgorithm, "source" | "cookie" | undefined, boolean, boolean]> = [];
  for (const algorithm of ["roundrobin", "leastconn", "source"] as const)
    for (const sticky of [undefined, "source", "cookie"] as const)
      for (const full of [false, true]) for (const dns of [false, true]) variants.push([algorithm, sticky, full, dns]);

  it.each(variants)(
    "algorithm %s, sticky %s, routes+weights+rate limit %s, Docker DNS %s: haproxy -c accepts it without a warning",
    (algorithm, sticky, full, dns) => {
      const file = path.join(dir, "haproxy.cfg");
      fs.writeFileSync(file, renderHaproxyConfig(spec(algorithm, sticky, full, dns)));
      const r = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
      expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining("Configuration file is valid") });
      // Docker's container names do not resolve here; HAProxy says so and starts them later (init-addr none)
      const warnings = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("[WARNING]") && !/could not resolve address 'lc-wayne-line-\d'/.test(l));
      expect(warnings).toEqual([]);
    },
  );
});
