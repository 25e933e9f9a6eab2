import { RunningFsb, RunningLc, call, inspect, startFsb, startLc } from "../support/services";

let fsb: RunningFsb;
let lc: RunningLc;
let ticket: string;
beforeAll(async () => {
  fsb = await startFsb();
  lc = await startLc(fsb.url, { LC_BODY_LIMIT_BYTES: "2048" });
  const res = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-bad", items: [{ productCode: 1, quantity: 1 }] }, token: lc.wsToken });
  ticket = res.body.ticket;
});
afterAll(async () => {
  await lc.stop();
  await fsb.stop();
});

const counts = async () => {
  const [t] = await inspect(
    lc.database,
    "SELECT (SELECT COUNT(*) FROM lc_tickets) AS t, (SELECT COUNT(*) FROM lc_ticket_items) AS i, (SELECT COUNT(*) FROM lc_activations) AS a",
  );
  return { tickets: Number(t.t), items: Number(t.i), activations: Number(t.a) };
};

describe("License Central bad input", () => {
  test("answers malformed JSON with 400 malformed_json naming the body, and writes nothing", async () => {
    const before = await counts();
    const res = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { raw: '{"orderId":"SO-9","items":[', token: lc.wsToken });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "malformed_json", field: "body" });
    const dep = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { raw: "{container:" });
    expect(dep.status).toBe(400);
    expect(dep.body.error).toBe("malformed_json");
    expect(await counts()).toEqual(before);
  });

  test.each([
    [{ orderId: 42, items: [{ productCode: 1, quantity: 1 }] }, "orderId"],
    [{ orderId: "SO-t1", items: {} }, "items"],
    [{ orderId: "SO-t2", items: [] }, "items"],
    [
      {
        orderId: "SO-t3",
        items: [
          { productCode: 1, quantity: 1 },
          { productCode: "2", quantity: 1 },
        ],
      },
      "items[1].productCode",
    ],
    [{ orderId: "SO-t4", items: [{ productCode: 1, quantity: -3 }] }, "items[0].quantity"],
    [{ orderId: "SO-t5", items: [{ productCode: 1, quantity: 1, colour: "red" }] }, "items[0].colour"],
    [["not", "an", "object"], "body"],
  ])("answers a ticket request with a wrong type with 400 naming the field, and writes no partial ticket (%j → %s)", async (body, field) => {
    const before = await counts();
    const res = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: body, token: lc.wsToken });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message.startsWith(`${field}:`)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  test.each([
    [{ container: 3, idempotencyKey: "k" }, "container"],
    [{ container: "3-1", idempotencyKey: null }, "idempotencyKey"],
    [{ container: "3-1", idempotencyKey: "has space" }, "idempotencyKey"],
    [{ container: "3-1" }, "idempotencyKey"],
  ])("answers an activation request with a wrong type with 400 naming the field (%j → %s)", async (body, field) => {
    const res = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: body });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  test("answers an unknown ticket with 404 naming the ticket, for activation, deactivation and lookup", async () => {
    const unknown = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE";
    const a = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${unknown}/activations`, { json: { container: "3-1", idempotencyKey: "u-1" } });
    expect(a.status).toBe(404);
    expect(a.body).toMatchObject({ error: "unknown_ticket", field: "ticket" });
    expect(a.body.message).toContain(unknown);
    const malformed = await call(lc.publicUrl, "POST", "/depot/v1/tickets/not-a-ticket/activations", { json: { container: "3-1", idempotencyKey: "u-2" } });
    expect(malformed.status).toBe(404);
    const d = await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${unknown}/activations/3-1`);
    expect(d.status).toBe(404);
    expect(d.body.field).toBe("ticket");
    const g = await call(lc.publicUrl, "GET", `/ws/v1/tickets/${unknown}`, { token: lc.wsToken });
    expect(g.status).toBe(404);
    expect(g.body.field).toBe("ticket");
    const rows = await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations WHERE idempotency_key IN ('u-1','u-2')");
    expect(Number(rows[0].n)).toBe(0);
  });

  test("answers an oversized body (over LC_BODY_LIMIT_BYTES) with 413 naming the body", async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ productCode: i + 1, quantity: 1 }));
    const res = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "SO-big", items }, token: lc.wsToken });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "body_too_large", field: "body" });
    expect(res.body.message).toContain("LC_BODY_LIMIT_BYTES");
  });

  test("answers a missing web-service token with 401 and a wrong one with 403, both naming the authorization header", async () => {
    const missing = await call(lc.publicUrl, "GET", "/ws/v1/usage");
    expect(missing.status).toBe(401);
    expect(missing.body.field).toBe("authorization");
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await call(lc.publicUrl, "GET", "/ws/v1/usage", { token: "wrong-token-123" });
    expect(wrong.status).toBe(403);
    expect(wrong.body.field).toBe("authorization");
  });

  test("answers a missing admin token with 401 and a wrong one (e.g. the web-service token) with 403", async () => {
    const body = { orderId: "SO-adm", items: [{ productCode: 1, quantity: 1 }] };
    const missing = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: body });
    expect(missing.status).toBe(401);
    const wrong = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: body, token: lc.wsToken });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toMatch(/not a valid admin token/);
  });

  test("answers a malformed usage month with 400 naming month", async () => {
    const res = await call(lc.adminUrl, "GET", "/admin/v1/usage?month=2025-13", { token: lc.adminToken });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("month");
  });

  test("answers a non-JSON content type with 415 naming the body", async () => {
    const res = await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, {
      raw: "container=3-1",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body.field).toBe("body");
  });
});
