import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { EDITION_TITLES, filterBySeverity, Notification, NotificationAlert, renderNotification } from "../../../notifier/src/messages";

function alert(change: Partial<NotificationAlert> = {}): NotificationAlert {
  return {
    status: "firing",
    alertname: "LicenseCentralLineDown",
    customer: "acme",
    edition: "high-availability",
    severity: "critical",
    component: "line",
    part: "line-2",
    since: "2026-11-28T07:41:00Z",
    until: null,
    summary: "License Central line 2 of acme does not answer",
    ...change,
  };
}

const firing = (a: NotificationAlert = alert()): Notification => ({ customer: "acme", status: "firing", alerts: [a] });
const resolved = (): Notification => ({ customer: "acme", status: "resolved", alerts: [alert({ status: "resolved", until: "2026-11-28T08:53:30Z" })] });

describe("customer messages", () => {
  test("a firing message in German names the part and edition, both times, the severity and what the team does", () => {
    const m = renderNotification(firing(), "de");
    expect(m.subject).toBe("[lchost] acme: Lizenzserver-Linie 2 (High Availability Package): Störung (kritisch)");
    expect(m.text).toContain("Betroffen: Lizenzserver-Linie 2 (High Availability Package)");
    expect(m.text).toContain("Seit: 28.11.2026, 08:41 MEZ (2026-11-28 07:41 UTC)");
    expect(m.text).toContain("Schweregrad: kritisch");
    expect(m.text).toContain("Unser Betriebsteam ist alarmiert");
    expect(m.text).toContain("Ihre übrigen Linien bedienen Anfragen weiterhin.");
  });

  test("a firing message in English shows UTC only", () => {
    const m = renderNotification(firing(), "en");
    expect(m.subject).toBe("[lchost] acme: License Central line 2 (High Availability Package): disruption (critical)");
    expect(m.text).toContain("Since: 2026-11-28 07:41 UTC\n");
    expect(m.text).toContain("our operations team has been alerted");
  });

  test("summer time is shown as MESZ", () => {
    expect(renderNotification(firing(alert({ since: "2026-07-01T10:00:00Z" })), "de").text).toContain("Seit: 01.07.2026, 12:00 MESZ (2026-07-01 10:00 UTC)");
  });

  test("a resolved message says when and how long", () => {
    const de = renderNotification(resolved(), "de");
    expect(de.subject).toBe("[lchost] acme: Lizenzserver-Linie 2 (High Availability Package): behoben");
    expect(de.text).toContain("Behoben: 28.11.2026, 09:53 MEZ (2026-11-28 08:53 UTC)");
    expect(de.text).toContain("Dauer: 1 Std. 12 Min.");
    const en = renderNotification(resolved(), "en");
    expect(en.text).toContain("Resolved: 2026-11-28 08:53 UTC");
    expect(en.text).toContain("Duration: 1 h 12 min");
    expect(en.text).not.toContain("working on it");
  });

  test.each([
    ["fsb", "fsb-1", "high-performance", "FSB signing box 1 (High Performance)", "FSB-Signaturbox 1 (High Performance)"],
    ["database", "db-3", "high-availability", "database node 3 (High Availability Package)", "Datenbankknoten 3 (High Availability Package)"],
    ["database", "db", "dedicated", "database (Dedicated Server)", "Datenbank (Dedicated Server)"],
    ["quota", "activations", "datacenter", "monthly activation quota (Datacenter)", "monatliches Aktivierungskontingent (Datacenter)"],
    ["entry", "entry", "dedicated", "public HTTPS entry (Dedicated Server)", "öffentlicher HTTPS-Zugang (Dedicated Server)"],
  ])("component %s part %s reads in plain words", (component, part, edition, en, de) => {
    const a = alert({ component, part, edition });
    expect(renderNotification(firing(a), "en").text).toContain(`Affected: ${en}`);
    expect(renderNotification(firing(a), "de").text).toContain(`Betroffen: ${de}`);
  });

  test("the on-call message names each alert's customer", () => {
    const n: Notification = {
      customer: "_oncall",
      status: "firing",
      alerts: [alert(), alert({ customer: "globex", edition: "dedicated", component: "fsb", part: "fsb-1", severity: "warning" })],
    };
    const m = renderNotification(n, "en");
    expect(m.subject).toBe("[lchost] acme: License Central line 2 (High Availability Package) and 1 more: disruption (critical)");
    expect(m.text).toContain("Affected: globex: FSB signing box 1 (Dedicated Server)");
  });

  test("alerts below the minimum severity are dropped; nothing left means nothing to send", () => {
    const n: Notification = { customer: "acme", status: "firing", alerts: [alert({ severity: "info" }), alert({ severity: "warning", part: "line-1" })] };
    expect(filterBySeverity(n, "warning").alerts.map((a) => a.part)).toEqual(["line-1"]);
    expect(filterBySeverity(n, "critical").alerts).toEqual([]);
    expect(filterBySeverity(n, "info").alerts).toHaveLength(2);
  });

  test("the edition titles are the catalog's", () => {
    const catalog = parse(fs.readFileSync(path.join(__dirname, "../../../model/catalog.yaml"), "utf8"));
    const titles = Object.fromEntries(Object.entries(catalog.editions).map(([k, v]: [string, any]) => [k, v.title]));
    expect(EDITION_TITLES).toEqual(titles);
  });
});
