import { Notification, NotificationAlert, notificationAlert, renderNotification } from "../../../notifier/src/messages";
import { docBlock, README } from "../../support/notificationsDoc";

const line2: NotificationAlert = {
  status: "firing",
  alertname: "LicenseCentralLineDown",
  customer: "acme",
  edition: "high-availability",
  severity: "critical",
  component: "line",
  part: "line-2",
  since: "2026-11-28T07:41:00Z",
  until: null,
  summary: "License Central line 2 of acme does not answer its health check",
};
const examples: Record<string, Notification> = {
  firing: { customer: "acme", status: "firing", alerts: [line2] },
  resolved: { customer: "acme", status: "resolved", alerts: [{ ...line2, status: "resolved", until: "2026-11-28T07:53:30Z" }] },
};

describe("docs/notifications.md", () => {
  test.each([
    ["firing", "de"],
    ["firing", "en"],
    ["resolved", "de"],
    ["resolved", "en"],
  ] as const)("the %s example in %s is what the notifier renders", (kind, language) => {
    const m = renderNotification(examples[kind], language);
    expect(docBlock(`example ${kind} ${language}`)).toBe(`Subject: ${m.subject}\n\n${m.text}`);
  });
});

describe("docs/notifications.md: announced maintenance", () => {
  const announcement: Notification = {
    customer: "acme",
    status: "firing",
    alerts: [
      notificationAlert({
        status: "firing",
        labels: {
          alertname: "MaintenanceAnnounced",
          customer: "acme",
          edition: "high-availability",
          severity: "info",
          component: "maintenance",
          part: "maintenance",
        },
        annotations: { from: "2026-12-05T22:00:00Z", to: "2026-12-06T00:30:00Z", reason: "database upgrade", reason_language: "en", sla: "excluded" },
        startsAt: "2026-11-28T14:00:00Z",
        endsAt: "2026-11-28T14:15:00Z",
      }),
    ],
  };
  test.each(["de", "en"] as const)("the announcement example in %s is what the notifier renders", (language) => {
    const m = renderNotification(announcement, language);
    expect(docBlock(`example announcement ${language}`)).toBe(`Subject: ${m.subject}\n\n${m.text}`);
  });
});

describe("README.md", () => {
  test.each(["de", "en"] as const)("the firing example in %s is what the notifier renders", (language) => {
    const m = renderNotification(examples.firing, language);
    expect(docBlock(`example firing ${language}`, README)).toBe(`Subject: ${m.subject}\n\n${m.text}`);
  });
});
