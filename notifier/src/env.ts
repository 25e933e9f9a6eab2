/**
 * The notifier's contract: its environment variables, defaults, port and paths, and the recipients file
 * (type + validating parser). The notifier reads these; the operations stack, the renderer of the
 * recipients file (render/notifier/recipients.ts) and the sandbox write them. This file imports nothing,
 * so the toolkit may import it without pulling in the service.
 */
export const NOTIFIER_ENV = {
  /** TCP port of the HTTP API (Alertmanager webhook, /healthz, /metrics). */
  port: "NOTIFIER_PORT",
  /** Address to listen on. */
  host: "NOTIFIER_HOST",
  /** Path of the recipients file (JSON, secret: webhook secrets and SMTP password; mode 0600). */
  recipientsFile: "NOTIFIER_RECIPIENTS_FILE",
  /** Path of the file holding the bearer token Alertmanager presents (same content as Alertmanager's credentials_file). */
  tokenFile: "NOTIFIER_TOKEN_FILE",
  /** Optional: PEM file of extra CA certificates trusted for outgoing webhooks and SMTP STARTTLS (a private smarthost, the sandbox). */
  caFile: "NOTIFIER_CA_FILE",
  /** Milliseconds one outgoing webhook call may take in total (connect + answer); then Alertmanager gets 502 and retries. */
  webhookTimeoutMs: "NOTIFIER_WEBHOOK_TIMEOUT_MS",
  /** Milliseconds each SMTP step (connect, greeting, each command) may take. */
  smtpTimeoutMs: "NOTIFIER_SMTP_TIMEOUT_MS",
  /** Request body limit in bytes of the Alertmanager endpoint (larger bodies: 413). */
  bodyLimitBytes: "NOTIFIER_BODY_LIMIT_BYTES",
  /** pino log level. */
  logLevel: "LOG_LEVEL",
} as const;

export const NOTIFIER_DEFAULTS = {
  port: 9095,
  host: "0.0.0.0",
  recipientsFile: "/etc/lchost/notifier/recipients.json",
  tokenFile: "/etc/lchost/notifier/alertmanager-token",
  // Alertmanager gives one flush of a group about max(group_interval, 10 s) including its retries: the notifier
  // answers (502 on a slow receiver) well inside it, so Alertmanager can still retry in the same flush
  webhookTimeoutMs: 5_000,
  smtpTimeoutMs: 5_000,
  bodyLimitBytes: 1024 * 1024,
  logLevel: "info",
} as const;

export const NOTIFIER_HEALTH_PATH = "/healthz";
export const NOTIFIER_METRICS_PATH = "/metrics";

/** The customer name under which Alertmanager posts what goes to the hosting team's on-call receiver. */
export const ON_CALL_CUSTOMER = "_oncall";
export const NOTIFIER_CHANNELS = ["email", "webhook"] as const;
export type NotifierChannel = (typeof NOTIFIER_CHANNELS)[number];
export const NOTIFICATION_LANGUAGES = ["de", "en"] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];
/** Lowest first. */
export const NOTIFICATION_SEVERITIES = ["info", "warning", "critical"] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

/**
 * The alert `lchost maintenance announce` posts to Alertmanager to tell a customer of announced maintenance
 * through its own notification channels (docs/sla.md "Announcing maintenance"). Alertmanager routes it to the
 * customer whatever the customer's minimum severity (a notice, not a fault), the notifier renders it as an
 * announcement and never sends its "resolved" (the alert ends by itself minutes after it was posted).
 */
export const MAINTENANCE_ANNOUNCED_ALERT = "MaintenanceAnnounced";
/** Its labels `component` and `part` (the status portal opens incidents only for parts of the service, not this). */
export const MAINTENANCE_COMPONENT = "maintenance";
/** Its annotations: the window (RFC 3339, UTC), the reason as written, the reason's language, and whether it counts for the SLA. */
export const MAINTENANCE_ANNOTATIONS = { from: "from", to: "to", reason: "reason", language: "reason_language", sla: "sla" } as const;
/** `sla` annotation values: announced early enough to be excluded from the month, or too late (counts as downtime). */
export const MAINTENANCE_SLA_VALUES = ["excluded", "counted"] as const;

