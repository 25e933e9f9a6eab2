/**
 * A fake FSB in front of a real emulator: forwards by default, or answers what a test sets, so License
 * Central can be shown a busy, broken or forging FSB on one fixed URL.
 */
import * as http from "http";

export type FakeFsbMode =
  | { kind: "forward" }
  | { kind: "busy" }
  /** Forward, then let the test rewrite the emulator's answer body (status kept). */
  | { kind: "rewrite"; rewrite: (body: any) => unknown }
  /** Answer this status and raw body to signing requests. */
  | { kind: "answer"; status: number; body: string };

export interface FakeFsb {
  url: string;
  mode: FakeFsbMode;
  /** Signing requests seen. */
  signRequests: number;
  /** Public-key requests seen. */
  keyRequests: number;
  stop(): Promise<void>;
}

function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

export async function startFakeFsb(realUrl: string): Promise<FakeFsb> {
  const target = new URL(realUrl);
  const fake: FakeFsb = { url: "", mode: { kind: "forward" }, signRequests: 0, keyRequests: 0, stop: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const signing = req.method === "POST" && /\/license-updates$/.test(req.url ?? "");
      if (signing) fake.signRequests++;
      if (/\/public-key$/.test(req.url ?? "")) fake.keyRequests++;
      const mode = fake.mode;
      try {
        if (signing && mode.kind === "busy") {
          res.writeHead(503, { "content-type": "application/json", "retry-after": "1" }).end('{"error":"queue_full","message":"busy"}');
          return;
        }
        if (signing && mode.kind === "answer") {
          res.writeHead(mode.status, { "content-type": "application/json" }).end(mode.body);
          return;
        }
        const r = await forward(target, req, Buffer.concat(chunks));
        let body = r.body;
        if (signing && mode.kind === "rewrite" && r.status < 300) body = JSON.stringify(mode.rewrite(JSON.parse(r.body)));
        res.writeHead(r.status, { "content-type": String(r.headers["content-type"] ?? "application/json") }).end(body);
      } catch (err: any) {
        res.writeHead(502).end(String(err?.message));
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.stop = () => new Promise<void>((r) => server.close(() => r()));
  return fake;
}
