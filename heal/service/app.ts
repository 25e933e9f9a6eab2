/**
 * The heal service's HTTP API (Fastify): Alertmanager posts its webhooks to POST /v1/alertmanager; /healthz
 * besides. Who may post (docs/self-healing.md, "Who may trigger an action"):
 *  - Alertmanager: HTTPS with a client certificate the heal CA signed AND the bearer token (constant-time
 *    comparison) — what Alertmanager's http_config can do (tls_config.cert_file/key_file, authorization);
 *  - the team's tools and tests: `X-Lchost-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`
 *    over the exact body, at most 5 min old (heal/service/signature.ts).
 * Anything else is refused (401), as are malformed (400) and over-size (413) bodies: nothing runs, the refusal
 * is logged without the token. Accepted alerts are answered 200 at once and handled in the background
 * (heal/service/healer.ts: a queue per customer).
 */
import * as crypto from "crypto";
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TLSSocket } from "tls";
import type { Logger } from "pino";
import { AlertmanagerPayload, AJV_OPTIONS, alertmanagerPayloadSchema, schemaErrorToHttpError } from "../../notifier/src/alertmanagerPayload";
import type { HealAlert } from "../playbook";
import type { Healer } from "./healer";
import { checkHealSignature, HEAL_SIGNATURE_HEADER } from "./signature";

export const HEAL_WEBHOOK_PATH = "/v1/alertmanager";
export const HEAL_HEALTH_PATH = "/healthz";

export interface HealAppOptions {
  logger: Logger;
  healer: Pick<Healer, "enqueue" | "dryRun">;
  /** Bearer token Alertmanager presents. */
  token: string;
  /** HMAC secret of X-Lchost-Signature; absent: only the client certificate + token path is open. */
  signatureSecret?: string;
  bodyLimitBytes: number;
  /** HTTPS: server key and certificate, and the heal CA client certificates must chain to. */
  https?: { key: string | Buffer; cert: string | Buffer; ca: string | Buffer };
  /** Whether the request came with a client certificate the heal CA signed (default: the TLS socket's verdict). */
  peerVerified?: (req: FastifyRequest) => boolean;
  nowMs?: () => number;
}

/** Every listener has timeouts; Node checks them every second (connectionsCheckingInterval), not every 30 s. */
export const HEAL_LISTENER_TIMEOUTS = {
  connectionTimeout: 30_000,
  keepAliveTimeout: 5_000,
  requestTimeout: 15_000,
  headersTimeout: 10_000,
  handshakeTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
} as const;

class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_TYPE = /^application\/json[ \t]*(;[ \t]*charset[ \t]*=[ \t]*("utf-8"|utf-8)[ \t]*)?$/i;
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest();

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: Buffer;
    authenticatedBy?: "client-certificate+token" | "signature";
  }
}

export function toHealAlerts(p: AlertmanagerPayload): HealAlert[] {
  return p.alerts.map((a) => ({
    name: a.labels.alertname,
    status: a.status,
    customer: a.labels.customer,
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt,
    fingerprint: a.fingerprint,
  }));
}

