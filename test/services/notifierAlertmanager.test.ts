/**
 * The real Alertmanager (Debian's prometheus-alertmanager) posting to the notifier: its webhook payload is
 * accepted by our schema, the bearer token comes from its credentials_file, a failing customer webhook
 * (502) is retried by Alertmanager until it succeeds, and resolved notifications follow.
 */
import * as path from "path";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";
import { NotifierHarness, startNotifier } from "../support/notifierHarness";

jest.setTimeout(240_000);

describe("the real Alertmanager posting to the notifier", () => {
  let n: NotifierHarness;
  let am: RunningAlertmanager | undefined;
  let amUrl: string;

  beforeAll(async () => {
    n = await startNotifier();
    const tokenFile = path.join(n.dir, "token");
    const hook = (customer: string, channel: string) =>
      `      - url: ${n.url}/v1/alertmanager/${customer}/${channel}\n        send_resolved: true\n        http_config: { authorization: { credentials_file: ${tokenFile} } }\n`;
    // the shape mon-render's alertmanager.yml has: on-call sees everything, each customer only its own alerts
    const config =
      `route:\n  receiver: oncall\n  group_by: [customer, alertname, part]\n  group_wait: 1s\n  group_interval: 2s\n  repeat_interval: 4h\n  routes:\n` +
      `    - { receiver: oncall, continue: true }\n` +
      `    - { receiver: customer-acme, matchers: ['customer="acme"'] }\n` +
      `    - { receiver: customer-globex, matchers: ['customer="globex"'] }\n` +
      `receivers:\n  - name: oncall\n    webhook_configs:\n${hook("_oncall", "email")}` +
      `  - name: customer-acme\n    webhook_configs:\n${hook("acme", "webhook")}${hook("acme", "email")}` +
      `  - name: customer-globex\n    webhook_configs:\n${hook("globex", "webhook")}${hook("globex", "email")}`;
    am = await startAlertmanager(config);
    amUrl = am.url;
  });

  afterAll(async () => {
    await am?.stop();
    await n?.stop();
  });

  /** Waits like records.waitFor, and on a timeout says what Alertmanager and the notifier logged (a loaded machine is slow, not silent). */
  async function arrives<T>(wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- alertmanager log (tail) ---\n${am!.logs().slice(-3000)}\n--- notifier log (tail) ---\n${n.logs().slice(-3000)}`,
      );
    }
  }

  async function postAlerts(alerts: unknown[]): Promise<void> {
    const res = await fetch(`${amUrl}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
    expect(res.status).toBe(200);
  }

  const lineDown = (customer: string, edition: string, extra: Record<string, string> = {}) => ({
    labels: { alertname: "LicenseCentralLineDown", customer, edition, severity: "critical", component: "line", part: "line-1", ...extra },
    annotations: { summary: `License Central line 1 of ${customer} does not answer` },
    generatorURL: "http://prometheus.invalid/graph",
  });

  test("a firing alert for acme reaches acme's webhook and mailbox and on-call, never globex; then resolved", async () => {
    const startsAt = new Date(Date.now() - 5_000).toISOString();
    await postAlerts([{ ...lineDown("acme", "high-availability"), startsAt }]);
    const hook = await arrives(n.hooks.records.waitFor((r) => r.customer === "acme" && r.body?.status === "firing", 60_000, "acme's firing webhook"));
    expect(hook).toMatchObject({ verified: true, answered: 204 });
    expect(hook.body.alerts[0]).toMatchObject({ component: "line", part: "line-1", severity: "critical" });
    // the same instant: Alertmanager writes RFC 3339 without trailing zeros (…42.3Z for …42.300Z)
    expect(Date.parse(hook.body.alerts[0].since)).toBe(Date.parse(startsAt));
    const mail = await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("ops@acme.example"), 60_000, "acme's mail"));
    expect(mail.subject).toBe("[lchost] acme: License Central line 1 (High Availability Package): disruption (critical)");
    await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("oncall@lchost.example"), 60_000, "on-call's mail"));

    await postAlerts([{ ...lineDown("acme", "high-availability"), startsAt, endsAt: new Date().toISOString() }]);
    const resolved = await arrives(n.hooks.records.waitFor((r) => r.customer === "acme" && r.body?.status === "resolved", 60_000, "acme's resolved webhook"));
    expect(resolved.verified).toBe(true);
    expect(resolved.body.alerts[0].until).not.toBeNull();
    await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("ops@acme.example") && m.subject.endsWith(": resolved"), 60_000, "acme's resolved mail"));

    expect(n.hooks.records.all().filter((r) => r.customer === "globex")).toEqual([]);
    expect(n.mail.records.all().filter((m) => m.rcptTo.some((a) => a.endsWith("@globex.example")))).toEqual([]);
  });

  test("while globex's webhook fails, Alertmanager retries it (the notifier answers 502) until it is delivered; email is not held up", async () => {
    n.hooks.setBehaviour("globex", "fail");
    await postAlerts([{ ...lineDown("globex", "high-performance", { part: "line-2" }), startsAt: new Date().toISOString() }]);
    await arrives(n.hooks.records.waitFor((r) => r.customer === "globex" && r.answered === 500, 60_000, "a failed call to globex"));
    const mail = await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("it@globex.example"), 60_000, "globex's mail"));
    expect(mail.subject).toContain("Lizenzserver-Linie 2 (High Performance)");
    n.hooks.setBehaviour("globex", "verify");
    const ok = await arrives(n.hooks.records.waitFor((r) => r.customer === "globex" && r.answered === 204, 60_000, "a retried, delivered call to globex"));
    expect(ok.verified).toBe(true);
    const attempts = n.hooks.records.all().filter((r) => r.customer === "globex");
    expect(new Set(attempts.map((r) => r.deliveryId)).size).toBe(attempts.length); // every retry is a new delivery
    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    expect(metrics).toMatch(/notifier_deliveries_total\{channel="webhook",outcome="rejected"\} [1-9]/);
  });
});
