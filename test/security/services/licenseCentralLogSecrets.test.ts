/**
 * Issue 15.9 (LC part): ticket codes and idempotency keys never appear in License Central's logs, only as
 * their first 4 characters plus a short hash. Before, every request line logged its URL with the ticket
 * code, and an FSB error quoting the requestId logged the idempotency key.
 */
import { maskSecret } from "../../../service-kit/src/logMasking";
import { FakeFsb, startFakeFsb } from "../../support/fakeFsb";
import { call, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
let fake: FakeFsb;
let lc: RunningLc;
beforeAll(async () => {
  fsb = await startFsb();
  fake = await startFakeFsb(fsb.url);
  lc = await startLc(fake.url, { LOG_LEVEL: "trace" });
}, 60_000);
afterAll(async () => {
  await lc.stop();
  await fake.stop();
  await fsb.stop();
});

describe("License Central's logs and secrets", () => {
  test("an activation, a ticket view, a deactivation and an FSB error quoting the key leave neither the ticket code nor the idempotency key in the logs", async () => {
    const created = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "LOG-1", items: ITEMS }, token: lc.wsToken });
    const ticket: string = created.body.ticket;
    const key = "log-idem-key-7f3a9c";
    const failingKey = "log-idem-key-fsb-refused";
    const act = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-8", idempotencyKey: key } });
    expect(act.status).toBe(201);
    expect((await call(lc.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, { token: lc.wsToken })).status).toBe(200);
    expect((await call(lc.adminUrl, "GET", `/admin/v1/tickets/${ticket}`, { token: lc.adminToken })).status).toBe(200);
    expect((await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-8`)).status).toBe(200);
    // the FSB refuses, quoting the requestId (= the idempotency key) and the ticket in its message
    fake.mode = {
      kind: "answer",
      status: 409,
      body: JSON.stringify({ error: "idempotency_conflict", message: `requestId: "${failingKey}" for ${ticket} was already used` }),
    };
    try {
      expect(
        (await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-9", idempotencyKey: failingKey } })).status,
      ).toBe(502);
    } finally {
      fake.mode = { kind: "forward" };
    }
    // a mistyped code in a URL is masked too
    await call(lc.publicUrl, "GET", "/ws/v1/tickets/NOT-A-REAL-CODE-123", { token: lc.wsToken });

    const logs = lc.logs.text;
    expect(logs).toContain('"msg":"request completed"');
    expect(logs).toContain("FSB refused the request");
    expect(logs).not.toContain(ticket);
    expect(logs).not.toContain(ticket.slice(0, 11));
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(failingKey);
    expect(logs).not.toContain("NOT-A-REAL-CODE-123");
    // what is there instead: the masks, so log lines of one ticket still correlate
    expect(logs).toContain(maskSecret(ticket));
    expect(logs).toContain(maskSecret(failingKey));
  });

  test("masks are the first 4 characters plus 8 hex digits of a hash", () => {
    expect(maskSecret("ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2")).toMatch(/^ABCD…#[0-9a-f]{8}$/);
    expect(maskSecret("a")).not.toBe(maskSecret("b"));
  });
});
