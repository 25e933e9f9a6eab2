/**
 * Issue 15.1 (LC half) and 15.2: License Central routes nothing the gateway did not see under the same
 * name, and the maintenance gate decides on the route the router matched, not on the raw URL's prefix.
 * Before: find-my-way decoded `/%64epot/...` to the depot route while the gate looked for the prefix
 * "/depot/", so an activation went through during maintenance.
 */
import { nonCanonicalPathReason } from "../../../service-kit/src/canonicalPath";
import { call, createLcDatabase, inspect, rawHttp, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
let lc: RunningLc;
let ticket: string;
beforeAll(async () => {
  fsb = await startFsb();
  lc = await startLc(fsb.url, {}, { db: await createLcDatabase() });
  const t = await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "CP-1", items: ITEMS }, token: lc.adminToken });
  ticket = t.body.ticket;
}, 60_000);
afterAll(async () => {
  await lc.stop();
  await fsb.stop();
});

const activations = async () => Number((await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations"))[0].n);
const wsCalls = async () => Number((await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'ws_call'"))[0].n);

describe("the canonical-path rule (pure)", () => {
  test.each([
    ["/depot/v1/tickets/AAAAA-BBBBB-CCCCC-DDDDD-EEEEE/activations", null],
    ["/ws/v1/usage?month=2025-01&x=%2F%2e", null],
    ["/", null],
    ["/admin/v1/tickets/", null],
    ["/a%20b", null],
  ])("accepts %s", (path, reason) => {
    expect(nonCanonicalPathReason(path)).toBe(reason);
  });

  test.each([
    ["/%77s/v1/usage", /unreserved/],
    ["/%57s/v1/usage", /unreserved/],
    ["/ws/v1/%7eusage", /unreserved/],
    ["/a%2fb", /separator/],
    ["/a%5Cb", /separator/],
    ["/a%00", /control/],
    ["/a%2E%2E/b", /unreserved/],
    ["/a%252F", /double encoding/],
    ["/a%3a", /lower-case hex/],
    ["/a%zz", /malformed/],
    ["//ws/v1/usage", /empty segment/],
    ["/ws//v1/usage", /empty segment/],
    ["/ws/./v1/usage", /dot segment/],
    ["/ws/v1/../v1/usage", /dot segment/],
    ["/ws/v1/usage/.", /dot segment/],
    ["/ws/v1/usage/..", /dot segment/],
    ["/ws\\v1\\usage", /backslash/],
    ["/w\u00e9s/v1", /non-ASCII/],
    ["/ws/v1/us age", /percent-encoded/],
    ["ws/v1/usage", /start with/],
    ["*", /start with/],
  ])("refuses %s", (path, reason) => {
    expect(nonCanonicalPathReason(path)).toMatch(reason);
  });
});

describe("License Central refuses non-canonical paths before routing", () => {
  const spellings = (): Array<[string, string, string | Buffer]> => [
    ["depot", "POST", `/%64epot/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/%44epot/v1/tickets/${ticket}/activations`.replace("%44", "%64")],
    ["depot", "POST", `/dep%6ft/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/dep%6Ft/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/%76%31/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/v1/tickets/${ticket.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}/activations`],
    ["depot", "POST", `/depot%2Fv1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot%2fv1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/v1/tickets/${ticket}%2Factivations`],
    ["depot", "POST", `/depot%5Cv1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/v1/tickets/${ticket}/activations%00`],
    ["depot", "POST", `//depot/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot//v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/./v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/v1/../v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/x/../depot/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/v1/tickets/${ticket}/activations/.`],
    ["depot", "POST", `/depot/%2E/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot/%2e%2e/depot/v1/tickets/${ticket}/activations`],
    ["depot", "POST", `/depot\\v1\\tickets\\${ticket}\\activations`],
    ["depot", "POST", `/depot/v1/tickets/${ticket}/activ%zzations`],
    ["ws", "GET", "/%77s/v1/usage"],
    ["ws", "GET", "/%57s/v1/usage".replace("%57", "%77")],
    ["ws", "GET", "/w%73/v1/usage"],
    ["ws", "GET", "/ws/v%31/usage"],
    ["ws", "GET", "/ws/v1/%75sage"],
    ["ws", "GET", "/ws/v1/%75%73%61%67%65"],
    ["ws", "GET", "//ws/v1/usage"],
    ["ws", "GET", "/ws//v1/usage"],
    ["ws", "GET", "/ws/./v1/usage"],
    ["ws", "GET", "/ws/v1/./usage"],
    ["ws", "GET", "/ws/v2/../v1/usage"],
    ["ws", "GET", "/ws/v1/usage/."],
    ["ws", "GET", "/ws%2Fv1%2Fusage"],
    ["ws", "GET", "/ws\\v1/usage"],
    ["ws", "GET", "/ws/v1/usage%00"],
    ["ws", "POST", "/ws/v1/%74ickets"],
  ];

  test("every spelling of /depot/ and /ws/ is answered 400 non_canonical_path naming the path, and nothing is written or metered", async () => {
    const before = { a: await activations(), w: await wsCalls() };
    for (const [, method, target] of spellings()) {
      const res = await rawHttp(lc.publicUrl, method, target, {
        headers: { "content-type": "application/json", authorization: `Bearer ${lc.wsToken}` },
        body: method === "POST" ? JSON.stringify({ container: "3-1", idempotencyKey: `cp-${Math.random()}` }) : undefined,
      });
      expect({ target: target.toString("latin1"), status: res.status, body: res.body }).toEqual({
        target: target.toString("latin1"),
        status: 400,
        body: { error: "non_canonical_path", message: expect.stringMatching(/^path: /), field: "path" },
      });
    }
    expect({ a: await activations(), w: await wsCalls() }).toEqual(before);
  }, 120_000);

  test.each([
    ["/%61dmin/v1/usage"],
    ["/admin/v%31/usage"],
    ["/admin//v1/usage"],
    ["//admin/v1/usage"],
    ["/admin/./v1/usage"],
    ["/admin/v1/x/../usage"],
    ["/admin/v1/usage/."],
    ["/admin%2Fv1/usage"],
    ["/admin\\v1/usage"],
    ["/admin/v1/tickets/%2E%2E"],
    ["/%6detrics"],
  ])("the admin port refuses %s with 400 non_canonical_path", async (target) => {
    const res = await rawHttp(lc.adminUrl, "GET", target, { headers: { authorization: `Bearer ${lc.adminToken}` } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "non_canonical_path", message: expect.stringMatching(/^path: /), field: "path" });
  });

  test("a raw non-ASCII path is refused by the HTTP parser with 400 in the services' error shape", async () => {
    const target = Buffer.concat([Buffer.from("/d\xc3\xa9pot/v1/tickets/", "latin1"), Buffer.from(`${ticket}/activations`)]);
    const before = await activations();
    const res = await rawHttp(lc.publicUrl, "POST", target, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ container: "3-1", idempotencyKey: "cp-utf8" }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "bad_request", message: expect.stringMatching(/^request: /), field: "request" });
    expect(await activations()).toBe(before);
  });

  test("the error never echoes the path back", async () => {
    const long = `/ws/v1/${"a".repeat(3000)}/../usage`;
    const res = await rawHttp(lc.publicUrl, "GET", long);
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(300);
  });

  test("canonical paths are served as before", async () => {
    expect((await rawHttp(lc.publicUrl, "GET", "/ws/v1/usage", { headers: { authorization: `Bearer ${lc.wsToken}` } })).status).toBe(200);
    expect((await rawHttp(lc.adminUrl, "GET", "/admin/v1/usage?month=2025-01", { headers: { authorization: `Bearer ${lc.adminToken}` } })).status).toBe(200);
    expect((await rawHttp(lc.publicUrl, "GET", "/healthz")).status).toBe(200);
  });
});

describe("the maintenance gate decides on the matched route", () => {
  afterEach(async () => {
    await call(lc.adminUrl, "PUT", "/admin/v1/maintenance", { json: { enabled: false }, token: lc.adminToken });
  });

  test("in maintenance every write route answers 503 and reaches nothing; a decoded depot path too", async () => {
    const t2 = (await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "CP-2", items: ITEMS }, token: lc.adminToken })).body.ticket;
    expect((await call(lc.publicUrl, "POST", depotPath(t2), { json: { container: "3-9", idempotencyKey: "cp-active" } })).status).toBe(201);
    expect((await call(lc.adminUrl, "PUT", "/admin/v1/maintenance", { json: { enabled: true, retryAfterSeconds: 9 }, token: lc.adminToken })).status).toBe(200);
    const rows = () =>
      inspect(
        lc.database,
        "SELECT (SELECT COUNT(*) FROM lc_tickets) t, (SELECT COUNT(*) FROM lc_activations WHERE status = 'active') a, (SELECT COUNT(*) FROM lc_usage_events) u",
      );
    const before = await rows();
    const writes: Array<[string, string, string, unknown, string?]> = [
      [lc.publicUrl, "POST", depotPath(ticket), { container: "3-1", idempotencyKey: "cp-m1" }],
      [lc.publicUrl, "DELETE", `${depotPath(t2)}/3-9`, undefined],
      [lc.publicUrl, "POST", "/ws/v1/tickets", { orderId: "CP-3", items: ITEMS }, lc.wsToken],
      [lc.publicUrl, "GET", `/ws/v1/tickets/${ticket}`, undefined, lc.wsToken],
      [lc.publicUrl, "GET", "/ws/v1/usage", undefined, lc.wsToken],
      [lc.adminUrl, "POST", "/admin/v1/tickets", { orderId: "CP-4", items: ITEMS }, lc.adminToken],
    ];
    for (const [base, method, p, json, token] of writes) {
      const res = await call(base, method, p, { json, token });
      expect({ p, method, status: res.status, error: res.body?.error, retryAfter: res.headers.get("retry-after") }).toEqual({
        p,
        method,
        status: 503,
        error: "maintenance",
        retryAfter: "9",
      });
    }
    // a spelling the router decodes to the depot route never reaches the activation
    const sneaky = await rawHttp(lc.publicUrl, "POST", `/%64epot/v1/tickets/${ticket}/activations`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ container: "3-1", idempotencyKey: "cp-m2" }),
    });
    expect([400, 503]).toContain(sneaky.status);
    expect(await rows()).toEqual(before);
    // reads for the operator stay open
    expect((await call(lc.adminUrl, "GET", `/admin/v1/tickets/${ticket}`, { token: lc.adminToken })).status).toBe(200);
    expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(200);
  });

  test("every write route is counted in flight while it runs", async () => {
    const slowFsb = await startFsb({ FSB_SIGN_LATENCY_MS: "1500" });
    const db = await createLcDatabase();
    const slow = await startLc(slowFsb.url, {}, { db });
    try {
      const t = (await call(slow.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "CP-5", items: ITEMS }, token: slow.adminToken })).body.ticket;
      const pending = call(slow.publicUrl, "POST", depotPath(t), { json: { container: "3-2", idempotencyKey: "cp-slow" } });
      await new Promise((r) => setTimeout(r, 500));
      const seen = await call(slow.adminUrl, "GET", "/admin/v1/maintenance", { token: slow.adminToken });
      expect(seen.body.line.inFlightRequests).toBe(1);
      expect((await pending).status).toBe(201);
      await new Promise((r) => setTimeout(r, 50));
      expect((await call(slow.adminUrl, "GET", "/admin/v1/maintenance", { token: slow.adminToken })).body.line.inFlightRequests).toBe(0);
    } finally {
      await slow.stop();
      await slowFsb.stop();
    }
  }, 60_000);
});

function depotPath(t: string): string {
  return `/depot/v1/tickets/${t}/activations`;
}
