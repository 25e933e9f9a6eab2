import * as crypto from "crypto";
import * as http from "http";
import * as https from "https";
import { canonicalJson } from "../../service-kit/src/canonicalJson";

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

/** The FSB answered, but not with an update for this request signed by the pinned key: nothing of it may be stored or handed out. */
export class FsbBadAnswerError extends FsbError {}

/** The firm's signing key as this line pinned it. */
export interface PinnedKey {
  keyId: string;
  key: crypto.KeyObject;
  /** "environment" (FSB_PUBLIC_KEY) or "fsb" (fetched once). */
  source: "environment" | "fsb";
}

/** The key id the FSB reports for a key: the first 16 hex digits of SHA-256 over its SPKI DER. */
export function keyIdOf(key: crypto.KeyObject): string {
  return crypto
    .createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 16);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** HTTP client for the FSB (emulator or gateway to the real box), keep-alive, bounded response size. */
export class FsbClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private pinned: Promise<PinnedKey> | null = null;

  constructor(
    url: string,
    private readonly firmCode: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
    /** FSB_PUBLIC_KEY: pins the key up front instead of fetching it. */
    publicKeyPem: string | null = null,
  ) {
    if (publicKeyPem) {
      const key = crypto.createPublicKey(publicKeyPem);
      this.pinned = Promise.resolve({ keyId: keyIdOf(key), key, source: "environment" });
    }
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

  /**
   * The firm's public key: FSB_PUBLIC_KEY, or fetched from the FSB on first use and pinned for the life of
   * this client (a failed fetch is retried by the next call). Rotation: restart the lines, or set the new key.
   */
  publicKey(): Promise<PinnedKey> {
    if (!this.pinned) {
      this.pinned = this.fetchPublicKey();
      this.pinned.catch(() => {
        this.pinned = null;
      });
    }
    return this.pinned;
  }

  private async fetchPublicKey(): Promise<PinnedKey> {
    let res: RawResponse;
    try {
      res = await this.request("GET", `/v1/firms/${encodeURIComponent(this.firmCode)}/public-key`);
    } catch (err: any) {
      throw new FsbError(`FSB unreachable (public key): ${err.message}`, null, 1);
    }
    if (res.status === 503 || res.status === 429) throw new FsbError(`FSB busy (public key, ${res.status})`, res.status, 1);
    if (res.status !== 200) throw new FsbBadAnswerError(`FSB answered ${res.status} to the public-key request`, res.status);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new FsbBadAnswerError("FSB public key: the answer is not JSON", res.status);
    }
    if (
      !isObject(body) ||
      body.firmCode !== this.firmCode ||
      body.algorithm !== "Ed25519" ||
      typeof body.keyId !== "string" ||
      typeof body.publicKeyPem !== "string"
    ) {
      throw new FsbBadAnswerError("FSB public key: the answer is not { firmCode, keyId, algorithm: Ed25519, publicKeyPem } for this firm", res.status);
    }
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(body.publicKeyPem);
    } catch {
      throw new FsbBadAnswerError("FSB public key: publicKeyPem is not a PEM public key", res.status);
    }
    if (key.asymmetricKeyType !== "ed25519") throw new FsbBadAnswerError(`FSB public key: not an Ed25519 key (${key.asymmetricKeyType})`, res.status);
    return { keyId: body.keyId, key, source: "fsb" };
  }

  async signLicenseUpdate(requestId: string, container: string, items: Array<{ productCode: number; quantity: number }>): Promise<FsbSignedUpdate> {
    const key = await this.publicKey();
    let res: RawResponse;
    try {
      res = await this.request("POST", `/v1/firms/${encodeURIComponent(this.firmCode)}/license-updates`, { requestId, container, items });
    } catch (err: any) {
      throw new FsbError(`FSB unreachable: ${err.message}`, null, 1);
    }
    if (res.status === 201 || res.status === 200) return this.verified(res, key, { requestId, container, items });
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

  /**
   * The answer must be `{ update, signature, keyId }` where update is for exactly this request (firm,
   * requestId, container, items), names the pinned key, and the Ed25519 signature over its canonical JSON
   * verifies with that key. Anything else: FsbBadAnswerError.
   */
  private verified(
    res: RawResponse,
    pinned: PinnedKey,
    req: { requestId: string; container: string; items: Array<{ productCode: number; quantity: number }> },
  ): FsbSignedUpdate {
    const bad = (why: string) => new FsbBadAnswerError(`FSB answer rejected: ${why}`, res.status);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw bad("not JSON");
    }
    if (!isObject(body) || !isObject(body.update) || typeof body.signature !== "string" || typeof body.keyId !== "string")
      throw bad("not { update, signature, keyId }");
    const u = body.update;
    if (body.keyId !== pinned.keyId || u.keyId !== pinned.keyId)
      throw bad(`signed with key ${JSON.stringify(String(body.keyId)).slice(0, 40)}, this line pinned ${pinned.keyId}`);
    if (u.firmCode !== this.firmCode || u.requestId !== req.requestId || u.container !== req.container)
      throw bad("the update is not for this firm, request and container");
    const sameItems =
      Array.isArray(u.items) &&
      u.items.length === req.items.length &&
      u.items.every((it, i) => isObject(it) && it.productCode === req.items[i].productCode && it.quantity === req.items[i].quantity);
    if (!sameItems) throw bad("the update's items differ from the ticket's");
    if (!BASE64.test(body.signature)) throw bad("the signature is not base64");
    let ok = false;
    try {
      ok = crypto.verify(null, Buffer.from(canonicalJson(u)), pinned.key, Buffer.from(body.signature, "base64"));
    } catch {
      ok = false;
    }
    if (!ok) throw bad(`the Ed25519 signature does not verify with key ${pinned.keyId}`);
    return { update: u, signature: body.signature, keyId: body.keyId };
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
