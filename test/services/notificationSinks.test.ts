import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as nodemailer from "nodemailer";
import { parseNotifierRecipients } from "../../notifier/src/env";
import { signLchostPayload } from "../../notifier/src/webhookSignature";
import { MAIL_RECORD_FILE, recipientsForSinks, startNotificationSinks, WEBHOOK_RECORD_FILE } from "../../sandbox/ops/notificationSinks";

jest.setTimeout(60_000);

describe("the sandbox's notification sinks", () => {
  test("point a rendered recipients file at themselves and record what arrives in JSON lines under the sandbox directory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-sinks-"));
    const sinks = await startNotificationSinks(path.join(dir, "ops"));
    try {
      const rendered = parseNotifierRecipients({
        customers: { wayne: { email: ["ops@wayne.example"], webhook: { url: "https://hooks.wayne.example/lchost", secret: "wayne-secret-0123456789" } } },
        onCall: { email: ["oncall@lchost.example"] },
        smtp: { host: "smtp.lchost.example", port: 587, from: "alerts@lchost.example" },
      });
      const pointed = recipientsForSinks(rendered, sinks);
      expect(pointed.customers.wayne.webhook!.url).toBe(sinks.hooks.url("wayne"));
      expect(pointed.customers.wayne.webhook!.secret).toBe("wayne-secret-0123456789");
      expect(pointed.smtp).toEqual({ host: "127.0.0.1", port: sinks.mail.port, from: "alerts@lchost.example" });
      expect(parseNotifierRecipients(pointed)).toEqual(pointed); // still a valid file (http only to loopback)

      const body = JSON.stringify({ customer: "wayne" });
      const res = await fetch(pointed.customers.wayne.webhook!.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signLchostPayload("wayne-secret-0123456789", body) },
        body,
      });
      expect(res.status).toBe(204);
      const forged = await fetch(pointed.customers.wayne.webhook!.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signLchostPayload("not-wayne-secret-0123456789", body) },
        body,
      });
      expect(forged.status).toBe(401);

      const transport = nodemailer.createTransport({
        host: pointed.smtp.host,
        port: pointed.smtp.port,
        secure: false,
        connectionTimeout: 10_000,
        socketTimeout: 10_000,
      });
      await transport.sendMail({ from: pointed.smtp.from, to: "ops@wayne.example", subject: "test", text: "hello" });
      transport.close();

      const hooks = fs
        .readFileSync(path.join(dir, "ops", WEBHOOK_RECORD_FILE), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(hooks.map((h) => [h.customer, h.verified, h.answered])).toEqual([
        ["wayne", true, 204],
        ["wayne", false, 401],
      ]);
      const mails = fs
        .readFileSync(path.join(dir, "ops", MAIL_RECORD_FILE), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(mails).toEqual([expect.objectContaining({ rcptTo: ["ops@wayne.example"], subject: "test", text: "hello\n" })]);
    } finally {
      await sinks.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
