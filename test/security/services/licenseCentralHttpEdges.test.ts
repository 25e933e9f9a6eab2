/**
 * Issue 15.7 (LC parts): only application/json is parsed as JSON; Fastify's and Node's own 4xx answers use
 * the services' shape and never echo a long path or body back; replaying the idempotency key of an
 * activation deactivated since does not hand out its signed update again as a fresh 201.
 */
import { call, inspect, rawHttp, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
let lc: RunningLc;
beforeAll(async () => {
  fsb = await startFsb();
  lc = await startLc(fsb.url, { LC_BODY_LIMIT_BYTES: "2048" });
}, 60_000);
afterAll(async () => {
  await lc.stop();
  await fsb.stop();
});

const newTicket = async (orderId: string) =>
  (await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId, items: ITEMS }, token: lc.adminToken })).body.ticket as string;
const tickets = async () => Number((await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_tickets"))[0].n);

describe("License Central parses only application/json", () => {
  test.each([
    "application/jsonx",
    "application/json-seq",
    "application/json+x",
    "text/json",
    "application/x-json",
    "text/plain",
    "application/x-www-form-urlencoded",
  ])("Content-Type %s is answered 415 naming the body, and nothing is written", async (contentType) => {
    const before = await tickets();
    const res = await call(lc.adminUrl, "POST", "/admin/v1/tickets", {
      raw: JSON.stringify({ orderId: `CT-${contentType}`, items: ITEMS }),
      token: lc.adminToken,
      headers: { "content-type": contentType },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: "unsupported_media_type", field: "body" });
    expect(await tickets()).toBe(before);
  });

  test.each(["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])("Content-Type %s is parsed", async (contentType) => {
    const res = await call(lc.adminUrl, "POST", "/admin/v1/tickets", {
      raw: JSON.stringify({ orderId: `CT-ok-${contentType}`, items: ITEMS }),
      token: lc.adminToken,
      headers: { "content-type": contentType },
    });
    expect(res.status).toBe(201);
  });
});

describe("License Central's own 4xx answers", () => {
  test("404 for a long unknown path names the path without echoing it", async () => {
    const res = await call(lc.publicUrl, "GET", `/depot/${"x".repeat(5000)}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "not_found", field: "path" });
    expect(res.text.length).toBeLessThan(300);
  });

  test("431 for too large headers, in the services' shape", async () => {
    const res = await rawHttp(lc.publicUrl, "GET", "/healthz", { headers: { "x-big": "a".repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.body).toEqual({ error: "headers_too_large", message: expect.stringMatching(/^headers: /), field: "headers" });
  });

  test("400 for a request Node's parser refuses (a header without a colon), in the services' shape", async () => {
    const res = await rawHttp(lc.publicUrl, "GET", "/healthz", { headers: { "x-bad header": "1" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "bad_request", message: expect.stringMatching(/^request: /), field: "request" });
  });

  test("400 for malformed JSON does not echo a long body", async () => {
    const res = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { raw: `{"orderId": "${"y".repeat(1500)}", items`, token: lc.adminToken });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "malformed_json", field: "body" });
    expect(res.text.length).toBeLessThan(300);
  });

  test("413 for a body over the limit, in the services' shape", async () => {
    const res = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "z".repeat(3000), items: ITEMS }, token: lc.adminToken });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "body_too_large", field: "body" });
  });
});

describe("replaying the idempotency key of a deactivated activation", () => {
  test("answers 409 activation_deactivated naming the key, hands out no signed update, counts nothing", async () => {
    const ticket = await newTicket("RD-1");
    const act = (key: string) => call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-5", idempotencyKey: key } });
    const first = await act("rd-key-1");
    expect(first.status).toBe(201);
    // while active, a replay is the original answer
    const replay = await act("rd-key-1");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await call(lc.publicUrl, "DELETE", `/depot/v1/tickets/${ticket}/activations/3-5`)).status).toBe(200);
    const events = async () => Number((await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events"))[0].n);
    const before = await events();
    const late = await act("rd-key-1");
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: "activation_deactivated", field: "idempotencyKey" });
    expect(late.body.message).toContain('"rd-key-1"');
    expect(late.body.signature).toBeUndefined();
    expect(late.body.update).toBeUndefined();
    expect(await events()).toBe(before);
    const view = await call(lc.adminUrl, "GET", `/admin/v1/tickets/${ticket}`, { token: lc.adminToken });
    expect(view.body.status).toBe("available");
    // a new key activates again
    expect((await act("rd-key-2")).status).toBe(201);
  });
});
