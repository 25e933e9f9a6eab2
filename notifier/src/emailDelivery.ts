/**
 * One mail per Alertmanager notification, to the smarthost of the recipients file: STARTTLS whenever the
 * server offers it (nodemailer's default on a plain port), implicit TLS on 465, AUTH when credentials are
 * given; every SMTP step under a timeout. A failure is a DeliveryError (Alertmanager retries on 502).
 */
import * as nodemailer from "nodemailer";
import type { NotifierSmtp } from "./env";
import type { RenderedMessage } from "./messages";
import { DeliveryError } from "./webhookDelivery";

export interface EmailOptions {
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM) for STARTTLS / TLS. */
  ca?: string;
}

export async function sendNotificationMail(
  smtp: NotifierSmtp,
  to: string[],
  message: RenderedMessage,
  language: string,
  opts: EmailOptions,
): Promise<{ messageId: string }> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.port === 465,
    ...(smtp.username !== undefined ? { auth: { user: smtp.username, pass: smtp.password } } : {}),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    ...(opts.ca ? { tls: { ca: opts.ca } } : {}),
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to,
      subject: message.subject,
      text: message.text,
      headers: { "Content-Language": language, "Auto-Submitted": "auto-generated" },
    });
    return { messageId: info.messageId };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { responseCode?: number; command?: string };
    const timeout = e.code === "ETIMEDOUT" || /timeout/i.test(String(e.message));
    // the message names the smarthost and the SMTP step, never the credentials (nodemailer's own text can quote the server)
    const what = e.responseCode ? `answered ${e.responseCode}${e.command ? ` to ${e.command}` : ""}` : (e.code ?? "error");
    throw new DeliveryError("email", timeout ? "timeout" : e.responseCode ? "rejected" : "unreachable", `smtp ${smtp.host}:${smtp.port} ${what}`);
  } finally {
    transport.close();
  }
}
