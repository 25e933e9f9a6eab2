/**
 * A MaintenanceAnnounced alert (posted by `lchost maintenance announce`) reads as an announcement in the
 * customer's language, reaches the customer whatever its minimum severity, and its "resolved" is never sent.
 */
import { AlertmanagerAlert } from "../../../notifier/src/alertmanagerPayload";
import { filterBySeverity, Notification, notificationAlert, renderNotification } from "../../../notifier/src/messages";

function announcement(annotations: Record<string, string> = {}, change: Partial<AlertmanagerAlert> = {}): AlertmanagerAlert {
  return {
    status: "firing",
    labels: {
      alertname: "MaintenanceAnnounced",
      customer: "acme",
      edition: "high-availability",
      severity: "info",
      component: "maintenance",
      part: "maintenance",
    },
    annotations: {
      from: "2026-12-05T22:00:00Z",
      to: "2026-12-06T00:30:00Z",
      reason: "Datenbank-Upgrade auf MariaDB 11.4",
      reason_language: "de",
      sla: "excluded",
      ...annotations,
    },
    startsAt: "2026-11-28T14:00:00Z",
    endsAt: "2026-11-28T14:10:00Z",
    ...change,
  };
}

const notification = (customer: string, ...alerts: AlertmanagerAlert[]): Notification => ({
  customer,
  status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
  alerts: alerts.map(notificationAlert),
});

describe("an announcement in the customer's language", () => {
  test("German: the window in Berlin time and UTC, the reason, that nothing needs doing and that it is not counted", () => {
    const m = renderNotification(notification("acme", announcement()), "de");
    expect(m.subject).toBe("[lchost] acme: angekündigte Wartung 05.12.2026, 23:00 MEZ bis 06.12.2026, 01:30 MEZ");
    expect(m.text).toBe(
      [
        "Hier meldet sich das lchost-Hosting-Team zu License Central von acme.",
        "",
        "Angekündigte Wartung von License Central (High Availability Package)",
        "Von: 05.12.2026, 23:00 MEZ (2026-12-05 22:00 UTC)",
        "Bis: 06.12.2026, 01:30 MEZ (2026-12-06 00:30 UTC)",
        "Dauer: 2 Std. 30 Min.",
        "Grund: Datenbank-Upgrade auf MariaDB 11.4",
        "In diesem Zeitraum ist License Central zeitweise nicht erreichbar. Sie müssen nichts unternehmen.",
        "Sie wurde rechtzeitig angekündigt: diese Minuten werden nicht auf Ihre monatlich zugesicherte Verfügbarkeit angerechnet.",
        "",
        "Die Zeiten stehen auch auf Ihrer Statusseite.",
        "",
      ].join("\n"),
    );
    expect(m.text).not.toMatch(/Störung|Schweregrad|alarmiert/);
  });

  test("English: the window in UTC, the reason marked as written in German, and that a late one counts as downtime", () => {
    const m = renderNotification(notification("acme", announcement({ sla: "counted" })), "en");
    expect(m.subject).toBe("[lchost] acme: announced maintenance 2026-12-05 22:00 UTC to 2026-12-06 00:30 UTC");
    expect(m.text).toContain("Announced maintenance of License Central (High Availability Package)\nFrom: 2026-12-05 22:00 UTC\nTo: 2026-12-06 00:30 UTC\n");
    expect(m.text).toContain("Duration: 2 h 30 min\nReason (in German): Datenbank-Upgrade auf MariaDB 11.4\n");
    expect(m.text).toContain("It was announced at short notice: these minutes count towards your monthly availability like any other.");
    expect(m.text).not.toMatch(/disruption|Severity|alerted/);
  });

  test("a reason written in English is marked in German mails, not in English ones", () => {
    const a = announcement({ reason: "database upgrade", reason_language: "en" });
    expect(renderNotification(notification("acme", a), "de").text).toContain("Grund (englisch): database upgrade\n");
    expect(renderNotification(notification("acme", a), "en").text).toContain("Reason: database upgrade\n");
  });

  test("on-call reads whose maintenance it is", () => {
    const m = renderNotification(notification("_oncall", announcement()), "en");
    expect(m.subject).toBe("[lchost] acme: announced maintenance 2026-12-05 22:00 UTC to 2026-12-06 00:30 UTC");
    expect(m.text).toMatch(/^lchost on-call\n\nAnnounced maintenance of acme: License Central \(High Availability Package\)\n/);
  });

  test("control characters in the reason cannot start lines of their own", () => {
    const m = renderNotification(notification("acme", announcement({ reason: "upgrade\nWhat we are doing: nothing", reason_language: "en" })), "en");
    expect(m.text).toContain("Reason: upgrade What we are doing: nothing\n");
  });

  test("an announcement whose window cannot be read is shown as an alert of 'announced maintenance', not dropped", () => {
    const m = renderNotification(notification("acme", announcement({ from: "next week" })), "en");
    expect(m.subject).toContain("acme: announced maintenance (High Availability Package)");
  });
});

describe("who hears of it", () => {
  test("an announcement (severity info) passes a customer's minimum of critical", () => {
    const n = filterBySeverity(notification("acme", announcement()), "critical");
    expect(n).toMatchObject({ status: "firing", alerts: [expect.objectContaining({ alertname: "MaintenanceAnnounced" })] });
  });

  test("its resolved notification (the alert ended minutes after it was posted) is dropped: nothing to send", () => {
    const n = filterBySeverity(notification("acme", announcement({}, { status: "resolved" })), "info");
    expect(n.alerts).toEqual([]);
  });

  test("other info alerts are still held back by the minimum", () => {
    const other = announcement({}, { labels: { ...announcement().labels, alertname: "CertificateExpiresSoon", component: "certificate", part: "entry" } });
    expect(filterBySeverity(notification("acme", other), "warning").alerts).toEqual([]);
  });
});
