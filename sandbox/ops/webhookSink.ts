/**
 * The sandbox's (and the tests') stand-in for customers' webhook receivers: one HTTP listener on a
 * loopback address, one path per customer (`/hooks/<customer>`), each verified with that customer's
 * secret exactly as docs/notifications.md tells customers to (verifyLchostSignature: signature, 300 s
 * window, delivery-id replay). Records every request, verified or not; answers 204 when verified, 401
 * when not, and can be told to fail or hang for a customer (the notifier must then answer 502).
 */
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import { SIGNATURE_HEADERS } from "../../notifier/src/env";
import { verifyLchostSignature } from "../../notifier/src/webhookSignature";
import { SinkRecords } from "./sinkRecordFile";

export interface RecordedWebhook {
  receivedAt: string;
  customer: string;
  verified: boolean;
  /** Why verification failed (missing_header, bad_signature, stale_timestamp, replayed, ...). */
  reason: string | null;
  deliveryId: string | null;
  timestamp: string | null;
  signature: string | null;
  answered: number;
  /** The parsed JSON body (null when it was not JSON). */
  body: any;
  /** The raw body, as received. */
  raw: string;
}

export type WebhookBehaviour = "verify" | "fail" | "hang";

export interface WebhookSinkOptions {
  host?: string;
  port?: number;
  /** customer → webhook secret */
  secrets: Record<string, string>;
  /** JSON-lines file that every request is appended to. */
  recordFile?: string;
  bodyLimitBytes?: number;
  /** Serve https with this key and certificate (PEM; the notifier then needs the CA in NOTIFIER_CA_FILE); default plain http. */
  tls?: { key: string; cert: string };
}

const HOOK_PATH = /^\/hooks\/([A-Za-z0-9._-]{1,100})$/;

export class WebhookSink {
  readonly records: SinkRecords<RecordedWebhook>;
  private readonly behaviour = new Map<string, WebhookBehaviour>();
  private readonly seen = new Set<string>();
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    private readonly secrets: Record<string, string>,
    recordFile: string | undefined,
  ) {
    this.records = new SinkRecords(recordFile);
  }

  static async start(opts: WebhookSinkOptions): Promise<WebhookSink> {
    const limit = opts.bodyLimitBytes ?? 1024 * 1024;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => sink.handle(req, res, limit);
    const server: http.Server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
    // nothing waits forever, not even a hung test receiver: the notifier's own timeout fires first
    server.requestTimeout = 15_000;
    server.headersTimeout = 5_000;
    server.keepAliveTimeout = 5_000;
    server.setTimeout(120_000);
    const sink = new WebhookSink(server, { ...opts.secrets }, opts.recordFile);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
    });
    return sink;
  }

  /** The URL to put in a customer's recipients entry. */
  url(customer: string): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `${this.server instanceof https.Server ? "https" : "http"}://${host}:${a.port}/hooks/${customer}`;
  }

  setSecret(customer: string, secret: string): void {
    this.secrets[customer] = secret;
  }

  /** verify (default): 204 when verified, 401 when not; fail: 500; hang: never answer (until close). */
  setBehaviour(customer: string, behaviour: WebhookBehaviour): void {
    this.behaviour.set(customer, behaviour);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
    const m = req.method === "POST" ? HOOK_PATH.exec(req.url ?? "") : null;
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const customer = m[1];
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (size > limit) return;
      const raw = Buffer.concat(chunks);
      const behaviour = this.behaviour.get(customer) ?? "verify";
      const secret = this.secrets[customer];
      const result = secret === undefined ? null : verifyLchostSignature({ secret, body: raw, headers: req.headers, seen: this.seen });
      let answered = behaviour === "fail" ? 500 : behaviour === "hang" ? 0 : result?.ok ? 204 : 401;
      if (behaviour === "verify" && result === null) answered = 404;
      let body: unknown = null;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        body = null;
      }
      const header = (n: string) => {
        const v = req.headers[n.toLowerCase()];
        return typeof v === "string" ? v : null;
      };
      this.records.add({
        receivedAt: new Date().toISOString(),
        customer,
        verified: result?.ok === true,
        reason: result === null ? "no secret for this customer" : result.ok ? null : result.reason,
        deliveryId: header(SIGNATURE_HEADERS.delivery),
        timestamp: header(SIGNATURE_HEADERS.timestamp),
        signature: header(SIGNATURE_HEADERS.signature),
        answered,
        body,
        raw: raw.toString("utf8"),
      });
      if (behaviour === "hang") {
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      }
      res.writeHead(answered).end();
    });
  }
}
