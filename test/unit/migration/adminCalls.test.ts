/**
 * The migration's admin calls (maintenance on/off, its state) against a real local HTTP server standing in
 * for a line: a loaded line that misses one call's deadline or answers 503 once is tried again (the calls are
 * idempotent); a 4xx is not; a line that never answers fails naming the line, the request and every attempt.
 */
import * as http from "http";
import * as net from "net";
import { admin } from "../../../migration/maintenanceClient";

const FAST = { timeoutMs: 300, attempts: 3, backoffMs: [20, 20] };

describe("admin calls to a line", () => {
  let server: http.Server;
  let url: string;
  let script: Array<"hang" | 503 | 400 | 200> = [];
  const seen: string[] = [];
  const hung: http.ServerResponse[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      const next = script.shift() ?? 200;
      if (next === "hang") hung.push(res);
      else if (next === 200) res.writeHead(200, { "content-type": "application/json" }).end('{"enabled":true}');
      else res.writeHead(next).end(`status ${next}`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    hung.forEach((r) => r.destroy());
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const line = () => ({ name: "lc-acme-line-1", adminUrl: url, publicUrl: "" });

  test("one missed deadline, then an answer: the call succeeds on its second attempt", async () => {
    script = ["hang", 200];
    await expect(admin(line(), "tok", "PUT", "/admin/v1/maintenance", { enabled: true }, FAST)).resolves.toEqual({ enabled: true });
    expect(seen).toEqual(["PUT /admin/v1/maintenance Bearer tok", "PUT /admin/v1/maintenance Bearer tok"]);
  });

  test("a 503 is tried again; a 400 is not (the request itself is wrong)", async () => {
    script = [503, 200];
    await expect(admin(line(), "tok", "GET", "/admin/v1/maintenance", undefined, FAST)).resolves.toEqual({ enabled: true });
    script = [400];
    await expect(admin(line(), "tok", "GET", "/admin/v1/maintenance", undefined, FAST)).rejects.toThrow(
      /^lc-acme-line-1: GET \/admin\/v1\/maintenance answered 400: status 400$/,
    );
    expect(seen).toHaveLength(3);
  });

  test("a line that never answers fails naming the line, the request and each attempt", async () => {
    script = ["hang", "hang", "hang"];
    await expect(admin(line(), "tok", "PUT", "/admin/v1/maintenance", { enabled: true }, FAST)).rejects.toThrow(
      "lc-acme-line-1: PUT /admin/v1/maintenance failed 3 times (no answer within 300 ms; no answer within 300 ms; no answer within 300 ms)",
    );
  });

  test("nothing listening: refused, tried again, named", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(
      admin({ name: "lc-acme-line-2", adminUrl: `http://127.0.0.1:${closed}`, publicUrl: "" }, "tok", "GET", "/admin/v1/maintenance", undefined, FAST),
    ).rejects.toThrow(
      /^lc-acme-line-2: GET \/admin\/v1\/maintenance failed 3 times \(fetch failed \(ECONNREFUSED\); fetch failed \(ECONNREFUSED\); fetch failed \(ECONNREFUSED\)\)$/,
    );
  });
});
