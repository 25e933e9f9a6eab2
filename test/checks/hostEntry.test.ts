/** The per-host HTTPS entry's rendered haproxy.cfg, and a gateway behind it (acceptProxy), checked by the real HAProxy. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderHostEntryConfig } from "../../haproxy/renderHostEntry";
import { renderHaproxyConfig } from "../../haproxy/renderConfig";
import { editionFacts } from "../../model/catalog";

jest.setTimeout(60_000);

function haproxyCheck(config: string, dir: string): { status: number | null; output: string } {
  const file = path.join(dir, `haproxy-${Math.random().toString(36).slice(2)}.cfg`);
  fs.writeFileSync(file, config);
  const r = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`haproxy is not installed: apt-get install -y haproxy (${r.error.message})`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("the per-host entry and its gateways (haproxy -c)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-entry-check-"));
    spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=t"],
      {
        stdio: "ignore",
        timeout: 30_000,
      },
    );
    fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("accepts the entry for 150 customers, IPv4 and IPv6 gateways, without a warning", () => {
    const routes = Array.from({ length: 150 }, (_, i) => ({
      customer: `cust${String(i).padStart(3, "0")}`,
      serverName: `cust${String(i).padStart(3, "0")}.dc1.lchost.example`,
      gateway: i % 2 ? { address: "10.20.0.12", port: 20000 + i } : { address: "2001:db8::12", port: 20000 + i },
    }));
    const cfg = renderHostEntryConfig({
      bind: { address: "0.0.0.0", port: 443 },
      routes,
      maxConnections: 20000,
      connectionsPerSource: 200,
      adminSocketPath: `${dir}/entry.sock`,
    });
    const r = haproxyCheck(cfg, dir);
    expect(r.output).not.toMatch(/\[WARNING\]|\[ALERT\]/);
    expect(r.status).toBe(0);
  });

  it("accepts an entry with no customer yet (everything is refused)", () => {
    expect(
      haproxyCheck(renderHostEntryConfig({ bind: { address: "127.0.0.1", port: 443 }, routes: [], maxConnections: 100, connectionsPerSource: 10 }), dir).status,
    ).toBe(0);
  });

  it("accepts a gateway that takes the PROXY header (acceptProxy)", () => {
    const cfg = renderHaproxyConfig({
      bind: { address: "127.0.0.1", port: 8443 },
      certificatePath: `${dir}/server.pem`,
      clientCaPath: `${dir}/cert.pem`,
      webServices: true,
      backends: [{ name: "license_central", servers: [{ name: "line1", address: "127.0.0.1", port: 8080 }] }],
      health: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 },
      limits: editionFacts("dedicated").gateway,
      acceptProxy: true,
    });
    const r = haproxyCheck(cfg, dir);
    expect(r.output).not.toMatch(/\[ALERT\]/);
    expect(r.status).toBe(0);
  });
});
