import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { DEFAULT_HEALTH, renderHaproxyConfig } from "../../haproxy/renderConfig";
import { freePort } from "../../sandbox/mariadbProcess";
import { startCheckedHaproxy } from "../support/haproxyProcess";

jest.setTimeout(60_000);

function get(port: number, p: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, method, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** The rendered `frontend prometheus` on the real HAProxy 2.6 (built with its Prometheus exporter). */
describe("HAProxy's Prometheus listener, for real", () => {
  let dir: string;
  let haproxy: ChildProcess;
  let backend: http.Server;
  let metricsPort: number;
  let entryPort: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-haproxy-prom-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=test"],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
    backend = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
    const backendPort = (backend.address() as { port: number }).port;
    [metricsPort, entryPort] = [await freePort(), await freePort()];
    const cfg = renderHaproxyConfig({
      bind: { address: "127.0.0.1", port: entryPort },
      certificatePath: `${dir}/server.pem`,
      webServices: false,
      backends: [{ name: "license_central", servers: [{ name: "line1", address: "127.0.0.1", port: backendPort }] }],
      health: DEFAULT_HEALTH,
      prometheus: { address: "127.0.0.1", port: metricsPort },
      limits: { maxConnections: 100, connectionsPerSource: 50, requestsPerSourcePer10s: 1000 },
    });
    fs.writeFileSync(`${dir}/haproxy.cfg`, cfg);
    haproxy = await startCheckedHaproxy(`${dir}/haproxy.cfg`, async () => (await get(metricsPort, "/metrics")).status === 200, {
      what: "HAProxy's Prometheus listener did not answer",
      withinMs: 15_000,
      everyMs: 100,
    });
  });

  afterAll(async () => {
    haproxy?.kill("SIGTERM");
    await new Promise<void>((r) => backend.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("GET /metrics answers HAProxy's exposition with haproxy_backend_http_responses_total for the lines' backend", async () => {
    const r = await get(metricsPort, "/metrics");
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^haproxy_backend_http_responses_total\{proxy="license_central",code="5xx"\} \d+/m);
    expect(r.body).toMatch(/^haproxy_backend_status\{proxy="license_central",state="UP"\} 1/m);
  });

  test("anything else on the listener is 404", async () => {
    expect((await get(metricsPort, "/")).status).toBe(404);
    expect((await get(metricsPort, "/stats")).status).toBe(404);
    expect((await get(metricsPort, "/metrics/../admin")).status).toBe(404);
  });
});
