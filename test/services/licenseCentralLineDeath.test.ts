import { call, inspect, RunningFsb, RunningLc, startFsb, startLc } from "../support/services";

/**
 * A line that dies between committing its pending activation and completing it leaves the pending row
 * behind; the balancer re-sends the request (same idempotency key) to another line. Found by the HA
 * e2e test (kill -9 of a line under load): the re-sent request waited 15 s and got 409, because a
 * pending row could only be taken over after 30 s.
 */
describe("License Central: a line dies in the middle of an activation", () => {
  let fsb: RunningFsb;
  let lc: RunningLc;
  beforeAll(async () => {
    fsb = await startFsb();
    lc = await startLc(fsb.url);
  });
  afterAll(async () => {
    await lc.stop();
    await fsb.stop();
  });

  test("the same request re-sent to another line completes the dead line's pending activation within one request, counted once", async () => {
    const created = await call(lc.adminUrl, "POST", "/admin/v1/tickets", {
      json: { orderId: "SO-dead-line", items: [{ productCode: 7, quantity: 1 }] },
      token: lc.adminToken,
    });
    const ticket = created.body.ticket;
    // what the dead line committed before it died
    await inspect(
      lc.database,
      "INSERT INTO lc_activations (idempotency_key, ticket, container, status, created_at) VALUES ('dead-line-key', ?, '3-4242', 'pending', ?)",
      [ticket, new Date()],
    );
    await inspect(lc.database, "UPDATE lc_tickets SET active_key = 'dead-line-key' WHERE ticket = ?", [ticket]);
    const t0 = Date.now();
    const res = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-4242", idempotencyKey: "dead-line-key" } });
    expect(res.status).toBe(201);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const rows = await inspect(lc.database, "SELECT status FROM lc_activations WHERE ticket = ?", [ticket]);
    expect(rows.map((r) => r.status)).toEqual(["active"]);
    const ev = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation' AND ref = 'dead-line-key'");
    expect(Number(ev[0].n)).toBe(1);
  }, 20_000);
});
