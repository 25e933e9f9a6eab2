/**
 * lchost sla report against a real Prometheus (issue 10's proof): synthetic 5 s blackbox probes with known
 * outages are backfilled (promtool tsdb create-blocks-from openmetrics), the SLA recording rule is evaluated
 * over them by promtool (create-blocks-from rules, against that Prometheus), and the report must give the
 * hand-computed minutes, availability and credit band (the same cases as test/unit/sla/slaMonth.test.ts).
 * Run under flock /tmp/lchost-realruns.lock like the other real-process tests.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backfillRules, createBlocks, moveBlocks, OpenMetricsWriter, probes, RunningPrometheus, startPrometheus } from "../../bench/slaFixtures";
import { EXIT } from "../../cli/exitCodes";
import { plainYaml } from "../../render/plainYaml";
import { slaRuleGroup } from "../../render/prometheus";
import * as http from "http";
import { AddressInfo } from "net";
import { runLchost } from "../support/cliRun";

// promtool backfills ~1 million probes and evaluates a month of minutes: a minute or two here, many on a loaded machine.
jest.setTimeout(1_200_000);
const STEP_TIMEOUT_MS = 600_000;

const t = (iso: string) => Date.parse(iso);
const span = (a: string, b: string): [number, number] => [t(a), t(b)];
const FROM = "2026-01-31T22:00:00Z";
const TO = "2026-03-01T02:00:00Z";

const entry = (customer: string, edition: string) => ({
  job: "blackbox-https",
  instance: `https://lc-${customer}-gw:8443/healthz`,
  customer,
  edition,
  component: "entry",
  part: "entry",
});

let dir: string;
let prometheus: RunningPrometheus | undefined;
let maintenanceFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-sla-report-"));
  const tsdb = path.join(dir, "tsdb");
  const om = path.join(dir, "probes.om");
  const w = new OpenMetricsWriter(om);
  w.series(
    "probe_success",
    entry("acme", "datacenter"),
    probes(
      t(FROM),
      t(TO),
      [
        span("2026-01-31T23:50:00Z", "2026-02-01T00:20:00Z"), // 10 min in January, 20 in February
        span("2026-02-10T10:00:00Z", "2026-02-10T10:43:00Z"), // 43
        span("2026-02-12T02:10:00Z", "2026-02-12T02:40:00Z"), // inside maintenance announced in time: excluded
        span("2026-02-20T03:00:00Z", "2026-02-20T03:15:00Z"), // inside maintenance announced too late: 15
        span("2026-02-22T12:00:00Z", "2026-02-22T12:00:30Z"), // 6 of 12 probes: 1
        span("2026-02-22T12:01:00Z", "2026-02-22T12:01:25Z"), // 5 of 12: up
        span("2026-02-25T00:00:30Z", "2026-02-25T00:43:30Z"), // off the grid: 44
        span("2026-02-27T06:00:00Z", "2026-02-27T10:00:00Z"), // 240
      ],
      [span("2026-02-15T00:00:00Z", "2026-02-15T01:00:00Z")], // no probes for an hour
    ),
  );
  w.series(
    "probe_success",
    entry("wayne", "high-availability"),
    probes(t(FROM), t(TO), [span("2026-02-03T08:00:00Z", "2026-02-03T08:40:00Z"), span("2026-02-14T13:00:00Z", "2026-02-14T13:05:00Z")]),
  );
  w.close();
  await createBlocks(om, tsdb, STEP_TIMEOUT_MS);
  fs.rmSync(om);

  // The recording rule, evaluated by promtool over the probes, 17 s into each minute (as a group offset would).
  const rules = path.join(dir, "sla-rules.yml");
  fs.writeFileSync(rules, plainYaml({ groups: [slaRuleGroup()] }));
  const first = await startPrometheus(tsdb, 120_000);
  const recorded = path.join(dir, "recorded");
  try {
    await backfillRules(rules, first.url, t("2026-01-31T22:00:17Z"), t("2026-03-01T02:05:00Z"), recorded, STEP_TIMEOUT_MS);
  } finally {
    await first.stop();
  }
  expect(moveBlocks(recorded, tsdb)).toBeGreaterThan(0);
  prometheus = await startPrometheus(tsdb, 120_000);

  maintenanceFile = path.join(dir, "announcements.json");
  fs.writeFileSync(
    maintenanceFile,
    JSON.stringify({
      announcements: [
        { customers: ["acme"], from: "2026-02-12T02:00:00Z", to: "2026-02-12T03:00:00Z", announcedAt: "2026-02-01T09:00:00Z", reason: "database upgrade" },
        { customers: ["acme"], from: "2026-02-20T03:00:00Z", to: "2026-02-20T04:00:00Z", announcedAt: "2026-02-18T09:00:00Z", reason: "urgent patch" },
      ],
    }),
  );
});

afterAll(async () => {
  await prometheus?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const report = (...argv: string[]) => runLchost("sla", "report", "--prometheus", prometheus!.url, "--maintenance", maintenanceFile, ...argv);

test("February: the hand-computed minutes, availability and credit band of every customer", async () => {
  const r = await report("--month", "2026-02", "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(EXIT.ok);
  const rows = Object.fromEntries((JSON.parse(r.out).rows as Array<Record<string, unknown>>).map((row) => [row.customer, row]));
  expect(rows.acme).toMatchObject({
    edition: "datacenter",
    minutesInMonth: 40320,
    minutesDown: 20 + 43 + 15 + 1 + 44 + 240,
    minutesMaintenance: 60,
    minutesLateMaintenance: 60,
    minutesNoData: 60,
    minutesMeasured: 40200,
    guaranteePercent: 99.5,
    met: false,
    credit: { band: "99–99.5 %", creditPercent: 10 },
  });
  expect(rows.acme.availabilityPercent).toBeCloseTo((100 * (40200 - 363)) / 40200, 9);
  expect(rows.wayne).toMatchObject({
    minutesDown: 45,
    minutesMaintenance: 0,
    minutesNoData: 0,
    guaranteePercent: 99.9,
    met: false,
    credit: { band: "99.5–99.9 %", creditPercent: 10 },
  });
  expect(rows.wayne.availabilityPercent).toBeCloseTo((100 * (40320 - 45)) / 40320, 9);
  // no probe of these in February: unknown, never 100 %
  for (const c of ["hooli", "globex", "initech"]) expect(rows[c]).toMatchObject({ availabilityPercent: null, met: null, credit: null, minutesNoData: 40320 });
});

test("the table prints one line per customer with its figures", async () => {
  const r = await report("--month", "2026-02");
  expect(r.code).toBe(EXIT.ok);
  expect(r.out).toMatch(/^SLA 2026-02 \(whole month, UTC\); announced maintenance: 2 announcement\(s\)/);
  expect(r.out).toMatch(/^acme +datacenter +363 +60 +60 +99\.097 % +99\.5 % +no +99–99\.5 % +10 %$/m);
  expect(r.out).toMatch(/^wayne +high-availability +45 +0 +0 +99\.888 % +99\.9 % +no +99\.5–99\.9 % +10 %$/m);
  expect(r.out).toMatch(/^hooli +high-performance +0 +0 +40320 +unknown +99\.5 % +unknown +- +-$/m);
});

test("January (31 days): the outage's 10 January minutes of the 120 with data; CSV for one stack", async () => {
  const r = await report("--month", "2026-01", "--stack", "acme", "--csv");
  expect(r.code).toBe(EXIT.ok);
  const [head, row, ...rest] = r.out.split("\n");
  expect(rest).toEqual([]);
  expect(head).toBe(
    "month,customer,stack,edition,minutes_in_month,minutes_evaluated,minutes_down,minutes_maintenance,minutes_late_maintenance,minutes_no_data,minutes_measured,availability_percent,guarantee_percent,met,credit_band,credit_percent",
  );
  expect(row).toBe("2026-01,acme,acme,datacenter,44640,44640,10,0,0,44520,120,91.6666,99.5,no,< 95 %,50");
});

test("March: the first two hours, clean; a shared server's stack reports its tenants", async () => {
  const r = await report("--month", "2026-03", "--stack", "shared-dc1", "--json");
  expect(r.code).toBe(EXIT.ok);
  const rows = JSON.parse(r.out).rows as Array<Record<string, unknown>>;
  expect(rows.map((x) => x.customer).sort()).toEqual(["acme", "initech"]);
  expect(rows.find((x) => x.customer === "acme")).toMatchObject({ minutesDown: 0, minutesMeasured: 120, availabilityPercent: 100, met: true });
  expect(rows.find((x) => x.customer === "initech")).toMatchObject({ availabilityPercent: null });
});

describe("--publish: the month's figures on the status portal (a recording stand-in; the portal's own side: test/services/statusPortal.test.ts)", () => {
  let server: http.Server;
  let portalUrl: string;
  let tokenFile: string;
  const puts: Array<{ method: string; url: string; auth: string | undefined; body: Record<string, unknown> }> = [];
  let refuse = new Set<string>();
  beforeAll(async () => {
    tokenFile = path.join(dir, "portal-admin-token");
    fs.writeFileSync(tokenFile, "t".repeat(40) + "\n", { mode: 0o600 });
    server = http.createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        puts.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: JSON.parse(text || "null") });
        const customer = decodeURIComponent(req.url!.split("/")[4] ?? "");
        if (refuse.has(customer)) res.writeHead(503, { "content-type": "application/json" }).end('{"error":"unavailable","message":"try later"}');
        else res.writeHead(200, { "content-type": "application/json" }).end('{"saved":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    portalUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    puts.length = 0;
    refuse = new Set();
  });

  test("every customer's row is put as the report computed it; stdout stays the JSON report", async () => {
    const r = await report("--month", "2026-02", "--json", "--publish", "--portal", portalUrl, "--token-file", tokenFile);
    expect(r.code).toBe(EXIT.ok);
    const rows = JSON.parse(r.out).rows as Array<Record<string, any>>;
    expect(puts.map((p) => `${p.method} ${p.url}`).sort()).toEqual(rows.map((x) => `PUT /v1/admin/availability/${x.customer}/2026-02`).sort());
    for (const p of puts) expect(p.auth).toBe(`Bearer ${"t".repeat(40)}`);
    const acme = rows.find((x) => x.customer === "acme")!;
    expect(puts.find((p) => p.url.endsWith("/acme/2026-02"))!.body).toEqual({
      availabilityPercent: acme.availabilityPercent,
      minutesDown: 363,
      minutesMaintenance: 60,
      met: false,
      creditPercent: 10,
    });
    expect(puts.find((p) => p.url.endsWith("/hooli/2026-02"))!.body).toEqual({
      availabilityPercent: null,
      minutesDown: 0,
      minutesMaintenance: 0,
      met: null,
      creditPercent: null,
    });
  });

  test("a portal that refuses some: the others are published, the exit says which were not (publishing again is safe)", async () => {
    refuse = new Set(["wayne"]);
    const r = await report("--month", "2026-02", "--publish", "--portal", portalUrl, "--token-file", tokenFile);
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(/--publish: the portal took 4 of 5 customer\(s\); not wayne \(publishing again is safe\)/);
    expect(puts).toHaveLength(5);
  });
});
