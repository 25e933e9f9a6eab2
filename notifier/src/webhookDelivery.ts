/**
 * One signed POST to a customer's webhook (docs/notifications.md): JSON body, X-Lchost-* headers, a hard
 * deadline for the whole call. Anything but a 2xx in time is a DeliveryError, which the route answers
 * Alertmanager with 502 so it retries this channel.
 */
import * as http from "http";
import * as https from "https";
import type { NotifierWebhookRecipient } from "./env";
import type { MaintenanceNotice, Notification, RenderedMessage } from "./messages";
import { signLchostPayload } from "./webhookSignature";

export class DeliveryError extends Error {
  constructor(
    readonly channel: "email" | "webhook",
    readonly outcome: "timeout" | "rejected" | "unreachable",
    message: string,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** The JSON the customer's webhook receives. */
export interface WebhookBody {
  customer: string;
  status: "firing" | "resolved";
  language: string;
  subject: string;
  text: string;
  alerts: {
    status: "firing" | "resolved";
    alertname: string;
    component: string;
    part: string;
    severity: string;
    edition: string;
    since: string;
    until: string | null;
    /** Only on a MaintenanceAnnounced alert: the announced window, its reason and whether it counts for the SLA. */
    maintenance?: MaintenanceNotice;
  }[];
}

export function webhookBody(n: Notification, language: string, message: RenderedMessage): WebhookBody {
  return {
    customer: n.customer,
    status: n.status,
    language,
    subject: message.subject,
    text: message.text,
    alerts: n.alerts.map((a) => ({
      status: a.status,
      alertname: a.alertname,
      component: a.component,
      part: a.part,
      severity: a.severity,
      edition: a.edition,
      since: a.since,
      until: a.until,
      ...(a.maintenance ? { maintenance: a.maintenance } : {}),
    })),
  };
}

export interface WebhookOptions {
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  nowMs?: () => number;
}

/** Where a webhook goes, without path or query (which may carry the customer's own token): for logs. */
export function webhookOrigin(url: string): string {
  return new URL(url).origin;
}

/** POSTs `body` signed with the recipient's secret; resolves with the status and delivery id, or throws DeliveryError. */
export function postSignedWebhook(target: NotifierWebhookRecipient, body: WebhookBody, opts: WebhookOptions): Promise<{ status: number; deliveryId: string }> {
  const raw = Buffer.from(JSON.stringify(body));
  const headers = signLchostPayload(target.secret, raw, (opts.nowMs ?? Date.now)());
  const url = new URL(target.url);
  const origin = url.origin;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: DeliveryError | null, status = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) reject(err);
      else resolve({ status, deliveryId: headers["X-Lchost-Delivery"] });
    };
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", "Content-Length": String(raw.length), "User-Agent": "lchost-notifier", ...headers },
        timeout: opts.timeoutMs,
        ...(url.protocol === "https:" && opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // the answer's body is not used; drained so the socket closes
        res.on("end", () => {
          if (status >= 200 && status < 300) done(null, status);
          else done(new DeliveryError("webhook", "rejected", `webhook ${origin} answered ${status}`));
        });
        res.on("error", () => done(new DeliveryError("webhook", "unreachable", `webhook ${origin}: connection lost while reading the answer`)));
      },
    );
    // one deadline for the whole call (connect, TLS, answer), besides the socket's idle timeout
    const deadline = setTimeout(() => {
      req.destroy();
      done(new DeliveryError("webhook", "timeout", `webhook ${origin} did not answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on("timeout", () => {
      req.destroy();
      done(new DeliveryError("webhook", "timeout", `webhook ${origin} did not answer within ${opts.timeoutMs} ms`));
    });
    req.on("error", (err: NodeJS.ErrnoException) => done(new DeliveryError("webhook", "unreachable", `webhook ${origin}: ${err.code ?? "error"}`)));
    req.end(raw);
  });
}
