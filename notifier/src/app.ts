/**
 * The notifier's HTTP API: Alertmanager posts one notification per customer and channel
 * (POST /v1/alertmanager/:customer/:channel, bearer token), the notifier renders it in the customer's
 * language and delivers it (signed webhook or one mail); /healthz and /metrics besides.
 */
import * as crypto from "crypto";
import Fastify, { FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "pino";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { answerClientError, HttpError, sendClientError, sendInternalError, truncateForEcho } from "../../service-kit/src/httpErrors";
import { AlertmanagerPayload, AJV_OPTIONS, alertmanagerParamsSchema, alertmanagerPayloadSchema, schemaErrorToHttpError } from "./alertmanagerPayload";
import type { NotifierConfig } from "./config";
import { sendNotificationMail } from "./emailDelivery";
import { NOTIFIER_ENV, NOTIFIER_HEALTH_PATH, NOTIFIER_METRICS_PATH, NotifierChannel, ON_CALL_CUSTOMER, recipientFor } from "./env";
import { filterBySeverity, notificationFromPayload, renderNotification } from "./messages";
import type { RecipientsSource } from "./recipientsSource";
import { DeliveryError, postSignedWebhook, webhookBody, webhookOrigin } from "./webhookDelivery";

export interface NotifierAppOptions {
  logger: Logger;
  recipients: Pick<RecipientsSource, "get">;
  /** The bearer token Alertmanager presents. */
  token: string;
  /** Extra trusted CA certificates (PEM) for outgoing TLS. */
  ca?: string;
  /** The clock outgoing webhooks are signed with (ms; tests move it). */
  nowMs?: () => number;
  /** Register Node's default process metrics too (the bin does; tests building many apps do not). */
  defaultMetrics?: boolean;
}

/**
 * Incoming connections: nothing waits forever (a delivery takes at most a few SMTP steps of smtpTimeoutMs).
 * Node enforces headersTimeout and requestTimeout only when it checks its connections, every
 * connectionsCheckingInterval (30 s by default): a client trickling its headers was cut off after 10 to 40 s,
 * one trickling its body after 30 to 60 s. Checked every second, the limits fire within a second of what they say.
 */
export function listenerTimeouts(config: Pick<NotifierConfig, "webhookTimeoutMs" | "smtpTimeoutMs">) {
  const longestDelivery = Math.max(config.webhookTimeoutMs, 6 * config.smtpTimeoutMs);
  return {
    connectionTimeout: longestDelivery + 30_000,
    keepAliveTimeout: 5_000,
    requestTimeout: 30_000,
    headersTimeout: 10_000,
    connectionsCheckingInterval: 1_000,
  };
}

/**
 * What Alertmanager sends: application/json, at most with charset utf-8 (the body is decoded as UTF-8
 * whatever the header says). Fastify's JSON parser also takes application/jsonx, application/json-seq and
 * any charset; a body whose declared encoding we would not honour is refused rather than read another way.
 */
const ALERTMANAGER_CONTENT_TYPE = /^application\/json[ \t]*(;[ \t]*charset[ \t]*=[ \t]*("utf-8"|utf-8)[ \t]*)?$/i;

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest();

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  return sendClientError(reply, err, NOTIFIER_ENV.bodyLimitBytes) ?? sendInternalError(reply, err);
}

