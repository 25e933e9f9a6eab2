import { Fleet } from "../../model/fleet";
import { OperationsSettings } from "../../model/stackConfig";
import { NotifierRecipient, NotifierRecipients } from "../../notifier/src/env";

/** The recipients file's shape is the notifier's contract (notifier/src/env.ts), which also validates it. */
export type { NotifierRecipient as RecipientChannels, NotifierRecipients } from "../../notifier/src/env";

/** Plain values of secret config keys: a customer stack's (webhook secret) and the operations stack's. */
export interface RecipientSecrets {
  customerSecret(stack: string, key: string): string;
  operationsSecret(key: string): string;
}

/**
 * The notifier's recipients file (/etc/lchost/notifier/recipients.json, secret): each notified customer's
 * channels with the webhook's signing secret, the on-call receiver (English, every severity) and the SMTP
 * smarthost. Pure: the operations stack wraps the result in pulumi.secret.
 */
export function notifierRecipients(fleet: Fleet, ops: OperationsSettings, secrets: RecipientSecrets): NotifierRecipients {
  const customers: Record<string, NotifierRecipient> = {};
  for (const c of fleet.customers) {
    const n = c.notifications;
    if (!n) continue;
    customers[c.customer] = {
      language: n.language,
      severity: n.severity,
      email: [...n.email],
      ...(n.webhook ? { webhook: { url: n.webhook.url, secret: secrets.customerSecret(c.stack, n.webhook.secretKey) } } : {}),
    };
  }
  const [host, port] = ops.smtp.smarthost.split(":");
  return {
    customers,
    onCall: {
      language: "en",
      severity: "info",
      email: [...ops.onCall.email],
      ...(ops.onCall.webhook ? { webhook: { url: ops.onCall.webhook.url, secret: secrets.operationsSecret(ops.onCall.webhook.secretKey) } } : {}),
    },
    smtp: {
      host,
      port: Number(port),
      from: ops.smtp.from,
      ...(ops.smtp.usernameKey ? { username: secrets.operationsSecret(ops.smtp.usernameKey) } : {}),
      ...(ops.smtp.passwordKey ? { password: secrets.operationsSecret(ops.smtp.passwordKey) } : {}),
    },
  };
}

/** The recipients file's text (stable key order, so an unchanged fleet gives unchanged bytes). */
export function renderNotifierRecipients(fleet: Fleet, ops: OperationsSettings, secrets: RecipientSecrets): string {
  return `${JSON.stringify(notifierRecipients(fleet, ops, secrets), null, 2)}\n`;
}
