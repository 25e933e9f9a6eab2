/**
 * A notifier running in-process on 127.0.0.1 against the sandbox's mail and webhook sinks, with its logs
 * captured, for the services tests (test/services/notifier*.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import type { FastifyInstance } from "fastify";
import { buildNotifierApp } from "../../notifier/src/app";
import { NotifierConfig, parseNotifierConfig } from "../../notifier/src/config";
import { createLogger } from "../../notifier/src/logger";
import { RecipientsSource } from "../../notifier/src/recipientsSource";
import { MailSink, MailSinkOptions } from "../../sandbox/ops/mailSink";
import { WebhookSink } from "../../sandbox/ops/webhookSink";

export const NOTIFIER_TOKEN = "am-token-0123456789abcdef";
export const SECRETS = { acme: "acme-webhook-secret-0123456789", globex: "globex-webhook-secret-9876543210" };

export interface NotifierHarness {
  dir: string;
  url: string;
  app: FastifyInstance;
  mail: MailSink;
  hooks: WebhookSink;
  recipientsFile: string;
  logs(): string;
  /** Moves the notifier's signing clock (ms; negative: in the past). */
  setClockOffsetMs(ms: number): void;
  post(customer: string, channel: string, body: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<NotifierConfig>;
  mail?: MailSinkOptions;
  smtpUser?: { username: string; password: string };
  ca?: string;
  /** Changes to the recipients file's content before it is written (given the sinks, to point at them). */
  recipients?: (r: any, sinks: { hooks: WebhookSink; mail: MailSink }) => void;
}

export function recipientsFor(hooks: WebhookSink, mail: MailSink, smtpUser?: { username: string; password: string }): any {
  return {
    customers: {
      acme: { language: "en", severity: "warning", email: ["ops@acme.example"], webhook: { url: hooks.url("acme"), secret: SECRETS.acme } },
      globex: {
        language: "de",
        severity: "critical",
        email: ["it@globex.example", "hotline@globex.example"],
        webhook: { url: hooks.url("globex"), secret: SECRETS.globex },
      },
      initech: { email: ["it@initech.example"] },
    },
    onCall: { email: ["oncall@lchost.example"] },
    smtp: {
      host: "127.0.0.1",
      port: mail.port,
      from: "alerts@lchost.example",
      ...(smtpUser ? { username: smtpUser.username, password: smtpUser.password } : {}),
    },
  };
}

export async function startNotifier(opts: HarnessOptions = {}): Promise<NotifierHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-notifier-"));
  const mail = await MailSink.start({ ...opts.mail, recordFile: path.join(dir, "mail.jsonl") });
  const hooks = await WebhookSink.start({ secrets: SECRETS, recordFile: path.join(dir, "webhooks.jsonl") });
  const recipientsFile = path.join(dir, "recipients.json");
  const r = recipientsFor(hooks, mail, opts.smtpUser);
  opts.recipients?.(r, { hooks, mail });
  fs.writeFileSync(recipientsFile, JSON.stringify(r, null, 2), { mode: 0o600 });
  const tokenFile = path.join(dir, "token");
  fs.writeFileSync(tokenFile, `${NOTIFIER_TOKEN}\n`, { mode: 0o600 });
  const config: NotifierConfig = {
    ...parseNotifierConfig({
      NOTIFIER_RECIPIENTS_FILE: recipientsFile,
      NOTIFIER_TOKEN_FILE: tokenFile,
      NOTIFIER_HOST: "127.0.0.1",
      NOTIFIER_PORT: "0",
      LOG_LEVEL: "debug",
    }),
    ...opts.config,
  };
  let logText = "";
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  let clockOffsetMs = 0;
  const { app } = buildNotifierApp(config, {
    logger,
    recipients: new RecipientsSource(recipientsFile, logger),
    token: NOTIFIER_TOKEN,
    ca: opts.ca,
    nowMs: () => Date.now() + clockOffsetMs,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as any).port}`;
  return {
    dir,
    url,
    app,
    mail,
    hooks,
    recipientsFile,
    logs: () => logText,
    setClockOffsetMs: (ms) => {
      clockOffsetMs = ms;
    },
    async post(customer, channel, body, token = NOTIFIER_TOKEN) {
      const res = await fetch(`${url}/v1/alertmanager/${customer}/${channel}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
        body: typeof body === "string" ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async stop() {
      await app.close();
      await hooks.close();
      await mail.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An alert as Alertmanager 0.25 posts it. */
export function amAlert(labels: Record<string, string>, change: Record<string, unknown> = {}): any {
  return {
    status: "firing",
    labels: {
      alertname: "LicenseCentralLineDown",
      customer: "acme",
      edition: "high-availability",
      severity: "critical",
      component: "line",
      part: "line-2",
      ...labels,
    },
    annotations: { summary: "License Central line 2 does not answer its health check" },
    startsAt: "2026-11-28T07:41:00.123Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://lc-ops-dc1-prometheus:9090/graph",
    fingerprint: "0123456789abcdef",
    ...change,
  };
}

/** Alertmanager's webhook payload (version 4) of one group. */
export function amPayload(alerts: any[], change: Record<string, unknown> = {}): any {
  const status = alerts.some((a) => a.status === "firing") ? "firing" : "resolved";
  return {
    version: "4",
    groupKey: '{}/{customer="acme"}:{alertname="LicenseCentralLineDown", customer="acme", part="line-2"}',
    truncatedAlerts: 0,
    status,
    receiver: "customer-acme",
    groupLabels: { alertname: alerts[0].labels.alertname, customer: alerts[0].labels.customer, part: alerts[0].labels.part },
    commonLabels: alerts[0].labels,
    commonAnnotations: alerts[0].annotations,
    externalURL: "http://lc-ops-dc1-alertmanager:9093",
    alerts,
    ...change,
  };
}
