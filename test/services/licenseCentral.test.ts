import { FIRM_A, RunningFsb, RunningLc, call, createLcDatabase, inspect, startFsb, startLc, verifySignature } from "../support/services";

const ORDER_ITEMS = [
  { productCode: 1001, quantity: 5 },
  { productCode: 1002, quantity: 1 },
];

let fsb: RunningFsb;
beforeAll(async () => {
  fsb = await startFsb();
});
afterAll(async () => {
  await fsb.stop();
});

async function newTicket(lc: RunningLc, orderId: string): Promise<string> {
  const res = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId, items: ORDER_ITEMS }, token: lc.wsToken });
  expect(res.status).toBe(201);
  return res.body.ticket;
}

const activate = (lc: RunningLc, ticket: string, container: string, idempotencyKey: string) =>
  call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container, idempotencyKey } });

const usageOf = async (lc: RunningLc, month: string) => (await call(lc.adminUrl, "GET", `/admin/v1/usage?month=${month}`, { token: lc.adminToken })).body;

/** A clock the test moves by hand. */
function manualClock(iso: string) {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), set: (s: string) => (t = new Date(s).getTime()) };
}

describe("License Central: ticket lifecycle", () => {
  let lc: RunningLc;
  beforeAll(async () => {
    lc = await startLc(fsb.url);
  });
  afterAll(async () => {
    await lc.stop();
  });

  test("creates a ticket by web service, activates it with an FSB signature that verifies against the firm's public key, and deactivates it", async () => {
    const created = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-1", items: ORDER_ITEMS }, token: lc.wsToken });
    expect(created.status).toBe(201);
    const ticket = created.body.ticket;
    expect(ticket).toMatch(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){4}$/);

    const act = await activate(lc, ticket, "3-4711", "act-1");
    expect(act.status).toBe(201);
    expect(act.body.update).toMatchObject({ firmCode: FIRM_A.code, requestId: "act-1", container: "3-4711" });
    expect(act.body.update.items).toEqual([
      { productCode: 1001, quantity: 5 },
      { productCode: 1002, quantity: 1 },
    ]);
    const pub = await call(fsb.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
    expect(verifySignature(act.body.update, act.body.signature, pub.body.publicKeyPem)).toBe(true);

    const view = await call(lc.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, { token: lc.wsToken });
    expect(view.body).toMatchObject({ ticket, orderId: "SO-1", status: "activated", activation: { container: "3-4711", status: "active" } });

    const deact = await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-4711`);
    expect(deact.status).toBe(200);
    expect(deact.body).toMatchObject({ ticket, container: "3-4711", idempotencyKey: "act-1" });
    expect(typeof deact.body.receiptId).toBe("string");
    const after = await call(lc.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, { token: lc.wsToken });
    expect(after.body.status).toBe("available");

    const again = await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-4711`);
    expect(again.status).toBe(404);
    expect(again.body.field).toBe("container");
  });

  test("returns the same ticket when the ERP repeats an order, and 409 when the same order comes with other items", async () => {
    const a = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-rep", items: ORDER_ITEMS }, token: lc.wsToken });
    const b = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-rep", items: ORDER_ITEMS }, token: lc.wsToken });
    expect(b.status).toBe(200);
    expect(b.body.ticket).toBe(a.body.ticket);
    const c = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-rep", items: [{ productCode: 9, quantity: 1 }] }, token: lc.wsToken });
    expect(c.status).toBe(409);
    expect(c.body.field).toBe("orderId");
  });

  test("activates once for an idempotency key sent twice and returns the original signed update", async () => {
    const ticket = await newTicket(lc, "SO-idem");
    const first = await activate(lc, ticket, "3-1", "idem-seq");
    const second = await activate(lc, ticket, "3-1", "idem-seq");
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    const rows = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation' AND ref = ?", ["idem-seq"]);
    expect(Number(rows[0].n)).toBe(1);
  });

  test("activates once when twelve requests with the same idempotency key race", async () => {
    const ticket = await newTicket(lc, "SO-race");
    const res = await Promise.all(Array.from({ length: 12 }, () => activate(lc, ticket, "3-2", "idem-race")));
    expect(res.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(res.map((r) => r.body.signature)).size).toBe(1);
    const ev = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation' AND ref = ?", ["idem-race"]);
    expect(Number(ev[0].n)).toBe(1);
    const acts = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations WHERE ticket = ?", [ticket]);
    expect(Number(acts[0].n)).toBe(1);
  });

  test("refuses a second activation of an active ticket under another key with 409, and rejects a key reused for another ticket", async () => {
    const ticket = await newTicket(lc, "SO-twice");
    expect((await activate(lc, ticket, "3-10", "k-first")).status).toBe(201);
    const other = await activate(lc, ticket, "3-11", "k-second");
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: "ticket_already_active", field: "ticket" });
    expect(other.body.message).toContain("3-10");
    const ticket2 = await newTicket(lc, "SO-twice-2");
    const reused = await activate(lc, ticket2, "3-10", "k-first");
    expect(reused.status).toBe(409);
    expect(reused.body.field).toBe("idempotencyKey");
  });

  test("reports readiness 200 with database and FSB reachable", async () => {
    const r = await call(lc.publicUrl, "GET", "/readyz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ready", database: "ok", fsb: "ok" });
    expect((await call(lc.publicUrl, "GET", "/healthz")).status).toBe(200);
  });

  test("exposes activation metrics on the admin port's /metrics", async () => {
    const m = await call(lc.adminUrl, "GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/^lc_activations_total\{result="activated",edition="reference"\} [1-9]/m);
    expect(m.text).toMatch(/lc_activation_duration_seconds_bucket/);
  });

  test("never writes tokens or the database password to its logs (pino redaction)", async () => {
    await call(lc.adminUrl, "GET", "/admin/v1/usage", { token: lc.adminToken });
    lc.lc.publicApp.log.info(
      { headers: { authorization: `Bearer ${lc.wsToken}` }, config: { db: { password: "pw-secret-xyz" }, adminToken: lc.adminToken } },
      "probe",
    );
    expect(lc.logs.text).toContain('"msg":"probe"');
    expect(lc.logs.text).not.toContain(lc.wsToken);
    expect(lc.logs.text).not.toContain(lc.adminToken);
    expect(lc.logs.text).not.toContain("pw-secret-xyz");
  });
});

