/**
 * What a sandbox's notifier sends to instead of the customers' real webhooks and the real smarthost: the
 * notifier's webhook sink (`POST /hooks/<customer>`, signatures checked as docs/notifications.md tells
 * customers to) and its SMTP sink, both in the sandbox's own process on an address of their own, both
 * recording what they get in memory (tests, the benchmark) and in `<sandbox>/receivers/*.jsonl` (operators).
 */
import * as fs from "fs";
import * as path from "path";
import { MailSink } from "./mailSink";
import type { SandboxReceivers } from "./operationsTranslation";
import { WebhookSink } from "./webhookSink";

export type { RecordedMail } from "./mailSink";
export type { RecordedWebhook } from "./webhookSink";

export interface SandboxReceiverHandle extends SandboxReceivers {
  webhooks: WebhookSink;
  mail: MailSink;
  /** Where the records are appended (JSON lines). */
  recordFiles: { webhooks: string; mail: string };
  close(): Promise<void>;
}

export async function startSandboxReceivers(address: string, dir: string): Promise<SandboxReceiverHandle> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const recordFiles = { webhooks: path.join(dir, "webhooks.jsonl"), mail: path.join(dir, "mail.jsonl") };
  const webhooks = await WebhookSink.start({ host: address, port: 0, secrets: {}, recordFile: recordFiles.webhooks });
  let mail: MailSink;
  try {
    mail = await MailSink.start({ host: address, port: 0, recordFile: recordFiles.mail });
  } catch (e) {
    await webhooks.close();
    throw e;
  }
  return {
    webhooks,
    mail,
    recordFiles,
    webhookUrl: (customer) => webhooks.url(customer),
    smtp: { host: mail.host, port: mail.port },
    close: async () => {
      await webhooks.close();
      await mail.close();
    },
  };
}
