/**
 * Email to a smarthost that offers STARTTLS and requires AUTH (the sandbox's mail sink with a certificate
 * openssl makes here): the notifier upgrades, authenticates, and never logs the password; a smarthost
 * whose certificate it does not trust gets no mail (502).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { amAlert, amPayload, NotifierHarness, startNotifier } from "../support/notifierHarness";

jest.setTimeout(90_000);

const SMTP_USER = { username: "alerts", password: "smtp-password-0123456789" };

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-smtp-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      { stdio: "ignore", timeout: 30_000 },
    );
    return { key: fs.readFileSync(`${dir}/key.pem`, "utf8"), cert: fs.readFileSync(`${dir}/cert.pem`, "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("notifier mail over STARTTLS with AUTH", () => {
  const tls = selfSignedCertificate();
  let trusted: NotifierHarness;
  let untrusted: NotifierHarness;
  beforeAll(async () => {
    trusted = await startNotifier({ mail: { tls, user: SMTP_USER }, smtpUser: SMTP_USER, ca: tls.cert });
    untrusted = await startNotifier({ mail: { tls, user: SMTP_USER }, smtpUser: SMTP_USER, config: { smtpTimeoutMs: 5000 } });
  });
  afterAll(async () => {
    await trusted?.stop();
    await untrusted?.stop();
  });

  test("the mail goes over the upgraded connection as the configured user", async () => {
    const res = await trusted.post("acme", "email", amPayload([amAlert({})]));
    expect(res.status).toBe(200);
    const [mail] = trusted.mail.records.all();
    expect(mail).toMatchObject({ secure: true, user: "alerts", rcptTo: ["ops@acme.example"] });
    expect(trusted.mail.authAttempts).toBe(1);
    expect(trusted.logs()).not.toContain(SMTP_USER.password);
  });

  test("a smarthost with a certificate the notifier does not trust gets nothing: 502, and the password was never sent", async () => {
    const res = await untrusted.post("acme", "email", amPayload([amAlert({})]));
    expect(res.status).toBe(502);
    expect(res.body.error).toBe("delivery_failed");
    expect(untrusted.mail.records.all()).toEqual([]);
    expect(untrusted.mail.authAttempts).toBe(0);
    expect(untrusted.logs()).not.toContain(SMTP_USER.password);
    expect(JSON.stringify(res.body)).not.toContain(SMTP_USER.password);
  });
});
