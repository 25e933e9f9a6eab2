/**
 * What a sandbox's notifier sends to, instead of the customers' real webhooks and the real smarthost: one
 * webhook receiver (`POST /<customer>`, signature checked with that customer's secret) and one SMTP sink,
 * both in the sandbox's own process on an address of its own, both recording what they get for the
 * tests and the benchmark. Every listener has timeouts.
 */
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { SandboxReceivers } from "./operationsTranslation";

export interface ReceivedWebhook {
  customer: string;
  receivedAt: number;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The signature header matches HMAC-SHA256(secret, "<timestamp>.<raw body>") with the customer's secret. */
  signatureValid: boolean;
}

export interface ReceivedMail {
  receivedAt: number;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface SandboxReceiverHandle extends SandboxReceivers {
  webhookBaseUrl: string;
  /** Each customer's webhook secret, from the notifier's recipients file (set once it is translated). */
  webhookSecrets: Record<string, string>;
  webhooks(): ReceivedWebhook[];
  mails(): ReceivedMail[];
  /** Forget what was received (between test cases). */
  clear(): void;
  close(): Promise<void>;
}

const TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

export function webhookSignatureValid(secret: string | undefined, headers: http.IncomingHttpHeaders, raw: string): boolean {
  const ts = headers["x-lchost-timestamp"];
  const sig = headers["x-lchost-signature"];
  if (!secret || typeof ts !== "string" || typeof sig !== "string") return false;
  const expected = `sha256=${crypto.createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex")}`;
  return expected.length === sig.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(sig));
}

export async function startSandboxReceivers(
  address: string,
  ports: { webhook: number; smtp: number } = { webhook: 0, smtp: 0 },
): Promise<SandboxReceiverHandle> {
  const webhooks: ReceivedWebhook[] = [];
  const mails: ReceivedMail[] = [];
  const webhookSecrets: Record<string, string> = {};

  const server = http.createServer((req, res) => {
    const customer = decodeURIComponent((req.url ?? "/").split("?")[0].replace(/^\/+/, ""));
    if (req.method !== "POST" || !customer) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(d);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: any = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* recorded as text */
      }
      webhooks.push({
        customer,
        receivedAt: Date.now(),
        headers: req.headers,
        raw,
        body,
        signatureValid: webhookSignatureValid(webhookSecrets[customer], req.headers, raw),
      });
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  server.requestTimeout = TIMEOUT_MS;
  server.headersTimeout = TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  server.setTimeout(TIMEOUT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(ports.webhook, address, () => resolve());
  });

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: MAX_BODY_BYTES,
    socketTimeout: TIMEOUT_MS,
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            receivedAt: Date.now(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? "",
            text: m.text ?? "",
          });
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(ports.smtp, address, () => resolve());
  });
  const webhookPort = (server.address() as AddressInfo).port;
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webhookBaseUrl = `http://${address}:${webhookPort}`;
  return {
    webhookBaseUrl,
    webhookSecrets,
    webhookUrl: (customer) => `${webhookBaseUrl}/${encodeURIComponent(customer)}`,
    smtp: { host: address, port: smtpPort },
    webhooks: () => [...webhooks],
    mails: () => [...mails],
    clear: () => {
      webhooks.length = 0;
      mails.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}