/** A customer name as it appears in the path (a Pulumi stack name), or ON_CALL_CUSTOMER. */
export const CUSTOMER_NAME_PATTERN = /^(_oncall|[A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;

/** The path Alertmanager posts to, e.g. `/v1/alertmanager/acme/webhook`. */
export function notifierAlertmanagerPath(customer: string, channel: NotifierChannel): string {
  return `/v1/alertmanager/${encodeURIComponent(customer)}/${channel}`;
}

/** The URL Alertmanager's webhook_configs entry uses, e.g. `http://lc-ops-dc1-notifier:9095/v1/alertmanager/acme/email`. */
export function notifierAlertmanagerUrl(host: string, customer: string, channel: NotifierChannel, port: number = NOTIFIER_DEFAULTS.port): string {
  return `http://${host}:${port}${notifierAlertmanagerPath(customer, channel)}`;
}

// ---- the outgoing webhook's signature (documented in docs/notifications.md) ----

export const SIGNATURE_HEADERS = {
  /** Unix seconds at signing. */
  timestamp: "X-Lchost-Timestamp",
  /** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` */
  signature: "X-Lchost-Signature",
  /** A UUID, unique per delivery (a retry of the same delivery is a new delivery). */
  delivery: "X-Lchost-Delivery",
} as const;
/** Receivers reject a timestamp further than this from their clock. */
export const SIGNATURE_MAX_AGE_SECONDS = 300;

// ---- the recipients file ----

export interface NotifierWebhookRecipient {
  /** https:// (http:// only to a loopback address: the sandbox and tests). */
  url: string;
  /** The HMAC secret (at least 16 characters). */
  secret: string;
}

export interface NotifierRecipient {
  language: NotificationLanguage;
  /** Minimum severity notified. */
  severity: NotificationSeverity;
  email: string[];
  webhook?: NotifierWebhookRecipient;
}

export interface NotifierSmtp {
  host: string;
  port: number;
  from: string;
  username?: string;
  password?: string;
}

export interface NotifierRecipients {
  customers: Record<string, NotifierRecipient>;
  /** The hosting team; Alertmanager posts under customer ON_CALL_CUSTOMER. */
  onCall: NotifierRecipient;
  smtp: NotifierSmtp;
}

/** A recipients file that does not validate; `field` is the JSON path (e.g. `customers.acme.webhook.url`). */
export class RecipientsError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`recipients file: ${field}: ${reason}`);
    this.name = "RecipientsError";
  }
}

/** Deliberately simple: one @, no spaces or angle brackets, a dotted domain. */
export const EMAIL_PATTERN = /^[^\s@<>(),;:"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const SMTP_HOST_PATTERN = /^[A-Za-z0-9.:[\]-]+$/;
/** The shortest webhook secret the notifier accepts (the plan should refuse shorter ones before the notifier does). */
export const WEBHOOK_SECRET_MIN_LENGTH = 16;

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new RecipientsError(field, "must be an object");
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, field: string, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new RecipientsError(field ? `${field}.${k}` : k, `unknown key (allowed: ${allowed.join(", ")})`);
  }
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string" || v.trim() === "") throw new RecipientsError(field, "is required and must be a non-empty string");
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new RecipientsError(field, `${JSON.stringify(v)} is not one of ${allowed.join(", ")}`);
  }
  return v as T;
}

/** Validates a webhook URL of the recipients file; throws RecipientsError naming `field`. */
export function parseWebhookUrl(v: unknown, field: string): string {
  const raw = str(v, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // not echoed: the text may hold the customer's own token (in a path or query) or a secret pasted by mistake
    throw new RecipientsError(field, "is not a URL");
  }
  if (url.username || url.password) throw new RecipientsError(field, "must not carry credentials (the signature authenticates)");
  if (url.protocol === "https:") return raw;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return raw;
  // only scheme and host are echoed (the logs keep this message): a path or query may carry the customer's token
  const shown = url.host ? `${url.protocol}//${url.host}` : url.protocol;
  throw new RecipientsError(field, `${JSON.stringify(shown)} (path and query not shown) must be an https:// URL (http:// only to a loopback address)`);
}

