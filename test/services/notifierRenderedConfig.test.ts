/**
 * The seam between the renderers (render/alertmanager/config.ts, render/notifier/recipients.ts) and the
 * notifier: what the operations stack would upload, with only host names and the https webhooks pointed at
 * the local sinks (as the sandbox does), run with the real Alertmanager at the catalog's intervals. The
 * notifier accepts the rendered recipients file as is, and each customer hears only of its own alerts from
 * its minimum severity on; on-call hears of all.
 */
import * as path from "path";
import { editionCatalog } from "../../model/catalog";
import { operationsNames, MONITORING_PORTS } from "../../model/naming";
import { parseNotifierRecipients } from "../../notifier/src/env";
import { AlertmanagerClient } from "../../render/alertmanager/api";
import { renderAlertmanagerConfig } from "../../render/alertmanager/config";
import { announcementAlerts } from "../../render/alertmanager/maintenanceAnnouncement";
import { recipientsForSinks } from "../../sandbox/ops/notificationSinks";
import { notifierRecipients } from "../../render/notifier/recipients";
import { notifiedFleet, operationsExample } from "../checks/monitoring/support";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";
import { NotifierHarness, startNotifier } from "../support/notifierHarness";

jest.setTimeout(240_000);

const secretOf = (who: string, key: string) => `${who}-${key}-secret-0123456789`;
const secrets = { customerSecret: (stack: string, key: string) => secretOf(stack, key), operationsSecret: (key: string) => secretOf("ops", key) };

