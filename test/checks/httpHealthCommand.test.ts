/**
 * The containers' HTTP health check (components/serviceEnv.ts httpHealthCommand), run as Docker runs it (the
 * CMD's argv, bash and coreutils' timeout from this Debian machine, as in the images) against a real server:
 * 0 only for a 200, and it ends by itself within its 2 s against a server that never answers, because Docker
 * does not kill a check that outlives its timeout (they piled up on a loaded host).
 */
import { spawn } from "child_process";
import * as http from "http";
import * as net from "net";
import { httpHealthCommand } from "../../components/serviceEnv";

jest.setTimeout(60_000);

function run(port: number, path: string): Promise<{ code: number | null; ms: number }> {
  const [cmd, ...args] = httpHealthCommand(port, path).slice(1); // drop Docker's "CMD"
  const started = Date.now();
  return new Promise((resolve) => spawn(cmd, args, { stdio: "ignore" }).on("exit", (code) => resolve({ code, ms: Date.now() - started })));
}

describe("the containers' HTTP health check", () => {
  let server: http.Server;
  let port: number;
  const hanging = new Set<http.ServerResponse>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/healthz") res.end("ok");
      else if (req.url === "/readyz") res.writeHead(503).end("not ready");
      else if (req.url === "/body-says-200") res.writeHead(500).end("HTTP/1.1 200 OK");
      else hanging.add(res); // never answers
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await new Promise((r) => server.close(r));
  });

  test("a 200 is healthy", async () => {
    expect((await run(port, "/healthz")).code).toBe(0);
  });

  test("a 503 or a 500 whose body reads like a 200 is not", async () => {
    expect((await run(port, "/readyz")).code).not.toBe(0);
    expect((await run(port, "/body-says-200")).code).not.toBe(0);
  });

  test("nothing listening is not healthy", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    expect((await run(closed, "/healthz")).code).not.toBe(0);
  });

  test("a server that never answers: the check ends by itself within its 2 s", async () => {
    const r = await run(port, "/hang");
    expect(r.code).toBe(124); // coreutils timeout's own exit status
    expect(r.ms).toBeGreaterThanOrEqual(1900);
    expect(r.ms).toBeLessThan(10_000); // bounded (a loaded machine is slow to start processes, not unbounded)
  });
});
