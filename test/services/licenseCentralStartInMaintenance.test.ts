/**
 * LC_START_IN_MAINTENANCE=true: a line started against a database that holds no maintenance state (a new,
 * empty one) never serves it; maintenance ends only when the state is written (admin API, or a restored
 * dump bringing its row back). A database with a state keeps it.
 */
import { call, createLcDatabase, inspect, RunningFsb, RunningLc, startFsb, startLc } from "../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];
const START_IN_MAINTENANCE = { LC_START_IN_MAINTENANCE: "true" };

let fsb: RunningFsb;
const lines: RunningLc[] = [];
beforeAll(async () => {
  fsb = await startFsb();
});
afterAll(async () => {
  for (const lc of lines) await lc.stop();
  await fsb.stop();
});

async function line(env: Record<string, string>, db?: { database: string; user: string; password: string }): Promise<RunningLc> {
  const lc = await startLc(fsb.url, env, { db });
  lines.push(lc);
  return lc;
}
const newTicket = (lc: RunningLc, orderId: string) => call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId, items: ITEMS }, token: lc.wsToken });
const adminTicket = (lc: RunningLc, orderId: string) =>
  call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId, items: ITEMS }, token: lc.adminToken });
const setMaintenance = (lc: RunningLc, body: unknown) => call(lc.adminUrl, "PUT", "/admin/v1/maintenance", { json: body, token: lc.adminToken });

describe("License Central with LC_START_IN_MAINTENANCE=true", () => {
  test("against an empty database it writes maintenance on at schema creation and refuses writes with 503 until maintenance is switched off", async () => {
    const db = await createLcDatabase();
    const lc = await line(START_IN_MAINTENANCE, db);
    expect(await inspect(db.database, "SELECT enabled, retry_after_seconds FROM lc_maintenance")).toEqual([{ enabled: 1, retry_after_seconds: 30 }]);
    const ws = await newTicket(lc, "S-1");
    expect(ws.status).toBe(503);
    expect(ws.headers.get("retry-after")).toBe("30");
    expect(ws.body.message).toMatch(/LC_START_IN_MAINTENANCE/);
    expect((await adminTicket(lc, "S-2")).status).toBe(503);
    expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(200);
    expect(await inspect(db.database, "SELECT COUNT(*) n FROM lc_tickets")).toEqual([{ n: 0 }]);

    expect((await setMaintenance(lc, { enabled: false })).status).toBe(200);
    expect((await newTicket(lc, "S-3")).status).toBe(201);
  });

  test("a line without the setting on the same new database sees the written state too, so every line agrees", async () => {
    const db = await createLcDatabase();
    await line(START_IN_MAINTENANCE, db);
    const plain = await line({}, db);
    expect((await newTicket(plain, "S-4")).status).toBe(503);
  });

  test("on a database whose maintenance state was written (off), it serves right away", async () => {
    const db = await createLcDatabase();
    const first = await line({}, db);
    await setMaintenance(first, { enabled: true });
    await setMaintenance(first, { enabled: false });
    const lc = await line(START_IN_MAINTENANCE, db);
    expect((await newTicket(lc, "S-5")).status).toBe(201);
  });

  test("while the maintenance row is missing (a restore re-creating the table) it stays in maintenance; the restored row decides", async () => {
    const db = await createLcDatabase();
    const lc = await line({ ...START_IN_MAINTENANCE }, db);
    await setMaintenance(lc, { enabled: false });
    await inspect(db.database, "DELETE FROM lc_maintenance");
    await new Promise((r) => setTimeout(r, 1100)); // one poll interval
    expect((await newTicket(lc, "S-6")).status).toBe(503);
    await inspect(db.database, "INSERT INTO lc_maintenance (id, enabled, retry_after_seconds, reason, changed_at) VALUES (1, 0, 30, NULL, NOW(3))");
    await new Promise((r) => setTimeout(r, 1100));
    expect((await newTicket(lc, "S-7")).status).toBe(201);
  });

  test("without the setting (the default), a line on an empty database serves at once", async () => {
    const lc = await line({});
    expect((await newTicket(lc, "S-8")).status).toBe(201);
  });
});
