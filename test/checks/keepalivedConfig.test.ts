/**
 * The balancer pair's rendered keepalived.conf passes keepalived's own config test (`keepalived -t`, Debian
 * keepalived 2.2.7, which also fails on warnings such as "VRRP version 3 does not support authentication"),
 * and the HAProxy check script says 0 only when the monitor URI answers 200. keepalived -t also checks that
 * the VIP's interface exists here, so the configs name one of this machine's; on a host it is
 * lchost:balancer.interface.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { balancerSettings } from "../../model/balancerPair";
import { renderKeepalivedPair } from "../../keepalived/renderKeepalived";

jest.setTimeout(60_000);

// keepalived -t checks that the VIP's interface exists on the machine it runs on (and is not loopback)
const interfaces = fs.readdirSync("/sys/class/net").filter((i) => i !== "lo");
const hostInterface = interfaces.includes("eth0") ? "eth0" : interfaces.sort()[0];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vr-keepalived-check-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configTest(text: string, name: string): { status: number | null; output: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const r = spawnSync("keepalived", ["-t", "-f", file], { encoding: "utf8", timeout: 20_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function pair(over: Partial<Parameters<typeof balancerSettings>[0]> = {}) {
  const checkScriptPath = path.join(dir, "check-haproxy.sh");
  const nodes = renderKeepalivedPair({
    customer: "wayne",
    nodes: [
      { name: "h1", address: "10.20.0.11" },
      { name: "h2", address: "10.20.0.12" },
    ],
    balancer: balancerSettings({ virtualIp: "10.20.0.100", interface: hostInterface, ...over }),
    haproxyMonitor: { port: 8404, path: "/haproxy-health" },
    checkScriptPath,
  });
  fs.writeFileSync(checkScriptPath, nodes[0].checkScript, { mode: 0o755 });
  return nodes;
}

describe("keepalived -t on the rendered pair", () => {
  it("accepts both nodes' keepalived.conf, with the default and with other VRRP settings", () => {
    for (const [i, n] of pair().entries()) expect(configTest(n.keepalivedConf, `default-${i}.conf`)).toEqual({ status: 0, output: "" });
    for (const [i, n] of pair({ advertIntervalMs: 1000, vrrpRouterId: 7, prefixLength: 23 }).entries())
      expect(configTest(n.keepalivedConf, `other-${i}.conf`)).toEqual({ status: 0, output: "" });
  });

  it("fails on what the renderer deliberately leaves out (so the check above can fail)", () => {
    const [a] = pair();
    const withAuth = a.keepalivedConf.replace(
      "  check_unicast_src\n",
      "  check_unicast_src\n  authentication {\n    auth_type PASS\n    auth_pass secret12\n  }\n",
    );
    const r = configTest(withAuth, "auth.conf");
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/VRRP version 3 does not support authentication/);
    const missingScript = configTest(a.keepalivedConf.replace(path.join(dir, "check-haproxy.sh"), path.join(dir, "nowhere.sh")), "noscript.conf");
    expect(missingScript.status).not.toBe(0);
  });
});

describe("the HAProxy check script", () => {
  let server: http.Server;
  let port: number;
  let answer = 200;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.writeHead(answer).end("x"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  function check(monitorPort: number): Promise<number | null> {
    const file = path.join(dir, `check-${monitorPort}.sh`);
    const [a] = renderKeepalivedPair({
      customer: "wayne",
      nodes: [
        { name: "h1", address: "10.20.0.11" },
        { name: "h2", address: "10.20.0.12" },
      ],
      balancer: balancerSettings({ virtualIp: "10.20.0.100" }),
      haproxyMonitor: { port: monitorPort, path: "/haproxy-health" },
      checkScriptPath: file,
    });
    fs.writeFileSync(file, a.checkScript, { mode: 0o755 });
    return new Promise((resolve) => spawn(file, [], { stdio: "ignore" }).on("exit", (code) => resolve(code)));
  }

  it("is 0 for a 200, not 0 for a 503 or when nothing listens", async () => {
    answer = 200;
    expect(await check(port)).toBe(0);
    answer = 503;
    expect(await check(port)).not.toBe(0);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const freePort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await check(freePort)).not.toBe(0);
  });
});
