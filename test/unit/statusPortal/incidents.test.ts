import { alertAction, pagePartOf } from "../../../status-portal/src/incidentsFromAlerts";
import { dailyHistory, IncidentSpan, overallState, partStates } from "../../../status-portal/src/partStatus";

const alert = (labels: Record<string, string>, change: Record<string, unknown> = {}) =>
  ({
    status: "firing",
    labels: { alertname: "LineDown", customer: "acme", edition: "high-availability", severity: "warning", component: "line", part: "line-2", ...labels },
    annotations: { summary: "line 2 is down" },
    startsAt: "2026-11-28T07:41:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    ...change,
  }) as any;

describe("what an alert does to the incidents", () => {
  test("a firing line alert opens (or updates) the incident of customer | alertname | part on the line's part", () => {
    expect(alertAction(alert({}))).toMatchObject({
      kind: "fire",
      key: "acme|LineDown|line-2",
      pagePart: "line-2",
      severity: "warning",
      endsAt: null,
      fleetKey: null,
    });
  });

  test("a resolved alert closes it at Alertmanager's endsAt", () => {
    const a = alertAction(alert({}, { status: "resolved", endsAt: "2026-11-28T07:49:10Z" }));
    expect(a).toMatchObject({ kind: "resolve", key: "acme|LineDown|line-2" });
    expect((a as any).endsAt.toISOString()).toBe("2026-11-28T07:49:10.000Z");
  });

  test("database nodes and the gateway map to the page's database and HTTPS entry", () => {
    expect(pagePartOf("database", "db-3")).toBe("database");
    expect(pagePartOf("gateway", "gateway")).toBe("entry");
    expect(pagePartOf("entry", "entry")).toBe("entry");
    expect(pagePartOf("fsb", "fsb-2")).toBe("fsb-2");
  });

  test("a shared server's part is fleet-wide: keyed by the shared server, not the tenant", () => {
    expect(alertAction(alert({ shared_server: "shared-dc1", component: "database", part: "db-1", alertname: "DatabaseDown" }))).toMatchObject({
      fleetKey: "fleet|shared-dc1|DatabaseDown|db-1",
    });
  });

  test.each([
    [{ component: "quota", part: "activations" }, "component quota"],
    [{ component: "certificate", part: "entry" }, "component certificate"],
    [{ component: "slo", part: "entry" }, "component slo"],
    [{ severity: "info" }, "severity info"],
    // lchost maintenance announce's notice: the portal shows the announcement from its admin API instead
    [{ alertname: "MaintenanceAnnounced", severity: "info", component: "maintenance", part: "maintenance" }, "component maintenance"],
  ])("%j opens no incident", (labels, reason) => {
    expect(alertAction(alert(labels))).toMatchObject({ kind: "ignore", reason: expect.stringContaining(reason) });
  });
});

describe("a customer's page from its incidents", () => {
  const span = (severity: "warning" | "critical", parts: string[], from: string, to: string | null): IncidentSpan => ({
    severity,
    parts,
    startedAt: new Date(from),
    resolvedAt: to ? new Date(to) : null,
  });

  test("an open critical incident disrupts its part, a warning impairs it; resolved ones change nothing", () => {
    const open = [
      span("critical", ["database"], "2026-11-28T07:00:00Z", null),
      span("warning", ["line-2"], "2026-11-28T07:00:00Z", null),
      span("critical", ["entry"], "2026-11-27T07:00:00Z", "2026-11-27T08:00:00Z"),
    ];
    expect(partStates(["entry", "line-1", "line-2", "database"], open)).toEqual([
      { part: "entry", state: "operational" },
      { part: "line-1", state: "operational" },
      { part: "line-2", state: "degraded" },
      { part: "database", state: "disrupted" },
    ]);
    expect(overallState(open)).toBe("disrupted");
    expect(overallState([])).toBe("operational");
  });

  test("a page part `fsb` (a shared FSB) is concerned by the alerts' fsb-1", () => {
    expect(partStates(["fsb"], [span("critical", ["fsb-1"], "2026-11-28T07:00:00Z", null)])).toEqual([{ part: "fsb", state: "disrupted" }]);
  });

  test("90 bars, one per calendar day of the customer's zone; an outage across Berlin's midnight counts on both days", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    // 22:30 to 00:45 Berlin time (21:30Z to 23:45Z on 26 Nov): 90 min on the 26th, 45 on the 27th
    const bars = dailyHistory({ incidents: [span("critical", ["entry"], "2026-11-26T21:30:00Z", "2026-11-26T23:45:00Z")], now, timeZone: "Europe/Berlin" });
    expect(bars).toHaveLength(90);
    expect(bars[89].date).toBe("2026-11-28");
    expect(bars.find((b) => b.date === "2026-11-26")).toEqual({ date: "2026-11-26", level: "disrupted", disruptedMinutes: 90, degradedMinutes: 0 });
    expect(bars.find((b) => b.date === "2026-11-27")).toEqual({ date: "2026-11-27", level: "disrupted", disruptedMinutes: 45, degradedMinutes: 0 });
    // the same outage in UTC is one day
    const utc = dailyHistory({ incidents: [span("critical", ["entry"], "2026-11-26T21:30:00Z", "2026-11-26T23:45:00Z")], now, timeZone: "UTC" });
    expect(utc.find((b) => b.date === "2026-11-26")!.disruptedMinutes).toBe(135);
    expect(utc.find((b) => b.date === "2026-11-27")!.level).toBe("ok");
  });

  test("overlapping incidents count once; an impairment during a disruption counts as disrupted only", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const bars = dailyHistory({
      incidents: [
        span("critical", ["line-1"], "2026-11-27T10:00:00Z", "2026-11-27T10:30:00Z"),
        span("critical", ["entry"], "2026-11-27T10:20:00Z", "2026-11-27T10:40:00Z"),
        span("warning", ["line-2"], "2026-11-27T10:35:00Z", "2026-11-27T11:00:00Z"),
      ],
      now,
      timeZone: "UTC",
    });
    expect(bars.find((b) => b.date === "2026-11-27")).toEqual({ date: "2026-11-27", level: "disrupted", disruptedMinutes: 40, degradedMinutes: 20 });
  });

  test("an open incident counts up to now; days before the customer was watched have no data", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const bars = dailyHistory({
      incidents: [span("warning", ["line-1"], "2026-11-28T11:00:00Z", null)],
      now,
      timeZone: "UTC",
      since: new Date("2026-11-20T08:00:00Z"),
    });
    expect(bars[89]).toEqual({ date: "2026-11-28", level: "degraded", disruptedMinutes: 0, degradedMinutes: 60 });
    expect(bars.find((b) => b.date === "2026-11-19")!.level).toBe("nodata");
    expect(bars.find((b) => b.date === "2026-11-20")!.level).toBe("ok");
  });
});
