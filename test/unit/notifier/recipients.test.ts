import {
  notifierAlertmanagerUrl,
  ON_CALL_CUSTOMER,
  parseNotifierRecipients,
  parseNotifierRecipientsJson,
  recipientFor,
  RecipientsError,
} from "../../../notifier/src/env";

const SECRET = "acme-webhook-secret-0123456789";

function happy(): any {
  return {
    customers: {
      acme: { language: "en", severity: "critical", email: ["ops@acme.example"], webhook: { url: "https://hooks.acme.example/lchost", secret: SECRET } },
      globex: { email: ["it@globex.example"] },
    },
    onCall: { email: ["oncall@lchost.example"] },
    smtp: { host: "smtp.lchost.example", port: 587, from: "alerts@lchost.example" },
  };
}

function errorOf(f: () => unknown): RecipientsError {
  try {
    f();
  } catch (err) {
    if (err instanceof RecipientsError) return err;
    throw err;
  }
  throw new Error("expected a RecipientsError");
}

describe("the notifier's recipients file", () => {
  test("a valid file parses, with customer defaults de/warning and on-call defaults en/info", () => {
    const r = parseNotifierRecipients(happy());
    expect(r.customers.acme).toEqual(happy().customers.acme);
    expect(r.customers.globex).toEqual({ language: "de", severity: "warning", email: ["it@globex.example"] });
    expect(r.onCall).toEqual({ language: "en", severity: "info", email: ["oncall@lchost.example"] });
    expect(r.smtp).toEqual({ host: "smtp.lchost.example", port: 587, from: "alerts@lchost.example" });
  });

  test("recipientFor maps _oncall to onCall and never finds inherited names", () => {
    const r = parseNotifierRecipients(happy());
    expect(recipientFor(r, ON_CALL_CUSTOMER)).toBe(r.onCall);
    expect(recipientFor(r, "acme")).toBe(r.customers.acme);
    expect(recipientFor(r, "toString")).toBeUndefined();
    expect(recipientFor(r, "initech")).toBeUndefined();
  });

  test.each([
    ["a bad address", (f: any) => (f.customers.acme.email = ["not-an-address"]), "customers.acme.email[0]"],
    ["a plain-http webhook to a public host", (f: any) => (f.customers.acme.webhook.url = "http://hooks.acme.example/x"), "customers.acme.webhook.url"],
    ["an unknown language", (f: any) => (f.customers.acme.language = "fr"), "customers.acme.language"],
    ["an unknown severity", (f: any) => (f.customers.globex.severity = "page"), "customers.globex.severity"],
    ["a short webhook secret", (f: any) => (f.customers.acme.webhook.secret = "short"), "customers.acme.webhook.secret"],
    ["a missing webhook secret", (f: any) => delete f.customers.acme.webhook.secret, "customers.acme.webhook.secret"],
    ["an unknown key", (f: any) => (f.customers.acme.phone = "123"), "customers.acme.phone"],
    ["a customer named _oncall", (f: any) => (f.customers._oncall = { email: [] }), "customers._oncall"],
    ["no onCall", (f: any) => delete f.onCall, "onCall"],
    ["no smtp", (f: any) => delete f.smtp, "smtp"],
    ["an SMTP port out of range", (f: any) => (f.smtp.port = 70000), "smtp.port"],
    ["a username without a password", (f: any) => (f.smtp.username = "alerts"), "smtp.password"],
  ])("%s is refused naming the field", (_what, change, field) => {
    const f = happy();
    change(f);
    const err = errorOf(() => parseNotifierRecipients(f));
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });

  test("http:// is accepted to loopback addresses only (sandbox, tests)", () => {
    const f = happy();
    f.customers.acme.webhook.url = "http://127.0.0.5:18080/hook";
    expect(parseNotifierRecipients(f).customers.acme.webhook?.url).toBe("http://127.0.0.5:18080/hook");
  });

  test("no error message repeats a secret, not even for malformed JSON around it", () => {
    const f = happy();
    f.customers.acme.webhook.url = "ftp://x";
    expect(errorOf(() => parseNotifierRecipients(f)).message).not.toContain(SECRET);
    const broken = JSON.stringify(happy()).replace(`"${SECRET}"`, `"${SECRET}" oops`);
    const err = errorOf(() => parseNotifierRecipientsJson(broken));
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).not.toContain(SECRET);
  });

  test("Alertmanager's URL for a customer and channel", () => {
    expect(notifierAlertmanagerUrl("lc-ops-dc1-notifier", "acme", "email")).toBe("http://lc-ops-dc1-notifier:9095/v1/alertmanager/acme/email");
  });
});