describe("License Central: several lines on one database", () => {
  test("two lines sharing one database activate once for racing requests with the same key", async () => {
    const db = await createLcDatabase();
    const [l1, l2] = [await startLc(fsb.url, {}, { db }), await startLc(fsb.url, {}, { db })];
    try {
      await l2.lc.migrate(); // a second migration (another line starting) is harmless
      const ticket = await newTicket(l1, "SO-lines");
      const res = await Promise.all(Array.from({ length: 10 }, (_, i) => activate(i % 2 ? l1 : l2, ticket, "3-77", "two-lines")));
      expect(res.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(res.map((r) => r.body.update.updateId)).size).toBe(1);
      const ev = await inspect(db.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation'");
      expect(Number(ev[0].n)).toBe(1);
      const view = await call(l2.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, { token: l2.wsToken });
      expect(view.body.activation.container).toBe("3-77");
    } finally {
      await l1.stop();
      await l2.stop();
    }
  });
});

describe("License Central: metering and quotas", () => {
  test("counts activations, deactivations and web-service calls per UTC calendar month and starts from zero after the month rolls over", async () => {
    const clock = manualClock("2025-01-31T23:59:58.000Z");
    const lc = await startLc(fsb.url, {}, { now: clock.now });
    try {
      const ticket = await newTicket(lc, "SO-month"); // ws call 1 in January
      expect((await activate(lc, ticket, "3-5", "m-1")).status).toBe(201);
      clock.set("2025-02-01T00:00:00.100Z");
      expect((await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-5`)).status).toBe(200);
      const jan = await usageOf(lc, "2025-01");
      const feb = await usageOf(lc, "2025-02");
      expect(jan).toMatchObject({ month: "2025-01", activations: 1, deactivations: 0, webServiceCalls: 1 });
      expect(feb).toMatchObject({ month: "2025-02", activations: 0, deactivations: 1, webServiceCalls: 0 });
      const ws = await call(lc.publicUrl, "GET", "/ws/v1/usage", { token: lc.wsToken }); // defaults to the clock's month, counts itself
      expect(ws.body).toMatchObject({ month: "2025-02", webServiceCalls: 1 });
    } finally {
      await lc.stop();
    }
  });

  test("soft quota serves activations over the monthly limit, flagging them with X-Quota-Exceeded, a metric and a warning", async () => {
    const lc = await startLc(fsb.url, { LC_QUOTA_ACTIVATIONS_PER_MONTH: "2", QUOTA_MODE: "soft" });
    try {
      const ticket = await newTicket(lc, "SO-soft");
      const a1 = await activate(lc, ticket, "3-1", "s-1");
      const d1 = await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-1`);
      expect(a1.headers.get("x-quota-exceeded")).toBeNull();
      expect(d1.headers.get("x-quota-exceeded")).toBeNull();
      const a2 = await activate(lc, ticket, "3-1", "s-2");
      expect(a2.status).toBe(201);
      expect(a2.headers.get("x-quota-exceeded")).toBe("activations");
      const m = await call(lc.adminUrl, "GET", "/metrics");
      expect(m.text).toMatch(/^lc_quota_exceeded_total\{quota="activations",mode="soft",edition="reference"\} 1$/m);
      expect(lc.logs.text).toMatch(/"level":40.*monthly quota exceeded/);
      expect((await usageOf(lc, new Date().toISOString().slice(0, 7))).activations).toBe(2);
    } finally {
      await lc.stop();
    }
  });

  test("hard quota refuses the activation over the limit with 429 naming quota, limit and usage, and writes nothing", async () => {
    const lc = await startLc(fsb.url, { LC_QUOTA_ACTIVATIONS_PER_MONTH: "1", QUOTA_MODE: "hard" });
    try {
      const t1 = await newTicket(lc, "SO-hard-1");
      const t2 = await newTicket(lc, "SO-hard-2");
      expect((await activate(lc, t1, "3-1", "h-1")).status).toBe(201);
      const refused = await activate(lc, t2, "3-2", "h-2");
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe("quota_exceeded");
      expect(refused.body.message).toMatch(/quota activations exceeded .*limit 1 per month \(LC_QUOTA_ACTIVATIONS_PER_MONTH\), used 1/);
      const rows = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations WHERE ticket = ?", [t2]);
      expect(Number(rows[0].n)).toBe(0);
      const view = await call(lc.publicUrl, "GET", `/ws/v1/tickets/${t2}`, { token: lc.wsToken });
      expect(view.body.status).toBe("available");
    } finally {
      await lc.stop();
    }
  });

  test("hard quota on web-service calls answers 429 and does not count the refused calls; soft mode flags them", async () => {
    const hard = await startLc(fsb.url, { LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "2", QUOTA_MODE: "hard" });
    try {
      expect((await call(hard.publicUrl, "GET", "/ws/v1/usage", { token: hard.wsToken })).status).toBe(200);
      expect((await call(hard.publicUrl, "GET", "/ws/v1/usage", { token: hard.wsToken })).status).toBe(200);
      const third = await call(hard.publicUrl, "GET", "/ws/v1/usage", { token: hard.wsToken });
      expect(third.status).toBe(429);
      expect(third.body.message).toMatch(/quota webServiceCalls exceeded .*limit 2 .*LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH.*used 2/);
      expect((await usageOf(hard, new Date().toISOString().slice(0, 7))).webServiceCalls).toBe(2);
    } finally {
      await hard.stop();
    }
    const soft = await startLc(fsb.url, { LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: "0" });
    try {
      const r = await call(soft.publicUrl, "GET", "/ws/v1/usage", { token: soft.wsToken });
      expect(r.status).toBe(200);
      expect(r.headers.get("x-quota-exceeded")).toBe("webServiceCalls");
    } finally {
      await soft.stop();
    }
  });
});

describe("License Central: editions without web services", () => {
  test("answers /ws/v1 with 403 and a clear message when LC_WEB_SERVICES is false, while the admin API creates tickets that the depot activates", async () => {
    const lc = await startLc(fsb.url, { LC_WEB_SERVICES: "false", LC_WS_TOKEN: "" });
    try {
      const ws = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-x", items: ORDER_ITEMS }, token: "anything-at-all" });
      expect(ws.status).toBe(403);
      expect(ws.body.error).toBe("web_services_disabled");
      expect(ws.body.message).toMatch(/web services are not part of this edition .*LC_WEB_SERVICES=false/);
      const created = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "SO-admin", items: ORDER_ITEMS }, token: lc.adminToken });
      expect(created.status).toBe(201);
      expect((await activate(lc, created.body.ticket, "3-9", "adm-1")).status).toBe(201);
      const read = await call(lc.adminUrl, "GET", `/admin/v1/tickets/${created.body.ticket}`, { token: lc.adminToken });
      expect(read.body.status).toBe("activated");
      // the admin API is not on the public port
      expect((await call(lc.publicUrl, "POST", "/admin/v1/tickets", { json: { orderId: "SO-p", items: ORDER_ITEMS }, token: lc.adminToken })).status).toBe(404);
    } finally {
      await lc.stop();
    }
  });
});

describe("License Central: FSB trouble", () => {
  test("answers 503 with Retry-After when the FSB is down, leaves the ticket available, and reports not ready", async () => {
    const down = await startFsb();
    const lc = await startLc(down.url);
    try {
      const ticket = await newTicket(lc, "SO-down");
      await down.stop();
      const res = await activate(lc, ticket, "3-1", "down-1");
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.body.error).toBe("fsb_unavailable");
      const ready = await call(lc.publicUrl, "GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: "not_ready", database: "ok", fsb: "unreachable" });
      const view = await call(lc.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, { token: lc.wsToken });
      expect(view.body.status).toBe("available");
      const rows = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation'");
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await lc.stop();
    }
  });
});
