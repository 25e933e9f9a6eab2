/**
 * lchost maintenance announce against a recording Alertmanager and a recording status portal on loopback
 * (the real ones: test/services/maintenanceAnnounce.test.ts): what it refuses before anything is changed,
 * the order of its calls, and the undo of what was done when a later step fails.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { EXIT } from "../../../cli/exitCodes";
import { runLchost } from "../../support/cliRun";

jest.setTimeout(60_000);

interface Call {
  server: "alertmanager" | "portal";
  method: string;
  path: string;
  body: any;
  authorization?: string;
}

/** A loopback HTTP server answering from `answer` and recording every call into `calls`. */
async function recordingServer(
  server: Call["server"],
  calls: Call[],
  answer: (c: Call) => { status: number; body?: unknown },
): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const call: Call = { server, method: req.method!, path: req.url!, body: raw ? JSON.parse(raw) : undefined, authorization: req.headers.authorization };
      calls.push(call);
      const a = answer(call);
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(a.body === undefined ? "" : JSON.stringify(a.body));
    });
  });
  s.requestTimeout = 10_000;
  s.headersTimeout = 10_000;
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise((r) => s.close(() => r())) };
}

const TOKEN = "admin-token-0123456789abcdef";
const DAY = 86_400_000;
const iso = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

let dir: string;
let calls: Call[];
let failPortalAt: number | undefined;
let failAlerts: boolean;
let am: { url: string; close: () => Promise<void> };
let portal: { url: string; close: () => Promise<void> };
let file: string;
let conn: string[];
/** wayne's maintenance from six to seven days ahead, through the recording servers. */
const announceWayneNextWeek = () =>
  runLchost("maintenance", "announce", "wayne", "--from", iso(Date.now() + 6 * DAY), "--to", iso(Date.now() + 7 * DAY), "--reason", "x", ...conn);
const PREVIOUS = `{ "announcements": [ { "customers": ["globex"], "from": "2026-02-12T02:00:00Z", "to": "2026-02-12T03:00:00Z",
  "announcedAt": "2026-02-01T09:00:00Z", "reason": "kept as written", "extra": 1 } ] }\n`;

beforeAll(async () => {
  am = await recordingServer("alertmanager", (calls = []), (c) => {
    if (c.method === "POST" && c.path === "/api/v2/silences")
      return { status: 200, body: { silenceID: `sil-${calls.filter((x) => x.path === c.path).length}` } };
    if (c.method === "POST" && c.path === "/api/v2/alerts") return failAlerts ? { status: 500, body: "boom" } : { status: 200 };
    if (c.method === "DELETE") return { status: 200 };
    return { status: 404 };
  });
  portal = await recordingServer("portal", calls, (c) => {
    if (c.method === "POST" && c.path === "/v1/admin/maintenance") {
      // the n-th entry of this test (from 0)
      const n = calls.filter((x) => x.server === "portal" && x.method === "POST").length - 1;
      if (n === failPortalAt) return { status: 503, body: { error: "db", message: "database unavailable" } };
      return { status: 201, body: { id: `00000000-0000-0000-0000-00000000000${n}`, customer: c.body.customer, from: c.body.from, to: c.body.to } };
    }
    if (c.method === "DELETE") return { status: 200, body: { deleted: true } };
    return { status: 404, body: { message: "no route" } };
  });
});

afterAll(async () => {
  await am?.close();
  await portal?.close();
});

