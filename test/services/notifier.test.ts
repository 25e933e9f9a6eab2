import * as fs from "fs";
import { amAlert, amPayload, NOTIFIER_TOKEN, NotifierHarness, SECRETS, startNotifier } from "../support/notifierHarness";

jest.setTimeout(90_000);

describe("notifier: Alertmanager in, webhook and mail out", () => {
  let n: NotifierHarness;
  beforeAll(async () => {
    n = await startNotifier({ config: { webhookTimeoutMs: 1500, smtpTimeoutMs: 5000 } });
  });
  afterAll(async () => {
    await n?.stop();
  });
  beforeEach(() => {
    n.hooks.records.clear();
    n.mail.records.clear();
    n.hooks.setBehaviour("acme", "verify");
    n.mail.setRefusing(false);
  });

  test("a firing alert reaches the customer's webhook signed, with customer, component, part, severity and the English text", async () => {
    const res = await n.post("acme", "webhook", amPayload([amAlert({})]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ delivered: true });
    const [got] = n.hooks.records.all();
    expect(got).toMatchObject({ customer: "acme", verified: true, answered: 204, deliveryId: res.body.deliveryId });
    expect(got.body).toMatchObject({
      customer: "acme",
      status: "firing",
      language: "en",
      alerts: [
        {
          status: "firing",
          component: "line",
          part: "line-2",
          severity: "critical",
          edition: "high-availability",
          since: "2026-11-28T07:41:00.123Z",
          until: null,
        },
      ],
    });
    expect(got.body.text).toContain("Affected: License Central line 2 (High Availability Package)");
    expect(got.body.text).toContain("Since: 2026-11-28 07:41 UTC");
  });

  test("the same notification by email: one mail to the customer's addresses, subject and text in its language", async () => {
    const res = await n.post("globex", "email", amPayload([amAlert({ customer: "globex", edition: "high-performance", component: "fsb", part: "fsb-1" })]));
    expect(res.status).toBe(200);
    const mails = n.mail.records.all();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ mailFrom: "alerts@lchost.example", rcptTo: ["it@globex.example", "hotline@globex.example"], contentLanguage: "de" });
    expect(mails[0].subject).toBe("[lchost] globex: FSB-Signaturbox 1 (High Performance): Störung (kritisch)");
    expect(mails[0].text).toContain("Seit: 28.11.2026, 08:41 MEZ (2026-11-28 07:41 UTC)");
    expect(mails[0].text).toContain("Unser Betriebsteam ist alarmiert");
  });

  test("a resolved notification says when it was resolved and how long it lasted", async () => {
    const resolved = amAlert({}, { status: "resolved", endsAt: "2026-11-28T07:49:10Z" });
    expect((await n.post("acme", "email", amPayload([resolved]))).status).toBe(200);
    expect((await n.post("acme", "webhook", amPayload([resolved]))).status).toBe(200);
    const [mail] = n.mail.records.all();
    expect(mail.subject).toBe("[lchost] acme: License Central line 2 (High Availability Package): resolved");
    expect(mail.text).toContain("Resolved: 2026-11-28 07:49 UTC");
    expect(mail.text).toContain("Duration: 8 min");
    const [hook] = n.hooks.records.all();
    expect(hook.body).toMatchObject({ status: "resolved", alerts: [{ status: "resolved", until: "2026-11-28T07:49:10Z" }] });
  });

  test("per-customer isolation: an alert of acme posted to globex's endpoint is refused naming the label, and nothing reaches globex", async () => {
    for (const channel of ["webhook", "email"]) {
      const res = await n.post("globex", channel, amPayload([amAlert({ customer: "globex", severity: "critical" }), amAlert({ customer: "acme" })]));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "foreign_alert", field: "alerts[1].labels.customer" });
    }
    // and acme's own endpoints deliver only to acme's receivers
    await n.post("acme", "webhook", amPayload([amAlert({})]));
    await n.post("acme", "email", amPayload([amAlert({})]));
    expect(n.hooks.records.all().map((r) => r.customer)).toEqual(["acme"]);
    expect(n.mail.records.all().map((m) => m.rcptTo)).toEqual([["ops@acme.example"]]);
  });

  test("alerts below the customer's minimum severity are dropped: nothing is sent, Alertmanager gets 200", async () => {
    // globex notifies only critical ones
    const res = await n.post("globex", "webhook", amPayload([amAlert({ customer: "globex", severity: "warning" })]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ delivered: false });
    const mixed = await n.post(
      "globex",
      "email",
      amPayload([amAlert({ customer: "globex", severity: "warning", part: "line-1" }), amAlert({ customer: "globex", part: "line-2" })]),
    );
    expect(mixed.status).toBe(200);
    expect(n.hooks.records.all()).toEqual([]);
    const [mail] = n.mail.records.all();
    expect(mail.text).toContain("Lizenzserver-Linie 2");
    expect(mail.text).not.toContain("Lizenzserver-Linie 1");
  });

  test("the on-call receiver gets every customer's alerts, each named", async () => {
    const res = await n.post(
      "_oncall",
      "email",
      amPayload([amAlert({}), amAlert({ customer: "globex", severity: "info", component: "quota", part: "activations", edition: "datacenter" })]),
    );
    expect(res.status).toBe(200);
    const [mail] = n.mail.records.all();
    expect(mail.rcptTo).toEqual(["oncall@lchost.example"]);
    expect(mail.text).toContain("Affected: globex: monthly activation quota (Datacenter)");
  });

  test("a webhook answering 500 gives Alertmanager 502 (it retries that channel only); email still delivers", async () => {
    n.hooks.setBehaviour("acme", "fail");
    const res = await n.post("acme", "webhook", amPayload([amAlert({})]));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: "delivery_failed" });
    expect(res.body.message).toContain("answered 500");
    expect((await n.post("acme", "email", amPayload([amAlert({})]))).status).toBe(200);
    expect(n.mail.records.all()).toHaveLength(1);
  });

  test("a webhook that never answers times out into 502 within the configured timeout", async () => {
    n.hooks.setBehaviour("acme", "hang");
    const started = Date.now();
    const res = await n.post("acme", "webhook", amPayload([amAlert({})]));
    expect(res.status).toBe(502);
    expect(res.body.message).toContain("did not answer within 1500 ms");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("a smarthost refusing the message gives 502, and the next try delivers", async () => {
    n.mail.setRefusing(true);
    const refused = await n.post("acme", "email", amPayload([amAlert({})]));
    expect(refused.status).toBe(502);
    expect(refused.body.message).toContain("451");
    n.mail.setRefusing(false);
    expect((await n.post("acme", "email", amPayload([amAlert({})]))).status).toBe(200);
  });

  test.each([
    ["no token", null, 401, "authorization"],
    ["a wrong token", "not-the-token-0123456789", 401, "authorization"],
  ])("%s is refused with 401 before the body is looked at", async (_what, token, status, field) => {
    const res = await n.post("acme", "webhook", "{not json", token);
    expect(res.status).toBe(status);
    expect(res.body.field).toBe(field);
  });

  test.each([
    ["an unknown customer", "hooli", "webhook", 404, "customer"],
    ["an unknown channel", "acme", "sms", 404, "channel"],
    ["a channel the customer did not configure", "initech", "webhook", 404, "channel"],
  ])("%s is 404 naming the field", async (_what, customer, channel, status, field) => {
    const res = await n.post(customer, channel, amPayload([amAlert({ customer })]));
    expect(res.status).toBe(status);
    expect(res.body.field).toBe(field);
  });

  test.each([
    ["a payload version other than 4", (p: any) => (p.version = "3"), "version"],
    ["no alerts", (p: any) => delete p.alerts, "alerts"],
    ["an unknown severity", (p: any) => (p.alerts[0].labels.severity = "page"), "alerts[0].labels.severity"],
    ["an alert without a component label", (p: any) => delete p.alerts[0].labels.component, "alerts[0].labels.component"],
    ["a startsAt that is not a time", (p: any) => (p.alerts[0].startsAt = "yesterday"), "alerts[0].startsAt"],
  ])("%s is 400 naming the field", async (_what, change, field) => {
    const p = amPayload([amAlert({})]);
    change(p);
    const res = await n.post("acme", "webhook", p);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message).toContain(field);
  });

  test("a body over the limit is 413", async () => {
    const p = amPayload([amAlert({}, { annotations: { summary: "x".repeat(4000) } })]);
    p.alerts = Array(400).fill(p.alerts[0]);
    const res = await n.post("acme", "webhook", p);
    expect(res.status).toBe(413);
  });

  test("a changed recipients file is picked up without a restart; an invalid one is refused and the last good one kept", async () => {
    const original = fs.readFileSync(n.recipientsFile, "utf8");
    try {
      const r = JSON.parse(original);
      r.customers.acme.language = "de";
      fs.writeFileSync(n.recipientsFile, JSON.stringify(r));
      await n.post("acme", "email", amPayload([amAlert({})]));
      expect(n.mail.records.all()[0].subject).toContain("Lizenzserver-Linie 2");
      r.customers.acme.webhook.url = "http://hooks.acme.example/plain";
      fs.writeFileSync(n.recipientsFile, JSON.stringify(r) + " ");
      await n.post("acme", "email", amPayload([amAlert({})]));
      expect(n.mail.records.all()[1].subject).toContain("Lizenzserver-Linie 2");
      expect(n.logs()).toContain("customers.acme.webhook.url");
    } finally {
      fs.writeFileSync(n.recipientsFile, original);
    }
  });

  test("/metrics counts deliveries by channel and outcome; /healthz answers", async () => {
    await n.post("acme", "webhook", amPayload([amAlert({})]));
    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    expect(metrics).toMatch(/notifier_deliveries_total\{channel="webhook",outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/notifier_deliveries_total\{channel="webhook",outcome="timeout"\} [1-9]/);
    expect(metrics).toMatch(/notifier_deliveries_total\{channel="email",outcome="rejected"\} [1-9]/);
    expect(metrics).toMatch(/notifier_deliveries_total\{channel="webhook",outcome="filtered"\} [1-9]/);
    expect(metrics).toMatch(/notifier_requests_refused_total\{status="401"\} [1-9]/);
    expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
  });

  test("the listener has timeouts: headers, whole request, keep-alive, idle socket", () => {
    const server = n.app.server;
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(5_000);
    expect(server.timeout).toBeGreaterThan(0);
  });

  test("no secret reaches the logs: webhook secrets, the bearer token (the logs did record deliveries and refusals)", () => {
    const logs = n.logs();
    expect(logs).toContain('"msg":"delivered"');
    expect(logs).toContain("delivery failed");
    for (const secret of [SECRETS.acme, SECRETS.globex, NOTIFIER_TOKEN, "not-the-token-0123456789"]) expect(logs).not.toContain(secret);
  });

  test("the sinks wrote what they got as JSON lines under their directory", () => {
    const lines = fs.readFileSync(`${n.dir}/webhooks.jsonl`, "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    expect(JSON.parse(lines[0])).toHaveProperty("verified");
    expect(fs.readFileSync(`${n.dir}/mail.jsonl`, "utf8")).toContain("ops@acme.example");
  });
});
