/**
 * The status portal's HTTPS entry (editions/OperationsStack.ts), rendered exactly as the operations stack renders it
 * (httpsEntrySpec with the portal's options) and run by the real HAProxy in front of a recording backend: the
 * portal's internal APIs (/v1/: Alertmanager's webhook, the team's admin API) and /metrics never pass, in any
 * spelling the normalizer turns into them; pages pass with X-Forwarded-For set to the client's own address.
 */
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { httpsEntrySpec } from "../../components/HttpsEntryPoint";
import { PORTAL_INTERNAL_PATHS } from "../../editions/OperationsStack";
import { renderHaproxyConfig } from "../../haproxy/renderConfig";
import { editionCatalog } from "../../model/catalog";
import { freePort } from "../../sandbox/freePort";
import { PORTAL_HEALTH_PATH } from "../../status-portal/src/env";
import { startCheckedHaproxy } from "../support/haproxyProcess";

jest.setTimeout(90_000);

function get(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path: p, method: "GET", headers, rejectUnauthorized: false, timeout: 5000, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

describe("the status portal's HTTPS entry, on the real HAProxy", () => {
  let dir: string;
  let haproxy: ChildProcess;
  let backend: http.Server;
  let entryPort: number;
  const seen: Array<{ path: string; xff: string | undefined }> = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-portal-entry-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=status.test"],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${dir}/server.pem`, fs.readFileSync(`${dir}/cert.pem`, "utf8") + fs.readFileSync(`${dir}/key.pem`, "utf8"));
    backend = http.createServer((req, res) => {
      if (req.url !== PORTAL_HEALTH_PATH) seen.push({ path: req.url ?? "", xff: req.headers["x-forwarded-for"] as string | undefined });
      res.end("portal");
    });
    await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
    const backendPort = (backend.address() as { port: number }).port;
    entryPort = await freePort("127.0.0.1");
    const spec = httpsEntrySpec({
      webServices: false,
      backends: [{ name: "status_portal", servers: [{ name: "portal", address: "127.0.0.1", port: backendPort }] }],
      limits: editionCatalog().common.statusPortal.gateway,
      dockerDns: false,
      healthPath: PORTAL_HEALTH_PATH,
      internalPaths: PORTAL_INTERNAL_PATHS,
      forwardClientAddress: true,
    });
    // the container's paths and ports, moved to this test's directory and free loopback ports
    const cfg = renderHaproxyConfig({
      ...spec,
      bind: { address: "127.0.0.1", port: entryPort },
      certificatePath: `${dir}/server.pem`,
      adminSocketPath: `${dir}/admin.sock`,
      monitorPort: await freePort("127.0.0.1"),
      prometheus: { address: "127.0.0.1", port: await freePort("127.0.0.1") },
    });
    fs.writeFileSync(`${dir}/haproxy.cfg`, cfg);
    haproxy = await startCheckedHaproxy(`${dir}/haproxy.cfg`, async () => (await get(entryPort, "/")).status === 200, {
      what: "the portal's entry did not answer 200 on /",
      withinMs: 30_000,
      everyMs: 200,
    });
  });

  afterAll(async () => {
    haproxy?.kill("SIGTERM");
    await new Promise<void>((r) => backend.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("pages and the public page pass, with X-Forwarded-For exactly the client's address (a forged one replaced)", async () => {
    seen.length = 0;
    expect(await get(entryPort, "/c/acme", { "X-Forwarded-For": "203.0.113.9" })).toEqual({ status: 200, body: "portal" });
    expect(await get(entryPort, "/login")).toMatchObject({ status: 200 });
    expect(seen).toEqual([
      { path: "/c/acme", xff: "127.0.0.1" },
      { path: "/login", xff: "127.0.0.1" },
    ]);
  });

  test.each([
    "/v1/alertmanager",
    "/v1/admin/incidents",
    "/v1",
    "/V1/admin/incidents",
    "//v1/admin/incidents",
    "/./v1/admin/incidents",
    "/login/../v1/admin/incidents",
    "/%76%31/admin/incidents",
    "/metrics",
    "/Metrics",
  ])("%s never reaches the portal (404 at the entry)", async (p) => {
    seen.length = 0;
    const r = await get(entryPort, p);
    expect(r.status).toBe(404);
    expect(seen).toEqual([]);
  });

  test("a path that only starts with the letters v1 is a page like any other", async () => {
    seen.length = 0;
    expect((await get(entryPort, "/v1x")).status).toBe(200);
    expect(seen.map((s) => s.path)).toEqual(["/v1x"]);
  });
});
