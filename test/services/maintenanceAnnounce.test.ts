/**
 * lchost maintenance announce against the real status portal (on the services suite's MariaDB) and the real
 * Alertmanager: the portal's withdraw endpoint, the silence that does not swallow the announcement posted
 * in the same minute, and a rollback that leaves nothing behind in either.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../cli/exitCodes";
import { StatusPortalAdminClient, StatusPortalRefused } from "../../render/statusPortal/adminApi";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";
import { runLchost } from "../support/cliRun";
import { ADMIN_TOKEN, PortalHarness, startPortal } from "../support/portalHarness";

jest.setTimeout(180_000);

let p: PortalHarness;
let am: RunningAlertmanager;
let dir: string;
let conn: string[];
let file: string;

beforeAll(async () => {
  [p, am] = await Promise.all([startPortal(), startAlertmanager()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "announce-real-"));
  fs.writeFileSync(path.join(dir, "admin-token"), `${ADMIN_TOKEN}\n`, { mode: 0o600 });
  file = path.join(dir, "announcements.json");
  conn = ["--alertmanager", am.url, "--portal", p.url, "--token-file", path.join(dir, "admin-token"), "--maintenance-file", file];
});

afterAll(async () => {
  await am?.stop();
  await p?.stop();
});

const amGet = async (what: string) => (await fetch(`${am.url}/api/v2/${what}`, { signal: AbortSignal.timeout(10_000) })).json() as Promise<any[]>;

describe("the portal's admin API withdraws announced maintenance", () => {
  test("DELETE /v1/admin/maintenance/:id removes it; an unknown id is 404 naming id; without the admin token 401", async () => {
    const client = new StatusPortalAdminClient(p.url, ADMIN_TOKEN);
    const before = await p.count("portal_maintenance");
    const m = await client.postMaintenance({ customer: "globex", from: "2099-01-01T22:00:00Z", to: "2099-01-01T23:00:00Z", reason: "test", language: "en" });
    expect(m).toMatchObject({ customer: "globex", from: "2099-01-01T22:00:00.000Z" });
    expect(await p.count("portal_maintenance")).toBe(before + 1);
    const anonymous = await fetch(`${p.url}/v1/admin/maintenance/${m.id}`, { method: "DELETE" });
    expect(anonymous.status).toBe(401);
    await client.deleteMaintenance(m.id);
    expect(await p.count("portal_maintenance")).toBe(before);
    const again = await client.deleteMaintenance(m.id).catch((e) => e);
    expect(again).toBeInstanceOf(StatusPortalRefused);
    expect(again).toMatchObject({ status: 404, field: "id" });
    const malformed = await client.deleteMaintenance("../incidents").catch((e) => e);
    expect(malformed).toMatchObject({ status: 404 }); // the portal answers a malformed id in the path as not found
  });
});

describe("lchost maintenance announce with the real Alertmanager and portal", () => {
  test("starting now: the silence is active, yet the announcement alerts are not silenced; both tenants are on the portal", async () => {
    const from = new Date(Date.now() - 5_000); // a few seconds ago: within the minute of clock skew allowed
    const to = new Date(from.getTime() + 2 * 3_600_000);
    const r = await runLchost(
      "maintenance",
      "announce",
      "shared-dc1",
      "--from",
      from.toISOString(),
      "--to",
      to.toISOString(),
      "--reason",
      "kernel update",
      ...conn,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(EXIT.ok);
    const id = /silences: +(\S+) \(shared-dc1\)/.exec(r.out)![1];
    const silence = (await amGet("silences")).find((s) => s.id === id);
    expect(silence.status.state).toBe("active");
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "customer", value: "acme|initech", isRegex: true }),
        expect.objectContaining({ name: "alertname", value: "MaintenanceAnnounced", isEqual: false }),
      ]),
    );
    const alerts = (await amGet("alerts")).filter((a) => a.labels.alertname === "MaintenanceAnnounced");
    expect(alerts.map((a) => [a.labels.customer, a.status.state, a.status.silencedBy]).sort()).toEqual([
      ["acme", "active", []],
      ["initech", "active", []],
    ]);
    // an ordinary alert of the same customer is silenced by it (the silence does its job)
    await fetch(`${am.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ labels: { alertname: "LineDown", customer: "acme", severity: "critical", component: "line", part: "line-1" } }]),
    });
    const line = (await amGet("alerts")).find((a) => a.labels.alertname === "LineDown");
    expect(line.status).toMatchObject({ state: "suppressed", silencedBy: [id] });
    const rows = await p.db.query("SELECT customer, reason FROM portal_maintenance WHERE reason = 'kernel update' ORDER BY customer");
    expect(rows.map((x: any) => x.customer)).toEqual(["acme", "initech"]);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).announcements).toEqual([expect.objectContaining({ customers: ["acme", "initech"], stack: "shared-dc1" })]);
  });

  test("a customer the portal does not know: the silence is expired again, nothing recorded, no announcement alert", async () => {
    const textBefore = fs.readFileSync(file, "utf8");
    const alertsBefore = (await amGet("alerts")).length;
    const from = new Date(Date.now() + 6 * 86_400_000);
    const r = await runLchost(
      "maintenance",
      "announce",
      "wayne",
      "--from",
      from.toISOString(),
      "--to",
      new Date(from.getTime() + 3_600_000).toISOString(),
      "--reason",
      "not for wayne",
      ...conn,
    );
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(/nothing was announced: publish it on the status portal .*unknown customer "wayne"/);
    const silences = (await amGet("silences")).filter((s) => s.comment === "not for wayne");
    expect(silences.map((s) => s.status.state)).toEqual(["expired"]);
    expect(fs.readFileSync(file, "utf8")).toBe(textBefore);
    expect((await amGet("alerts")).length).toBe(alertsBefore);
  });
});