function parseRecipient(v: unknown, field: string, defaults: { language: NotificationLanguage; severity: NotificationSeverity }): NotifierRecipient {
  const o = obj(v, field);
  onlyKeys(o, field, ["language", "severity", "email", "webhook"]);
  const email = o.email ?? [];
  if (!Array.isArray(email)) throw new RecipientsError(`${field}.email`, "must be a list of addresses");
  email.forEach((a, i) => {
    if (typeof a !== "string" || !EMAIL_PATTERN.test(a)) throw new RecipientsError(`${field}.email[${i}]`, `${JSON.stringify(a)} is not an email address`);
  });
  const out: NotifierRecipient = {
    language: oneOf(o.language, `${field}.language`, NOTIFICATION_LANGUAGES, defaults.language),
    severity: oneOf(o.severity, `${field}.severity`, NOTIFICATION_SEVERITIES, defaults.severity),
    email: email as string[],
  };
  if (o.webhook !== undefined) {
    const w = obj(o.webhook, `${field}.webhook`);
    onlyKeys(w, `${field}.webhook`, ["url", "secret"]);
    const url = parseWebhookUrl(w.url, `${field}.webhook.url`);
    // the secret is never echoed
    if (typeof w.secret !== "string" || w.secret.length < WEBHOOK_SECRET_MIN_LENGTH) {
      throw new RecipientsError(`${field}.webhook.secret`, `is required and must be a string of at least ${WEBHOOK_SECRET_MIN_LENGTH} characters`);
    }
    out.webhook = { url, secret: w.secret };
  }
  return out;
}

function parseSmtp(v: unknown): NotifierSmtp {
  const o = obj(v, "smtp");
  onlyKeys(o, "smtp", ["host", "port", "from", "username", "password"]);
  const host = str(o.host, "smtp.host");
  if (!SMTP_HOST_PATTERN.test(host)) throw new RecipientsError("smtp.host", `${JSON.stringify(host)} is not a host name or address`);
  if (typeof o.port !== "number" || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new RecipientsError("smtp.port", `${JSON.stringify(o.port)} must be an integer from 1 to 65535`);
  }
  const from = str(o.from, "smtp.from");
  if (!EMAIL_PATTERN.test(from)) throw new RecipientsError("smtp.from", `${JSON.stringify(from)} is not an email address`);
  const out: NotifierSmtp = { host, port: o.port, from };
  if (o.username !== undefined) out.username = str(o.username, "smtp.username");
  if (o.password !== undefined) {
    if (typeof o.password !== "string" || o.password === "") throw new RecipientsError("smtp.password", "must be a non-empty string");
    out.password = o.password;
  }
  if ((out.username === undefined) !== (out.password === undefined)) {
    throw new RecipientsError(out.username === undefined ? "smtp.username" : "smtp.password", "username and password are given together or not at all");
  }
  return out;
}

/**
 * Validates the parsed JSON of the recipients file (pure); throws RecipientsError naming the first bad
 * field, never echoing a secret. Customers default to language de and severity warning (as the stack key
 * lchost:notifications does); on-call defaults to en and info (the hosting team sees everything).
 */
export function parseNotifierRecipients(value: unknown): NotifierRecipients {
  const o = obj(value, "(root)");
  onlyKeys(o, "", ["customers", "onCall", "smtp"]);
  const customersIn = obj(o.customers ?? {}, "customers");
  const customers: Record<string, NotifierRecipient> = {};
  for (const [name, r] of Object.entries(customersIn)) {
    if (name === ON_CALL_CUSTOMER || !CUSTOMER_NAME_PATTERN.test(name)) {
      throw new RecipientsError(`customers.${name}`, `customer name must match ${CUSTOMER_NAME_PATTERN} and not be ${ON_CALL_CUSTOMER}`);
    }
    customers[name] = parseRecipient(r, `customers.${name}`, { language: "de", severity: "warning" });
  }
  if (o.onCall === undefined) throw new RecipientsError("onCall", "is required");
  const onCall = parseRecipient(o.onCall, "onCall", { language: "en", severity: "info" });
  if (o.smtp === undefined) throw new RecipientsError("smtp", "is required");
  return { customers, onCall, smtp: parseSmtp(o.smtp) };
}

/** Parses the recipients file's text (JSON); throws RecipientsError. */
export function parseNotifierRecipientsJson(text: string): NotifierRecipients {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // only the position: Node's message quotes the text around it, which may be a secret
    const at = /position (\d+)/.exec((err as Error).message);
    throw new RecipientsError("(root)", `not valid JSON${at ? ` (at character ${at[1]})` : ""}`);
  }
  return parseNotifierRecipients(value);
}

/** The recipient of a path's customer name (ON_CALL_CUSTOMER → onCall), or undefined. */
export function recipientFor(recipients: NotifierRecipients, customer: string): NotifierRecipient | undefined {
  if (customer === ON_CALL_CUSTOMER) return recipients.onCall;
  return Object.prototype.hasOwnProperty.call(recipients.customers, customer) ? recipients.customers[customer] : undefined;
}
