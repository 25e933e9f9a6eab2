/**
 * The sandbox's (and the tests') SMTP smarthost: smtp-server on a loopback address, every message parsed
 * with mailparser and recorded (memory + JSON-lines file). Optional: STARTTLS with a given certificate,
 * AUTH with one user (then required), refusing messages (4xx, so the notifier must answer 502).
 */
import type { AddressInfo } from "net";
import { simpleParser } from "mailparser";
import { SMTPServer, SMTPServerAddress } from "smtp-server";
import { SinkRecords } from "./sinkRecordFile";

export interface RecordedMail {
  receivedAt: string;
  /** SMTP envelope */
  mailFrom: string | null;
  rcptTo: string[];
  /** Headers */
  from: string | null;
  to: string[];
  subject: string;
  text: string;
  contentLanguage: string | null;
  /** Whether the session was upgraded with STARTTLS; the user it authenticated as. */
  secure: boolean;
  user: string | null;
}

export interface MailSinkOptions {
  host?: string;
  port?: number;
  recordFile?: string;
  /** Offer STARTTLS with this key and certificate (PEM); without: STARTTLS is not offered. */
  tls?: { key: string; cert: string };
  /** Require AUTH PLAIN/LOGIN with this user. */
  user?: { username: string; password: string };
  sizeLimitBytes?: number;
}

export class MailSink {
  readonly records: SinkRecords<RecordedMail>;
  private refusing = false;
  /** AUTH attempts seen (successful or not). */
  authAttempts = 0;

  private constructor(
    private readonly server: SMTPServer,
    recordFile: string | undefined,
  ) {
    this.records = new SinkRecords(recordFile);
  }

  static async start(opts: MailSinkOptions = {}): Promise<MailSink> {
    const addresses = (a: SMTPServerAddress | false) => (a ? a.address : null);
    const server = new SMTPServer({
      ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : { disabledCommands: ["STARTTLS"] }),
      ...(opts.user
        ? {
            authMethods: ["PLAIN", "LOGIN"],
            allowInsecureAuth: !opts.tls,
            onAuth(auth, _session, cb) {
              sink.authAttempts++;
              if (auth.username === opts.user!.username && auth.password === opts.user!.password) cb(null, { user: auth.username });
              else cb(new Error("invalid username or password"));
            },
          }
        : { authOptional: true }),
      size: opts.sizeLimitBytes ?? 1024 * 1024,
      socketTimeout: 30_000,
      closeTimeout: 5_000,
      logger: false,
      onData(stream, session, cb) {
        if (sink.refusing) {
          stream.resume();
          stream.on("end", () => cb(Object.assign(new Error("mailbox temporarily unavailable (test)"), { responseCode: 451 })));
          return;
        }
        simpleParser(stream).then(
          (mail) => {
            const to = mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a.value.map((v) => v.address ?? "")) : [];
            sink.records.add({
              receivedAt: new Date().toISOString(),
              mailFrom: addresses(session.envelope.mailFrom),
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              from: mail.from?.value[0]?.address ?? null,
              to,
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              contentLanguage: (mail.headers.get("content-language") as string | undefined) ?? null,
              secure: session.secure,
              user: (session.user as string | undefined) ?? null,
            });
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
    const sink = new MailSink(server, opts.recordFile);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
    });
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.server.server.address() as AddressInfo).address;
  }

  /** While true, every message is refused with 451 (a temporary failure). */
  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
