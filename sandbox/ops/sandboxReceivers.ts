/**
 * What a sandbox's notifier sends to instead of the customers' real webhooks and the real smarthost: the
 * notifier's sinks (sandbox/ops/notificationSinks.ts) on an address of the sandbox's own, recording in memory
 * (tests, the benchmark) and in `<sandbox>/receivers/{webhooks,mail}.jsonl` (operators).
 */
import * as path from "path";
import type { MailSink } from "./mailSink";
import { MAIL_RECORD_FILE, recipientsForSinks, startNotificationSinks, WEBHOOK_RECORD_FILE } from "./notificationSinks";
import type { SandboxReceivers } from "./operationsTranslation";
import type { WebhookSink } from "./webhookSink";

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
  const sinks = await startNotificationSinks(dir, { host: address });
  return {
    webhooks: sinks.hooks,
    mail: sinks.mail,
    recordFiles: { webhooks: path.join(dir, WEBHOOK_RECORD_FILE), mail: path.join(dir, MAIL_RECORD_FILE) },
    pointRecipients: (rendered) => recipientsForSinks(rendered, sinks),
    close: () => sinks.close(),
  };
}
