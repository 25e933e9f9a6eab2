/**
 * The sandbox's stand-ins for where notifications go: one mail sink (the smarthost) and one webhook sink
 * (every customer's and on-call's webhook), recording under `<dir>/mail.jsonl` and `<dir>/webhooks.jsonl`,
 * and the rewrite of a rendered recipients file that points it at them (nothing leaves the machine).
 */
import * as fs from "fs";
import * as path from "path";
import { NotifierRecipients, ON_CALL_CUSTOMER } from "../../notifier/src/env";
import { MailSink } from "./mailSink";
import { WebhookSink } from "./webhookSink";

export interface NotificationSinks {
  mail: MailSink;
  hooks: WebhookSink;
  close(): Promise<void>;
}

export const MAIL_RECORD_FILE = "mail.jsonl";
export const WEBHOOK_RECORD_FILE = "webhooks.jsonl";

export async function startNotificationSinks(dir: string, opts: { host?: string; mailPort?: number; webhookPort?: number } = {}): Promise<NotificationSinks> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mail = await MailSink.start({ host: opts.host, port: opts.mailPort, recordFile: path.join(dir, MAIL_RECORD_FILE) });
  let hooks: WebhookSink;
  try {
    hooks = await WebhookSink.start({ host: opts.host, port: opts.webhookPort, secrets: {}, recordFile: path.join(dir, WEBHOOK_RECORD_FILE) });
  } catch (err) {
    await mail.close();
    throw err;
  }
  return {
    mail,
    hooks,
    async close() {
      await hooks.close();
      await mail.close();
    },
  };
}

/**
 * The recipients file as rendered for production, pointed at the sinks: every webhook (customers' and
 * on-call's) goes to the webhook sink under its customer's path, which learns the secret to verify with;
 * the smarthost is the mail sink. Addresses, languages, severities and secrets stay as rendered.
 */
export function recipientsForSinks(rendered: NotifierRecipients, sinks: Pick<NotificationSinks, "mail" | "hooks">): NotifierRecipients {
  const point = (name: string, r: NotifierRecipients["onCall"]) => {
    if (!r.webhook) return { ...r, email: [...r.email] };
    sinks.hooks.setSecret(name, r.webhook.secret);
    return { ...r, email: [...r.email], webhook: { url: sinks.hooks.url(name), secret: r.webhook.secret } };
  };
  return {
    customers: Object.fromEntries(Object.entries(rendered.customers).map(([name, r]) => [name, point(name, r)])),
    onCall: point(ON_CALL_CUSTOMER, rendered.onCall),
    smtp: { ...rendered.smtp, host: sinks.mail.host, port: sinks.mail.port },
  };
}