describe("the rendered alertmanager.yml and recipients file with the real Alertmanager and the notifier", () => {
  const fleet = notifiedFleet();
  const ops = operationsExample();
  let n: NotifierHarness;
  let am: RunningAlertmanager | undefined;
  let amUrl: string;

  test("the rendered recipients file passes the notifier's parser unchanged", () => {
    const rendered = notifierRecipients(fleet, ops.operations, secrets);
    expect(parseNotifierRecipients(JSON.parse(JSON.stringify(rendered)))).toEqual(rendered);
  });

  describe("running", () => {
    beforeAll(async () => {
      n = await startNotifier({
        recipients: (r, sinks) => {
          // what the sandbox rewrites: every webhook to the local receiver, the smarthost to the local sink
          const pointed = recipientsForSinks(parseNotifierRecipients(notifierRecipients(fleet, ops.operations, secrets)), sinks);
          for (const k of Object.keys(r)) delete r[k];
          Object.assign(r, pointed);
        },
      });
      const tokenFile = path.join(n.dir, "token");
      const notifierHost = `http://${operationsNames("ops-dc1").notifier}:${MONITORING_PORTS.notifier}`;
      const yml = renderAlertmanagerConfig({
        fleet,
        operationsStack: "ops-dc1",
        onCall: ops.operations.onCall,
        intervals: editionCatalog().monitoring.intervals,
        tokenFile,
      });
      expect(yml).toContain(notifierHost);
      am = await startAlertmanager(yml.split(notifierHost).join(n.url));
      amUrl = am.url;
    });

    afterAll(async () => {
      await am?.stop();
      await n?.stop();
    });

    async function arrives<T>(wait: Promise<T>): Promise<T> {
      try {
        return await wait;
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- alertmanager log ---\n${am!.logs().slice(-3000)}\n--- notifier log ---\n${n.logs().slice(-3000)}`);
      }
    }

    const alert = (customer: string, edition: string, severity: string, component: string, part: string) => ({
      labels: { alertname: `${component}-${part}-down`, customer, edition, severity, component, part },
      annotations: { summary: `${component} ${part} of ${customer}` },
      startsAt: new Date().toISOString(),
    });

    test("each customer hears of its own alerts from its minimum severity on, by each channel it configured; on-call of all", async () => {
      const res = await fetch(`${amUrl}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([
          alert("wayne", "high-availability", "critical", "database", "db-3"),
          alert("wayne", "high-availability", "warning", "fsb", "fsb-1"), // below wayne's minimum (critical)
          alert("hooli", "high-performance", "warning", "line", "line-1"),
        ]),
      });
      expect(res.status).toBe(200);
      const wayneHook = await arrives(n.hooks.records.waitFor((r) => r.customer === "wayne", 60_000, "wayne's webhook"));
      expect(wayneHook.verified).toBe(true);
      expect(wayneHook.body.alerts).toEqual([expect.objectContaining({ component: "database", part: "db-3", severity: "critical" })]);
      const wayneMail = await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("ops@wayne.example"), 60_000, "wayne's mail"));
      expect(wayneMail.subject).toContain("Datenbankknoten 3 (High Availability Package)");
      const hooliMail = await arrives(n.mail.records.waitFor((m) => m.rcptTo.includes("it@hooli.example"), 60_000, "hooli's mail"));
      expect(hooliMail.subject).toContain("License Central line 1 (High Performance)");
      // on-call: all three alerts, by mail and webhook (one notification per group: customer, alertname, part)
      await arrives(
        n.hooks.records.waitFor(
          (r) => r.customer === "_oncall" && r.body.alerts.some((a: any) => a.part === "fsb-1"),
          60_000,
          "on-call's webhook for wayne's fsb-1",
        ),
      );
      await arrives(
        n.mail.records.waitFor((m) => m.rcptTo.includes("oncall@lchost.example") && m.text.includes("hooli"), 60_000, "on-call's mail about hooli"),
      );
      // give a stray notification time to arrive (one group interval), then: nothing crossed over
      await new Promise((r) => setTimeout(r, editionCatalog().monitoring.intervals.groupIntervalSeconds * 1000));
      const customersHooked = n.hooks.records.all().map((r) => r.customer);
      expect(customersHooked.filter((c) => c !== "_oncall")).toEqual(["wayne"]);
      expect(
        n.hooks.records
          .all()
          .filter((r) => r.customer === "wayne")
          .flatMap((r) => r.body.alerts.map((a: any) => a.part)),
      ).toEqual(["db-3"]);
      const customerMail = n.mail.records.all().filter((m) => !m.rcptTo.includes("oncall@lchost.example"));
      expect(customerMail.map((m) => m.rcptTo).sort()).toEqual([["it@hooli.example"], ["ops@wayne.example"]]);
      expect(n.hooks.records.all().every((r) => r.verified)).toBe(true);
    });

    test("a maintenance announcement reaches wayne (minimum critical) by mail and webhook as an announcement, once: its resolved is not sent", async () => {
      const now = new Date();
      const from = new Date(now.getTime() + 7 * 86_400_000);
      const [announcement] = announcementAlerts({
        customers: [{ customer: "wayne", edition: "high-availability" }],
        from,
        to: new Date(from.getTime() + 2 * 3_600_000),
        reason: "database upgrade",
        reasonLanguage: "en",
        inTime: true,
        now,
      });
      // it ends within seconds here (15 min in production) so the test sees what Alertmanager does with its resolved
      const endsInMs = 8_000;
      await new AlertmanagerClient(amUrl).postAlerts([{ ...announcement, endsAt: new Date(Date.now() + endsInMs) }]);
      const isAnnouncement = (m: { rcptTo: string[]; subject: string }) => m.rcptTo.includes("ops@wayne.example") && m.subject.includes("angekündigte Wartung");
      const mail = await arrives(n.mail.records.waitFor(isAnnouncement, 60_000, "wayne's announcement mail"));
      expect(mail.subject).toMatch(/^\[lchost\] wayne: angekündigte Wartung \d\d\.\d\d\.\d{4}, \d\d:\d\d MEZ bis /);
      expect(mail.text).toContain("Grund (englisch): database upgrade");
      expect(mail.text).toContain("rechtzeitig angekündigt");
      const hook = await arrives(
        n.hooks.records.waitFor(
          (r) => r.customer === "wayne" && r.body.alerts.some((a: any) => a.alertname === "MaintenanceAnnounced"),
          60_000,
          "wayne's webhook",
        ),
      );
      expect(hook.verified).toBe(true);
      expect(hook.body.status).toBe("firing");
      expect(hook.body.alerts[0].maintenance).toEqual({
        from: announcement.annotations.from,
        to: announcement.annotations.to,
        reason: "database upgrade",
        reasonLanguage: "en",
        sla: "excluded",
      });
      // after it ended Alertmanager posts the resolved (next group interval); the notifier drops it
      const intervals = editionCatalog().monitoring.intervals;
      await new Promise((r) => setTimeout(r, endsInMs + intervals.groupIntervalSeconds * 1000 + 5_000));
      expect(n.logs()).toMatch(/"customer":"wayne".*or an ended announcement\): not delivered/);
      expect(n.mail.records.all().filter(isAnnouncement)).toHaveLength(1);
      expect(
        n.hooks.records.all().filter((r) => r.customer === "wayne" && r.body.alerts.some((a: any) => a.alertname === "MaintenanceAnnounced")),
      ).toHaveLength(1);
    });
  });
});
