import { call, createLcDatabase, inspect, RunningFsb, RunningLc, startFsb, startLc } from "../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
let lineA: RunningLc;
let lineB: RunningLc;
let database: string;
beforeAll(async () => {
  fsb = await startFsb();
  const db = await createLcDatabase();
  database = db.database;
  // two stateless lines on one database, as in High Availability
  lineA = await startLc(fsb.url, {}, { db });
  lineB = await startLc(fsb.url, {}, { db });
});
afterAll(async () => {
  await lineA.stop();
  await lineB.stop();
  await fsb.stop();
});

const setMaintenance = (lc: RunningLc, body: unknown) => call(lc.adminUrl, "PUT", "/admin/v1/maintenance", { json: body, token: lc.adminToken });
const newTicket = (lc: RunningLc, orderId: string) => call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId, items: ITEMS }, token: lc.wsToken });

describe("License Central maintenance mode", () => {
  test("in maintenance, depot and web-service calls on every line answer 503 with Retry-After and write nothing; health and readiness stay 200", async () => {
    const before = await newTicket(lineA, "M-1");
    expect(before.status).toBe(201);
    const on = await setMaintenance(lineA, { enabled: true, retryAfterSeconds: 7, reason: "edition change" });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ enabled: true, retryAfterSeconds: 7, reason: "edition change", line: { observedEnabled: true, inFlightRequests: 0 } });

    // the other line sees it within its poll interval (default 1 s)
    await new Promise((r) => setTimeout(r, 1100));
    const rowsBefore = await inspect(
      database,
      "SELECT (SELECT COUNT(*) FROM lc_tickets) t, (SELECT COUNT(*) FROM lc_usage_events) u, (SELECT COUNT(*) FROM lc_activations) a",
    );
    for (const lc of [lineA, lineB]) {
      const ws = await newTicket(lc, "M-2");
      expect(ws.status).toBe(503);
      expect(ws.headers.get("retry-after")).toBe("7");
      expect(ws.body).toMatchObject({ error: "maintenance" });
      const act = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${before.body.ticket}/activations`, {
        json: { container: "c-1", idempotencyKey: `k-${lc.publicUrl}` },
      });
      expect(act.status).toBe(503);
      expect(act.headers.get("retry-after")).toBe("7");
      const admin = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "M-3", items: ITEMS }, token: lc.adminToken });
      expect(admin.status).toBe(503);
      expect((await call(lc.publicUrl, "GET", "/healthz")).status).toBe(200);
      expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(200);
      const seen = await call(lc.adminUrl, "GET", "/admin/v1/maintenance", { token: lc.adminToken });
      expect(seen.body).toMatchObject({ enabled: true, line: { observedEnabled: true, inFlightRequests: 0 } });
    }
    const rowsAfter = await inspect(
      database,
      "SELECT (SELECT COUNT(*) FROM lc_tickets) t, (SELECT COUNT(*) FROM lc_usage_events) u, (SELECT COUNT(*) FROM lc_activations) a",
    );
    expect(rowsAfter).toEqual(rowsBefore);

    // reading is still allowed for the operator
    expect((await call(lineB.adminUrl, "GET", "/admin/v1/usage", { token: lineB.adminToken })).status).toBe(200);

    const off = await setMaintenance(lineB, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await newTicket(lineA, "M-4")).status).toBe(201);
  });

  test("the maintenance request is validated, naming the field", async () => {
    const missing = await setMaintenance(lineA, { retryAfterSeconds: 5 });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: "enabled" });
    const tooLong = await setMaintenance(lineA, { enabled: true, retryAfterSeconds: 0 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/retryAfterSeconds: must be an integer between 1 and 3600/);
    const unknown = await setMaintenance(lineA, { enabled: true, mode: "x" });
    expect(unknown.body).toMatchObject({ field: "mode" });
  });

  test("the maintenance endpoint needs the admin token", async () => {
    const res = await call(lineA.adminUrl, "PUT", "/admin/v1/maintenance", { json: { enabled: true } });
    expect(res.status).toBe(401);
  });
});