export function buildHealApp(opts: HealAppOptions): FastifyInstance {
  const t = HEAL_LISTENER_TIMEOUTS;
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: opts.bodyLimitBytes,
    connectionTimeout: t.connectionTimeout,
    keepAliveTimeout: t.keepAliveTimeout,
    requestTimeout: t.requestTimeout,
    http: { connectionsCheckingInterval: t.connectionsCheckingInterval },
    ...(opts.https
      ? {
          // Fastify passes only these to https.createServer (not `http`): the checking interval and a TLS handshake limit go here
          https: {
            key: opts.https.key,
            cert: opts.https.cert,
            ca: opts.https.ca,
            requestCert: true,
            rejectUnauthorized: false,
            minVersion: "TLSv1.2",
            handshakeTimeout: t.handshakeTimeout,
            connectionsCheckingInterval: t.connectionsCheckingInterval,
          },
        }
      : {}),
    return503OnClosing: true,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    schemaErrorFormatter: schemaErrorToHttpError,
  } as any) as unknown as FastifyInstance;
  app.server.headersTimeout = t.headersTimeout;
  const now = opts.nowMs ?? Date.now;
  const tokenDigest = sha256(opts.token);
  const peerVerified = opts.peerVerified ?? ((req: FastifyRequest) => (req.raw.socket as TLSSocket).authorized === true);

  function refuse(req: FastifyRequest, r: Refusal): never {
    // the token, the signature and the body never reach the log: only who, what and why
    req.log.warn({ status: r.statusCode, refused: r.code, reason: r.message, remoteAddress: req.ip }, "alert post refused; nothing runs");
    throw r;
  }

  app.removeAllContentTypeParsers();
  // the body is kept as bytes: the signature is over the exact bytes; JSON is parsed after it is checked
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.addContentTypeParser("*", (req, _payload, done) =>
    done(new Refusal(415, "unsupported_media_type", "body: Content-Type must be application/json (charset utf-8 if given)", "body"), undefined),
  );

  app.setErrorHandler((err: any, req, reply: FastifyReply) => {
    const status: number | undefined = err?.statusCode;
    if (status && status >= 400 && status < 500) {
      let code = String(err.code ?? "bad_request");
      let message = String(err.message).slice(0, 300);
      if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        code = "body_too_large";
        message = `body: larger than ${opts.bodyLimitBytes} bytes (bodyLimitBytes)`;
        req.log.warn({ status, refused: code, remoteAddress: req.ip }, "alert post refused; nothing runs");
      } else if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
        code = "empty_body";
        message = "body: must be Alertmanager's JSON payload, got an empty body";
      }
      if (!(err instanceof Refusal) && code !== "body_too_large")
        req.log.warn({ status, refused: code, reason: message, remoteAddress: req.ip }, "alert post refused; nothing runs");
      for (const [k, v] of Object.entries((err.headers as Record<string, string>) ?? {})) reply.header(k, v);
      return reply.code(status).send({ error: code, message, ...(err.field ? { field: err.field } : {}) });
    }
    req.log.error({ err }, "internal error");
    return reply.code(500).send({ error: "internal", message: "internal error" });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0].slice(0, 80)}`, field: "path" }),
  );

  app.get(HEAL_HEALTH_PATH, async () => ({ status: "ok", dryRun: opts.healer.dryRun }));

  app.post<{ Body: AlertmanagerPayload }>(
    HEAL_WEBHOOK_PATH,
    {
      schema: { body: alertmanagerPayloadSchema },
      // before the body is read: the Alertmanager path needs its certificate and token, the other path a signature header
      onRequest: async (req) => {
        const signed = req.headers[HEAL_SIGNATURE_HEADER] !== undefined;
        if (signed) {
          if (!opts.signatureSecret)
            refuse(
              req,
              new Refusal(401, "unauthorized", "X-Lchost-Signature: this service accepts no signed posts (no signatureSecretFile)", "x-lchost-signature"),
            );
        } else {
          if (!peerVerified(req))
            refuse(
              req,
              new Refusal(401, "unauthorized", "client certificate: missing or not issued by the heal CA (or sign the body: X-Lchost-Signature)", "tls"),
            );
          const m = typeof req.headers.authorization === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization) : null;
          if (!m)
            refuse(
              req,
              new Refusal(401, "unauthorized", "authorization: missing bearer token", "authorization", { "WWW-Authenticate": 'Bearer realm="lchost-heal"' }),
            );
          // equal-length digests: the comparison takes the same time for every wrong token
          if (!crypto.timingSafeEqual(sha256(m[1]), tokenDigest))
            refuse(
              req,
              new Refusal(401, "unauthorized", "authorization: the bearer token is not the heal service's", "authorization", {
                "WWW-Authenticate": 'Bearer realm="lchost-heal"',
              }),
            );
          req.authenticatedBy = "client-certificate+token";
        }
        const type = req.headers["content-type"];
        if (!type || !JSON_TYPE.test(type.trim()))
          refuse(req, new Refusal(415, "unsupported_media_type", "body: Content-Type must be application/json (charset utf-8 if given)", "body"));
      },
      // after the body is read, before the schema: a wrongly signed post learns nothing about the payload's shape
      preValidation: async (req) => {
        const raw = req.body as unknown as Buffer;
        if (req.authenticatedBy !== "client-certificate+token") {
          const c = checkHealSignature(opts.signatureSecret!, req.headers[HEAL_SIGNATURE_HEADER], raw, now());
          if (!c.ok) refuse(req, new Refusal(401, "unauthorized", c.message, "x-lchost-signature"));
          req.authenticatedBy = "signature";
        }
        try {
          (req as { body: unknown }).body = JSON.parse(raw.toString("utf8"));
        } catch (e) {
          refuse(req, new Refusal(400, "malformed_json", `body: malformed JSON (${(e as Error).message.slice(0, 120)})`, "body"));
        }
      },
    },
    async (req, reply) => {
      const alerts = toHealAlerts(req.body);
      const firing = alerts.filter((a) => a.status === "firing");
      // resolved ones too: a playbook may observe them (autoscale: the peak ended); the healer acts on firing ones only
      for (const a of alerts)
        opts.healer.enqueue(a).catch((err) => req.log.error({ customer: a.customer, alert: a.name, err: String(err?.message ?? err) }, "alert not handled"));
      req.log.info(
        { by: req.authenticatedBy, alerts: alerts.length, firing: firing.length, customers: [...new Set(alerts.map((a) => a.customer))] },
        firing.length ? "alerts accepted" : "only resolved alerts: nothing to act on",
      );
      return reply.code(200).send({ accepted: firing.length, resolved: alerts.length - firing.length, dryRun: opts.healer.dryRun });
    },
  );
  return app;
}
