import * as net from "net";
import { buildLcApps } from "../../license-central/src/app";
import { parseLcConfig } from "../../license-central/src/config";
import { call, inspect, pino, RunningFsb, RunningLc, startFsb, startLc } from "../support/services";

jest.setTimeout(60_000);

/** The value of one series of the exposition (undefined when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
beforeAll(async () => {
  fsb = await startFsb();
});
afterAll(async () => {
  await fsb.stop();
});

describe("License Central's scrape-time gauges on the real MariaDB", () => {
  let lc: RunningLc;
  const scrape = async () => {
    const m = await call(lc.adminUrl, "GET", "/metrics");
    expect(m.status).toBe(200);
    return m.text;
  };
  beforeAll(async () => {
    lc = await startLc(fsb.url, { LC_QUOTA_ACTIVATIONS_PER_MONTH: "25000", LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "250000" });
  });
  afterAll(async () => {
    await lc.stop();
  });

  test("lc_quota_limit is the booked monthly total of each quota", async () => {
    const m = await scrape();
    expect(sample(m, "lc_quota_limit", { quota: "activations", edition: "reference" })).toBe(25000);
    expect(sample(m, "lc_quota_limit", { quota: "webServiceCalls" })).toBe(250000);
  });

  test("lc_quota_used follows activations, deactivations and web-service calls as they are stored", async () => {
    const before = await scrape();
    const act0 = sample(before, "lc_quota_used", { quota: "activations" })!;
    const ws0 = sample(before, "lc_quota_used", { quota: "webServiceCalls" })!;
    expect(act0).toBe(0);

    const created = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-metrics", items: ITEMS }, token: lc.wsToken });
    expect(created.status).toBe(201);
    const ticket = created.body.ticket;
    const act = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-900", idempotencyKey: "met-1" } });
    expect(act.status).toBe(201);
    const afterActivation = await scrape();
    expect(sample(afterActivation, "lc_quota_used", { quota: "activations" })).toBe(1);
    expect(sample(afterActivation, "lc_quota_used", { quota: "webServiceCalls" })).toBe(ws0 + 1);

    // a deactivation counts against the same quota (activations + deactivations per month)
    expect((await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-900`)).status).toBe(200);
    const afterDeactivation = await scrape();
    expect(sample(afterDeactivation, "lc_quota_used", { quota: "activations" })).toBe(2);
  });

  test("lc_quota_used is the customer's total in the database, also what other lines wrote (seeded usage counts)", async () => {
    const month = new Date().toISOString().slice(0, 7);
    const before = sample(await scrape(), "lc_quota_used", { quota: "activations" })!;
    for (let i = 0; i < 5; i++) {
      await inspect(lc.database, "INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES (UUID(), ?, 'activation', UTC_TIMESTAMP(3), ?)", [month, `seed-${i}`]);
    }
    // another month's usage does not count
    await inspect(lc.database, "INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES (UUID(), '2001-01', 'activation', '2001-01-15', 'old')");
    expect(sample(await scrape(), "lc_quota_used", { quota: "activations" })).toBe(before + 5);
  });

  test("lc_database_up and lc_ready are 1 while the database and the FSB answer", async () => {
    const m = await scrape();
    expect(sample(m, "lc_database_up")).toBe(1);
    expect(sample(m, "lc_ready")).toBe(1);
    expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(200);
  });
});

describe("License Central's /metrics when the reads fail", () => {
  test("with the FSB gone, lc_ready is 0 (as /readyz answers 503) while lc_database_up stays 1", async () => {
    const ownFsb = await startFsb();
    const lc = await startLc(ownFsb.url);
    try {
      await ownFsb.stop();
      const m = await call(lc.adminUrl, "GET", "/metrics");
      expect(m.status).toBe(200);
      expect(sample(m.text, "lc_ready")).toBe(0);
      expect(sample(m.text, "lc_database_up")).toBe(1);
      expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(503);
    } finally {
      await lc.stop();
    }
  });

  test("a database that accepts connections but never answers: /metrics still answers within 2 s, with lc_database_up 0 and no lc_quota_used", async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s)); // accepts, never sends the handshake
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const config = parseLcConfig({
      LC_ADMIN_TOKEN: "admin-token-abcdefgh",
      DB_HOST: "127.0.0.1",
      DB_PORT: String((silent.address() as net.AddressInfo).port),
      DB_NAME: "lc",
      DB_USER: "lc",
      DB_PASSWORD: "secret-password",
      FSB_URL: fsb.url,
      FSB_FIRM_CODE: "ACME",
      FSB_TOKEN: "acme-token-0123456789",
      LC_QUOTA_ACTIVATIONS_PER_MONTH: "3000",
    });
    const lc = buildLcApps(config, { logger: pino({ level: "silent" }) });
    try {
      const started = Date.now();
      const res = await lc.adminApp.inject({ method: "GET", url: "/metrics" });
      const took = Date.now() - started;
      expect(res.statusCode).toBe(200);
      expect(took).toBeLessThan(2000);
      expect(sample(res.body, "lc_database_up")).toBe(0);
      expect(sample(res.body, "lc_ready")).toBe(0);
      expect(sample(res.body, "lc_quota_used", { quota: "activations" })).toBeUndefined();
      expect(sample(res.body, "lc_quota_limit", { quota: "activations" })).toBe(3000);
      expect(sample(res.body, "lc_scrape_read_errors_total", { read: "quota" })).toBe(1);
      // the counters are still served
      expect(res.body).toMatch(/^lc_activations_total|# TYPE lc_activations_total counter/m);
    } finally {
      held.forEach((s) => s.destroy());
      await lc.close().catch(() => undefined); // the pool's half-open connection ends with ETIMEDOUT: expected here
      held.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