beforeEach(() => {
  calls.length = 0;
  failPortalAt = undefined;
  failAlerts = false;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "announce-"));
  file = path.join(dir, "announcements.json");
  fs.writeFileSync(file, PREVIOUS);
  fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`, { mode: 0o600 });
  conn = ["--alertmanager", am.url, "--portal", portal.url, "--token-file", path.join(dir, "token"), "--maintenance-file", file];
});

const summary = (c: Call) => `${c.server} ${c.method} ${c.path}`;

describe("refused before anything is changed (exit 2, naming the flag)", () => {
  const soon = () => [iso(Date.now() + 10 * DAY), iso(Date.now() + 10 * DAY + 3_600_000)];
  const cases: Array<[string, () => string[], RegExp]> = [
    ["--to before --from", () => ["wayne", "--from", soon()[1], "--to", soon()[0], "--reason", "x"], /^lchost maintenance: --to: .* must be after --from /],
    ["--to equal to --from", () => ["wayne", "--from", soon()[0], "--to", soon()[0], "--reason", "x"], /^lchost maintenance: --to: /],
    [
      "--from in the past",
      () => ["wayne", "--from", iso(Date.now() - 3_600_000), "--to", iso(Date.now() + 3_600_000), "--reason", "x"],
      /^lchost maintenance: --from: .* is in the past/,
    ],
    [
      "--from not a time",
      () => ["wayne", "--from", "tonight", "--to", soon()[1], "--reason", "x"],
      /^lchost maintenance: --from: 'tonight' is not an ISO 8601 time/,
    ],
    ["an unknown stack", () => ["umbrella", "--from", soon()[0], "--to", soon()[1], "--reason", "x"], /^lchost maintenance: <stack>: unknown stack 'umbrella'/],
    [
      "the operations stack",
      () => ["ops-dc1", "--from", soon()[0], "--to", soon()[1], "--reason", "x"],
      /^lchost maintenance: <stack>: 'ops-dc1' is not a customer or shared-server stack/,
    ],
    [
      "a bad language",
      () => ["wayne", "--from", soon()[0], "--to", soon()[1], "--reason", "x", "--language", "fr"],
      /^lchost maintenance: --language: 'fr' is not one of de, en/,
    ],
    ["an empty reason", () => ["wayne", "--from", soon()[0], "--to", soon()[1], "--reason", "  "], /^lchost maintenance: --reason: must say why/],
    [
      "a stack and --all",
      () => ["wayne", "--all", "--from", soon()[0], "--to", soon()[1], "--reason", "x"],
      /^lchost maintenance: <stack> and --all exclude each other/,
    ],
    ["neither a stack nor --all", () => ["--from", soon()[0], "--to", soon()[1], "--reason", "x"], /^lchost maintenance: <stack> or --all is required/],
  ];
  test.each(cases)("%s", async (_what, argv, message) => {
    const r = await runLchost("maintenance", "announce", ...argv(), ...conn);
    expect(r).toMatchObject({ code: EXIT.usage, out: "" });
    expect(r.err).toMatch(message);
    expect(calls).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe(PREVIOUS);
  });

  test("an unreadable maintenance file (a directory)", async () => {
    const r = await runLchost("maintenance", "announce", "wayne", "--from", soon()[0], "--to", soon()[1], "--reason", "x", ...conn, "--maintenance-file", dir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^lchost maintenance: --maintenance-file: .* cannot be read \(EISDIR\)/);
    expect(calls).toEqual([]);
  });

  test("a maintenance file that is not the record's format names the file and the entry", async () => {
    fs.writeFileSync(file, '{"announcements": [{"customers": []}]}');
    const r = await runLchost("maintenance", "announce", "wayne", "--from", soon()[0], "--to", soon()[1], "--reason", "x", ...conn);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^lchost maintenance: --maintenance-file: .*announcements\.json: announcements\[0\]\.customers: must be a non-empty list/);
    expect(calls).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe('{"announcements": [{"customers": []}]}');
  });

  test("without a portal token file nothing is called either", async () => {
    const r = await runLchost(
      "maintenance",
      "announce",
      "wayne",
      "--from",
      soon()[0],
      "--to",
      soon()[1],
      "--reason",
      "x",
      ...conn,
      "--token-file",
      path.join(dir, "none"),
    );
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^lchost maintenance: --token-file: .*none cannot be read/);
    expect(calls).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe(PREVIOUS);
  });
});

describe("announced", () => {
  test("silence, then portal, then the record, then the notice: each with what the customer and the SLA need", async () => {
    const from = iso(Date.now() + 7 * DAY);
    const to = iso(Date.now() + 7 * DAY + 2 * 3_600_000);
    const r = await runLchost("maintenance", "announce", "wayne", "--from", from, "--to", to, "--reason", "Datenbank-Upgrade", "--language", "de", ...conn);
    expect(r.err).toBe("");
    expect(r.code).toBe(EXIT.ok);
    expect(calls.map(summary)).toEqual(["alertmanager POST /api/v2/silences", "portal POST /v1/admin/maintenance", "alertmanager POST /api/v2/alerts"]);
    const [silence, published, alerts] = calls;
    expect(silence.body).toMatchObject({
      startsAt: new Date(from).toISOString(),
      endsAt: new Date(to).toISOString(),
      createdBy: "lchost",
      comment: "Datenbank-Upgrade",
      matchers: [
        { name: "customer", value: "wayne", isRegex: false, isEqual: true },
        { name: "alertname", value: "MaintenanceAnnounced", isRegex: false, isEqual: false },
      ],
    });
    expect(published.authorization).toBe(`Bearer ${TOKEN}`);
    expect(published.body).toEqual({
      customer: "wayne",
      from: from.replace(".000Z", "Z"),
      to: to.replace(".000Z", "Z"),
      reason: "Datenbank-Upgrade",
      language: "de",
    });
    expect(alerts.body).toHaveLength(1);
    const a = alerts.body[0];
    expect(a.labels).toMatchObject({
      alertname: "MaintenanceAnnounced",
      customer: "wayne",
      edition: "high-availability",
      severity: "info",
      component: "maintenance",
    });
    expect(a.annotations).toMatchObject({ reason: "Datenbank-Upgrade", reason_language: "de", sla: "excluded" });
    // it starts now (the silence starts at --from) and ends by itself minutes later
    expect(Date.parse(a.startsAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(a.endsAt) - Date.parse(a.startsAt)).toBe(15 * 60_000);
    // the record: the old entry as it was, the new one appended
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(doc.announcements[0]).toEqual(JSON.parse(PREVIOUS).announcements[0]);
    expect(doc.announcements[1]).toMatchObject({ customers: ["wayne"], stack: "wayne", from: from.replace(".000Z", "Z"), reason: "Datenbank-Upgrade" });
    expect(fs.readdirSync(dir).sort()).toEqual(["announcements.json", "token"]); // no temporary file left
    expect(r.out).toContain("  silences:  sil-1 (wayne)");
    expect(r.out).toContain("  portal:    00000000-0000-0000-0000-000000000000 (wayne)");
    expect(r.out).toContain(`  recorded:  ${file}`);
    expect(r.out).toContain("  notified:  wayne (email, webhook)");
    expect(r.out).toMatch(/SLA: +announced 6\.9 day\(s\) ahead \(at least 5 days\): its minutes are excluded/);
  });

  test("a shared server: one silence for its tenants, each tenant on the portal and told; announced late it says it counts as downtime", async () => {
    const from = iso(Date.now() + 2 * 3_600_000);
    const to = iso(Date.now() + 3 * 3_600_000);
    const r = await runLchost("maintenance", "announce", "shared-dc1", "--from", from, "--to", to, "--reason", "kernel update", ...conn);
    expect(r.code).toBe(EXIT.ok);
    expect(calls.map(summary)).toEqual([
      "alertmanager POST /api/v2/silences",
      "portal POST /v1/admin/maintenance",
      "portal POST /v1/admin/maintenance",
      "alertmanager POST /api/v2/alerts",
    ]);
    expect(calls[0].body.matchers[0]).toEqual({ name: "customer", value: "acme|initech", isRegex: true, isEqual: true });
    expect(calls.filter((c) => c.server === "portal").map((c) => c.body.customer)).toEqual(["acme", "initech"]);
    expect(calls[3].body.map((a: any) => [a.labels.customer, a.labels.edition, a.annotations.sla])).toEqual([
      ["acme", "datacenter", "counted"],
      ["initech", "datacenter", "counted"],
    ]);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).announcements[1]).toMatchObject({ customers: ["acme", "initech"], stack: "shared-dc1" });
    expect(r.out).toMatch(/^note: announced less than 5 days ahead/);
    expect(r.out).toMatch(/SLA: +announced only 2 hour\(s\) ahead, less than the 5 days the SLA requires: its minutes COUNT AS DOWNTIME/);
    expect(r.out).toContain("acme (no notification channels: portal only, on-call hears of it)");
  });

  test("--all: each customer once (tenants through their own stacks), with a new record file", async () => {
    fs.rmSync(file);
    const from = iso(Date.now() + 6 * DAY);
    const r = await runLchost("maintenance", "announce", "--all", "--from", from, "--to", iso(Date.now() + 6 * DAY + 3_600_000), "--reason", "x", ...conn);
    expect(r.code).toBe(EXIT.ok);
    const told = calls.filter((c) => c.server === "portal").map((c) => c.body.customer);
    expect(told).toEqual([...new Set(told)]);
    expect(told).toEqual(expect.arrayContaining(["acme", "initech", "wayne", "globex", "hooli", "acme-k8s"]));
    expect(calls.find((c) => c.path === "/api/v2/alerts")!.body).toHaveLength(told.length);
    expect(
      JSON.parse(fs.readFileSync(file, "utf8"))
        .announcements.flatMap((a: any) => a.customers)
        .sort(),
    ).toEqual([...told].sort());
  });
});

describe("a failure undoes what was done, newest first (exit 3)", () => {
  test("the portal failing for the second tenant: the first tenant's entry withdrawn, the silence expired, no record, no notice", async () => {
    failPortalAt = 1;
    const r = await runLchost(
      "maintenance",
      "announce",
      "shared-dc1",
      "--from",
      iso(Date.now() + 6 * DAY),
      "--to",
      iso(Date.now() + 7 * DAY),
      "--reason",
      "x",
      ...conn,
    );
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(
      /^lchost maintenance: nothing was announced: publish it on the status portal .* failed \(POST http:\/\/127\.0\.0\.1:\d+\/v1\/admin\/maintenance: HTTP 503\); everything done before it was undone/,
    );
    expect(calls.map(summary)).toEqual([
      "alertmanager POST /api/v2/silences",
      "portal POST /v1/admin/maintenance",
      "portal POST /v1/admin/maintenance",
      "portal DELETE /v1/admin/maintenance/00000000-0000-0000-0000-000000000000",
      "alertmanager DELETE /api/v2/silence/sil-1",
    ]);
    expect(fs.readFileSync(file, "utf8")).toBe(PREVIOUS);
  });

  test("Alertmanager refusing the notice: the record's old text back, the portal entry withdrawn, the silence expired", async () => {
    failAlerts = true;
    const r = await announceWayneNextWeek();
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(/nothing was announced: notify the customers .* failed \(POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/alerts: HTTP 500/);
    expect(calls.map(summary)).toEqual([
      "alertmanager POST /api/v2/silences",
      "portal POST /v1/admin/maintenance",
      "alertmanager POST /api/v2/alerts",
      "portal DELETE /v1/admin/maintenance/00000000-0000-0000-0000-000000000000",
      "alertmanager DELETE /api/v2/silence/sil-1",
    ]);
    expect(fs.readFileSync(file, "utf8")).toBe(PREVIOUS);
    expect(r.out).toMatch(/restore the previous .*announcements\.json/);
  });

  test("a record file that did not exist is removed again", async () => {
    fs.rmSync(file);
    failAlerts = true;
    const r = await announceWayneNextWeek();
    expect(r.code).toBe(EXIT.failure);
    expect(fs.existsSync(file)).toBe(false);
  });
});
