/**
 * Issue 15.3: hard quotas are exact under concurrency (margin 0). Before, each request compared the
 * month's completed count before it signed, so concurrent activations all saw room and overshot the limit.
 */
import { startFakeFsb } from "../../support/fakeFsb";
import { call, inspect, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];
const month = () => new Date().toISOString().slice(0, 7);

let fsb: RunningFsb;
const lines: RunningLc[] = [];
beforeAll(async () => {
  fsb = await startFsb();
});
afterAll(async () => {
  for (const l of lines) await l.stop();
  await fsb.stop();
});

async function line(env: Record<string, string>, fsbUrl = fsb.url): Promise<RunningLc> {
  const lc = await startLc(fsbUrl, { QUOTA_MODE: "hard", DB_POOL_SIZE: "10", ...env });
  lines.push(lc);
  return lc;
}

async function adminTickets(lc: RunningLc, n: number, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: `${prefix}-${i}`, items: ITEMS }, token: lc.adminToken });
    expect(r.status).toBe(201);
    out.push(r.body.ticket);
  }
  return out;
}

/** Status -> count, plus the first body of any status other than the expected success and 429. */
function tally(res: Array<{ status: number; body: unknown }>): Record<string, number | unknown> {
  const out: Record<string, number | unknown> = {};
  for (const r of res) out[r.status] = ((out[r.status] as number) ?? 0) + 1;
  const odd = res.find((r) => ![200, 201, 429].includes(r.status));
  if (odd) out.firstOther = odd.body;
  return out;
}

const activate = (lc: RunningLc, ticket: string, container: string, key: string) =>
  call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container, idempotencyKey: key } });
const usage = async (lc: RunningLc) => (await call(lc.adminUrl, "GET", `/admin/v1/usage?month=${month()}`, { token: lc.adminToken })).body;

describe("License Central hard quotas under concurrency", () => {
  test("50 concurrent activations against a hard limit of 10: exactly 10 succeed, 40 get 429, and 10 are counted", async () => {
    const lc = await line({ LC_QUOTA_ACTIVATIONS_PER_MONTH: "10" });
    const tickets = await adminTickets(lc, 50, "HQ");
    const res = await Promise.all(tickets.map((t, i) => activate(lc, t, `3-${i}`, `hq-${i}`)));
    expect(tally(res)).toEqual({ 201: 10, 429: 40 });
    for (const r of res.filter((x) => x.status === 429)) expect(r.body).toMatchObject({ error: "quota_exceeded" });
    expect(await usage(lc)).toMatchObject({ activations: 10, deactivations: 0 });
    const rows = await inspect(lc.database, "SELECT status, COUNT(*) AS n FROM lc_activations GROUP BY status");
    expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([["active", 10]]);
    const active = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_tickets WHERE active_key IS NOT NULL");
    expect(Number(active[0].n)).toBe(10);
  }, 120_000);

  test("50 concurrent web-service calls against a hard limit of 20: exactly 20 are served and counted, 30 get 429", async () => {
    const lc = await line({ LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "20" });
    const res = await Promise.all(Array.from({ length: 50 }, () => call(lc.publicUrl, "GET", "/ws/v1/usage", { token: lc.wsToken })));
    // the whole tally at once, so a failure shows what the other answers were
    expect(tally(res)).toEqual({ 200: 20, 429: 30 });
    expect((await usage(lc)).webServiceCalls).toBe(20);
  }, 120_000);

  // The admission used to create the month's lock row on a second pooled connection while its
  // transaction held the first: with every connection held, all requests waited for one more and all
  // timed out (CI: 50 of 50 calls 503 LC_DB_TIMEOUT). A pool of one makes that starvation certain.
  test("admission takes no second pooled connection: with a pool of one, 8 concurrent calls against a limit of 5 give 5 served and 3 refused", async () => {
    const lc = await line({
      LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "5",
      LC_QUOTA_ACTIVATIONS_PER_MONTH: "10",
      DB_POOL_SIZE: "1",
      DB_ACQUIRE_TIMEOUT_MS: "8000",
    });
    const res = await Promise.all(Array.from({ length: 8 }, () => call(lc.publicUrl, "GET", "/ws/v1/usage", { token: lc.wsToken })));
    expect(tally(res)).toEqual({ 200: 5, 429: 3 });
    const [t1, t2, t3] = await adminTickets(lc, 3, "HP");
    expect((await activate(lc, t1, "3-1", "hp-1")).status).toBe(201);
    // the lock rows vanish (a restore of an older dump): the next admission creates its row again inside its own transaction
    await inspect(lc.database, "DELETE FROM lc_quota_locks");
    expect((await activate(lc, t2, "3-2", "hp-2")).status).toBe(201);
    expect((await activate(lc, t3, "3-3", "hp-3")).status).toBe(201);
    expect(await inspect(lc.database, "SELECT quota, version FROM lc_quota_locks ORDER BY quota")).toEqual([{ quota: "activations", version: 2 }]);
  }, 60_000);

  test("in hard mode a deactivation stays possible after the quota is used up, and it is still counted", async () => {
    const lc = await line({ LC_QUOTA_ACTIVATIONS_PER_MONTH: "2" });
    const [t1, t2, t3] = await adminTickets(lc, 3, "HD");
    expect((await activate(lc, t1, "3-1", "hd-1")).status).toBe(201);
    expect((await activate(lc, t2, "3-2", "hd-2")).status).toBe(201);
    expect((await activate(lc, t3, "3-3", "hd-3")).status).toBe(429);
    const d = await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${t1}/activations/3-1`);
    expect(d.status).toBe(200);
    expect(await usage(lc)).toMatchObject({ activations: 2, deactivations: 1 });
    const again = await activate(lc, t1, "3-1", "hd-4");
    expect(again.status).toBe(429);
    expect(again.body.message).toMatch(/limit 2 per month \(LC_QUOTA_ACTIVATIONS_PER_MONTH\), used 3/);
  }, 60_000);

  test("a failed signing releases the reservation: with a limit of 1, the activation succeeds once the FSB is back", async () => {
    const fake = await startFakeFsb(fsb.url);
    try {
      const lc = await line({ LC_QUOTA_ACTIVATIONS_PER_MONTH: "1" }, fake.url);
      const [t] = await adminTickets(lc, 1, "HF");
      fake.mode = { kind: "busy" };
      expect((await activate(lc, t, "3-1", "hf-1")).status).toBe(503);
      expect(await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations")).toEqual([{ n: 0 }]);
      fake.mode = { kind: "forward" };
      expect((await activate(lc, t, "3-1", "hf-1")).status).toBe(201);
      expect((await usage(lc)).activations).toBe(1);
    } finally {
      await fake.stop();
    }
  }, 60_000);
});
