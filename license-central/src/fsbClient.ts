import * as http from "http";
import * as https from "https";

export interface FsbSignedUpdate {
  update: Record<string, unknown>;
  signature: string;
  keyId: string;
}

/** The FSB could not be used: unreachable, queue full (retryAfterSeconds), or it refused the request. */
export class FsbError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** HTTP client for the FSB (emulator or gateway to the real box), keep-alive, bounded response size. */
export class FsbClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    url: string,
    private readonly firmCode: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = new URL(url);
    this.agent = this.base.protocol === "https:" ? new https.Agent({ keepAlive: true, maxSockets: 64 }) : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  private request(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs, auth = true): Promise<RawResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const mod = this.base.protocol === "https:" ? https : http;
    const prefix = this.base.pathname.replace(/\/+$/, "");
    return new Promise((resolve, reject) => {
      const req = mod.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port || undefined,
          path: prefix + path,
          method,
          agent: this.agent,
          headers: {
            accept: "application/json",
            ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
            ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > 1024 * 1024) req.destroy(new Error("FSB response larger than 1 MiB"));
            else chunks.push(c);
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`FSB did not answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  async signLicenseUpdate(requestId: string, container: string, items: Array<{ productCode: number; quantity: number }>): Promise<FsbSignedUpdate> {
    let res: RawResponse;
    try {
      res = await this.request("POST", `/v1/firms/${encodeURIComponent(this.firmCode)}/license-updates`, { requestId, container, items });
    } catch (err: any) {
      throw new FsbError(`FSB unreachable: ${err.message}`, null, 1);
    }
    if (res.status === 201 || res.status === 200) {
      const parsed = JSON.parse(res.body) as FsbSignedUpdate;
      if (!parsed || typeof parsed.signature !== "string" || typeof parsed.update !== "object") throw new FsbError("FSB answered without a signed update", res.status);
      return parsed;
    }
    let detail = res.body.slice(0, 300);
    try {
      detail = JSON.parse(res.body).message ?? detail;
    } catch {
      /* keep raw */
    }
    if (res.status === 503 || res.status === 429) {
      const ra = Number(res.headers["retry-after"]);
      throw new FsbError(`FSB busy: ${detail}`, res.status, Number.isFinite(ra) && ra > 0 ? ra : 1);
    }
    throw new FsbError(`FSB refused the request (${res.status}): ${detail}`, res.status);
  }

  /** True when the FSB answers its health check with 200 within timeoutMs. */
  async healthy(timeoutMs = 1000): Promise<boolean> {
    try {
      const res = await this.request("GET", "/healthz", undefined, timeoutMs, false);
      return res.status === 200;
    } catch {
      return false;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