export function buildNotifierApp(config: NotifierConfig, opts: NotifierAppOptions): { app: FastifyInstance; registry: Registry } {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const deliveries = new Counter({
    name: "notifier_deliveries_total",
    help: "Alertmanager notifications handled, by channel and outcome (delivered, filtered = below the minimum severity or an ended maintenance announcement, timeout, rejected = non-2xx or SMTP refusal, unreachable)",
    labelNames: ["channel", "outcome"],
    registers: [registry],
  });
  const requestsRefused = new Counter({
    name: "notifier_requests_refused_total",
    help: "Requests to the Alertmanager endpoint refused before delivery, by HTTP status (401 token, 400 payload, 404 customer or channel)",
    labelNames: ["status"],
    registers: [registry],
  });
  const deliverySeconds = new Histogram({
    name: "notifier_delivery_seconds",
    help: "Time one delivery took (webhook call or SMTP transaction), by channel",
    labelNames: ["channel"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  for (const channel of ["email", "webhook"])
    for (const outcome of ["delivered", "filtered", "timeout", "rejected", "unreachable"]) deliveries.labels(channel, outcome);

  const t = listenerTimeouts(config);
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: t.connectionTimeout,
    keepAliveTimeout: t.keepAliveTimeout,
    requestTimeout: t.requestTimeout,
    http: { connectionsCheckingInterval: t.connectionsCheckingInterval },
    return503OnClosing: true,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    schemaErrorFormatter: schemaErrorToHttpError,
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  app.server.headersTimeout = t.headersTimeout;
  app.removeContentTypeParser("text/plain"); // JSON only: anything else is 415
  app.setErrorHandler((err, _req, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500 && reply.request.routeOptions.url === "/v1/alertmanager/:customer/:channel")
      requestsRefused.labels(String(status)).inc();
    return sendError(reply, err);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new HttpError(404, "not_found", `no route ${req.method} ${truncateForEcho(req.url.split("?")[0])}`, "path")),
  );

  const tokenDigest = sha256(opts.token);
  function authorize(header: string | undefined): void {
    const m = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      throw new HttpError(401, "unauthorized", "authorization: missing bearer token (Authorization: Bearer <token of the credentials_file>)", "authorization", {
        "WWW-Authenticate": 'Bearer realm="notifier"',
      });
    }
    // digests have equal length whatever was sent: the comparison takes the same time for every wrong token
    if (!crypto.timingSafeEqual(sha256(m[1]), tokenDigest)) {
      throw new HttpError(401, "unauthorized", "authorization: the bearer token is not the notifier's", "authorization", {
        "WWW-Authenticate": 'Bearer realm="notifier"',
      });
    }
  }

  app.get(NOTIFIER_HEALTH_PATH, async () => ({ status: "ok" }));
  app.get(NOTIFIER_METRICS_PATH, async (_req, reply) => {
    reply.header("Content-Type", registry.contentType);
    return registry.metrics();
  });

  app.post<{ Params: { customer: string; channel: NotifierChannel }; Body: AlertmanagerPayload }>(
    "/v1/alertmanager/:customer/:channel",
    {
      schema: { params: alertmanagerParamsSchema, body: alertmanagerPayloadSchema },
      // before the body is read: a caller without the token learns nothing about the payload's shape
      onRequest: async (req) => {
        authorize(req.headers.authorization);
        const type = req.headers["content-type"];
        if (!type || !ALERTMANAGER_CONTENT_TYPE.test(type.trim())) {
          throw new HttpError(415, "unsupported_media_type", "body: Content-Type must be application/json (charset utf-8 if given)", "body");
        }
      },
    },
    async (req, reply) => {
      const { customer, channel } = req.params;
      const recipient = recipientFor(opts.recipients.get(), customer);
      if (!recipient) throw new HttpError(404, "unknown_customer", `customer: ${JSON.stringify(customer)} has no notifications configured`, "customer");
      if (channel === "email" && recipient.email.length === 0) {
        throw new HttpError(404, "channel_not_configured", `channel: customer ${JSON.stringify(customer)} has no email addresses`, "channel");
      }
      if (channel === "webhook" && !recipient.webhook) {
        throw new HttpError(404, "channel_not_configured", `channel: customer ${JSON.stringify(customer)} has no webhook`, "channel");
      }
      // per-customer isolation, besides Alertmanager's routing: a customer's endpoint only ever carries its own alerts
      if (customer !== ON_CALL_CUSTOMER) {
        const i = req.body.alerts.findIndex((a) => a.labels.customer !== customer);
        if (i >= 0) {
          throw new HttpError(
            400,
            "foreign_alert",
            `alerts[${i}].labels.customer: ${JSON.stringify(req.body.alerts[i].labels.customer)} is not the customer of this endpoint (${customer})`,
            `alerts[${i}].labels.customer`,
          );
        }
      }
      const notification = filterBySeverity(notificationFromPayload(customer, req.body), recipient.severity);
      if (notification.alerts.length === 0) {
        deliveries.labels(channel, "filtered").inc();
        req.log.info(
          { customer, channel, minimum: recipient.severity },
          "notification below the customer's minimum severity (or an ended announcement): not delivered",
        );
        return reply
          .code(200)
          .send({ delivered: false, reason: `every alert is below the minimum severity ${recipient.severity} or an announcement that has ended` });
      }
      const message = renderNotification(notification, recipient.language);
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        if (channel === "webhook") {
          const target = recipient.webhook!;
          const r = await postSignedWebhook(target, webhookBody(notification, recipient.language, message), {
            timeoutMs: config.webhookTimeoutMs,
            nowMs: opts.nowMs,
            ca: opts.ca,
          });
          deliveries.labels(channel, "delivered").inc();
          deliverySeconds.labels(channel).observe(seconds());
          req.log.info(
            {
              customer,
              channel,
              status: notification.status,
              alerts: notification.alerts.length,
              to: webhookOrigin(target.url),
              deliveryId: r.deliveryId,
              answered: r.status,
            },
            "delivered",
          );
          return { delivered: true, deliveryId: r.deliveryId };
        }
        const r = await sendNotificationMail(opts.recipients.get().smtp, recipient.email, message, recipient.language, {
          timeoutMs: config.smtpTimeoutMs,
          ca: opts.ca,
        });
        deliveries.labels(channel, "delivered").inc();
        deliverySeconds.labels(channel).observe(seconds());
        req.log.info(
          { customer, channel, status: notification.status, alerts: notification.alerts.length, mailboxes: recipient.email.length, messageId: r.messageId },
          "delivered",
        );
        return { delivered: true, messageId: r.messageId };
      } catch (err) {
        if (!(err instanceof DeliveryError)) throw err;
        deliveries.labels(channel, err.outcome).inc();
        deliverySeconds.labels(channel).observe(seconds());
        req.log.warn({ customer, channel, outcome: err.outcome, reason: err.message }, "delivery failed; Alertmanager will retry");
        // 5xx: Alertmanager retries this receiver's entry (this channel only)
        return reply.code(502).send({ error: "delivery_failed", message: err.message });
      }
    },
  );
  return { app, registry };
}
