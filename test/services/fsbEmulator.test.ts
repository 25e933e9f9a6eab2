import * as fs from "fs";
import * as path from "path";
import { FIRM_A, FIRM_B, RunningFsb, call, startFsb, verifySignature } from "../support/services";

const order = (requestId: string, extra: Record<string, unknown> = {}) => ({
  requestId,
  container: "3-1234567",
  items: [{ productCode: 1001, featureMap: 7, expiresAt: "2030-01-31T00:00:00Z", quantity: 2 }],
  ...extra,
});

describe("FSB emulator", () => {
  let fsb: RunningFsb;
  beforeAll(async () => {
    fsb = await startFsb();
  });
  afterAll(async () => {
    await fsb.stop();
  });

  const sign = (firm: string, body: unknown, token?: string) => call(fsb.url, "POST", `/v1/firms/${firm}/license-updates`, { json: body, token });

  test("signs a license update whose Ed25519 signature verifies with the firm's public key over the canonical JSON", async () => {
    const res = await sign(FIRM_A.code, order("sig-1"), FIRM_A.token);
    expect(res.status).toBe(201);
    expect(res.body.update).toMatchObject({ firmCode: "ACME", requestId: "sig-1", container: "3-1234567" });
    expect(res.body.update.items).toEqual([{ productCode: 1001, featureMap: 7, expiresAt: "2030-01-31T00:00:00.000Z", quantity: 2 }]);
    const key = await call(fsb.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: "Ed25519", keyId: res.body.keyId });
    expect(verifySignature(res.body.update, res.body.signature, key.body.publicKeyPem)).toBe(true);
    // a tampered update does not verify
    expect(verifySignature({ ...res.body.update, container: "3-7654321" }, res.body.signature, key.body.publicKeyPem)).toBe(false);
  });

  test("gives each firm its own key pair", async () => {
    const a = await call(fsb.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
    const b = await call(fsb.url, "GET", `/v1/firms/${FIRM_B.code}/public-key`);
    expect(a.body.publicKeyPem).not.toEqual(b.body.publicKeyPem);
    const signedByB = await sign(FIRM_B.code, order("sig-b"), FIRM_B.token);
    expect(verifySignature(signedByB.body.update, signedByB.body.signature, b.body.publicKeyPem)).toBe(true);
    expect(verifySignature(signedByB.body.update, signedByB.body.signature, a.body.publicKeyPem)).toBe(false);
  });

  test("returns the identical signed update for a repeated requestId, also when the repeats race", async () => {
    const first = await sign(FIRM_A.code, order("idem-1"), FIRM_A.token);
    const again = await sign(FIRM_A.code, order("idem-1"), FIRM_A.token);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const racing = await Promise.all(Array.from({ length: 8 }, () => sign(FIRM_A.code, order("idem-race"), FIRM_A.token)));
    expect(racing.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(racing.map((r) => r.body.signature)).size).toBe(1);
    expect(new Set(racing.map((r) => r.body.update.updateId)).size).toBe(1);
  });

  test("refuses a reused requestId with a different body with 409 naming requestId", async () => {
    await sign(FIRM_A.code, order("idem-2"), FIRM_A.token);
    const res = await sign(FIRM_A.code, order("idem-2", { container: "3-999" }), FIRM_A.token);
    expect(res.status).toBe(409);
    expect(res.body.field).toBe("requestId");
    expect(res.body.message).toMatch(/already used with a different body/);
  });

  test("refuses the token of firm A for firm B with 403 and signs nothing for B", async () => {
    const before = await call(fsb.url, "GET", "/metrics");
    const res = await sign(FIRM_B.code, order("cross-1"), FIRM_A.token);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/does not open firm "BETA"/);
    const after = await call(fsb.url, "GET", "/metrics");
    const count = (t: string) => Number(/fsb_signatures_total\{firm="BETA"\} (\d+)/.exec(t)?.[1] ?? 0);
    expect(count(after.text)).toBe(count(before.text));
  });

  test("answers 401 with WWW-Authenticate and a message naming the header when the token is missing", async () => {
    const res = await sign(FIRM_A.code, order("noauth"));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ error: "unauthorized", field: "authorization" });
  });

  test("answers 403 naming the authorization header for a wrong token", async () => {
    const res = await sign(FIRM_A.code, order("wrong"), "not-the-right-token");
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: "forbidden", field: "authorization" });
  });

  test("answers 404 naming firmCode for a firm the box does not serve", async () => {
    const res = await sign("NOPE", order("unknown-firm"), FIRM_A.token);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "unknown_firm", field: "firmCode" });
    const key = await call(fsb.url, "GET", "/v1/firms/NOPE/public-key");
    expect(key.status).toBe(404);
    expect(key.body.field).toBe("firmCode");
  });

  test("answers malformed JSON with 400 malformed_json", async () => {
    const res = await call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { raw: '{"requestId": "x",', token: FIRM_A.token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "malformed_json", field: "body" });
    expect(res.body.message).toMatch(/^body: malformed JSON/);
  });

  test.each([
    [{ requestId: 5, container: "3-1", items: [{ productCode: 1 }] }, "requestId"],
    [{ requestId: "w1", container: "", items: [{ productCode: 1 }] }, "container"],
    [{ requestId: "w2", container: "3-1", items: "1001" }, "items"],
    [{ requestId: "w3", container: "3-1", items: [{ productCode: "1001" }] }, "items[0].productCode"],
    [{ requestId: "w4", container: "3-1", items: [{ productCode: 1, quantity: 1.5 }] }, "items[0].quantity"],
    [{ requestId: "w5", container: "3-1", items: [{ productCode: 1, expiresAt: "tomorrow" }] }, "items[0].expiresAt"],
    [{ requestId: "w6", container: "3-1", items: [{ productCode: 1 }], extra: true }, "extra"],
  ])("answers a wrong type or value with 400 naming the field (%j → %s)", async (body, field) => {
    const res = await sign(FIRM_A.code, body, FIRM_A.token);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message.startsWith(`${field}:`)).toBe(true);
  });

  test.each([
    ["2025-02-30", /day 30 does not exist in 2025-02/],
    ["2025-02-29", /day 29 does not exist in 2025-02/],
    ["2025-04-31T00:00:00Z", /day 31 does not exist in 2025-04/],
    ["2025-13-01", /month 13 does not exist/],
    ["0000-01-01", /between 1970-01-01 and 9999-12-31/],
    ["2030-01-31T24:00:00Z", /hour 24 does not exist/],
    ["2030-01-31T12:00:00+24:00", /zone offset \+24:00 does not exist/],
  ])("refuses the impossible expiry date %s with 400 naming items[0].expiresAt, and signs nothing", async (expiresAt, why) => {
    const count = async () => Number(/fsb_signatures_total\{firm="ACME"\} (\d+)/.exec((await call(fsb.url, "GET", "/metrics")).text)?.[1] ?? 0);
    const before = await count();
    const res = await sign(FIRM_A.code, order(`date-${expiresAt}`, { items: [{ productCode: 1001, expiresAt }] }), FIRM_A.token);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_field", field: "items[0].expiresAt" });
    expect(res.body.message).toMatch(why);
    expect(await count()).toBe(before);
  });

  test("signs a leap day and a date-time with a zone offset as the same instant in UTC", async () => {
    const res = await sign(
      FIRM_A.code,
      order("date-ok", {
        items: [
          { productCode: 1001, expiresAt: "2028-02-29" },
          { productCode: 1002, expiresAt: "2030-01-31T23:30:00-02:00" },
        ],
      }),
      FIRM_A.token,
    );
    expect(res.status).toBe(201);
    expect(res.body.update.items.map((i: { expiresAt: string }) => i.expiresAt)).toEqual(["2028-02-29T00:00:00.000Z", "2030-02-01T01:30:00.000Z"]);
  });

  test.each(["application/json", "application/json; charset=utf-8", "Application/JSON ;charset=UTF-8"])("parses a body sent as %s", async (contentType) => {
    const res = await call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, {
      json: order(`ct-${contentType.replace(/\W/g, "")}`),
      token: FIRM_A.token,
      headers: { "content-type": contentType },
    });
    expect(res.status).toBe(201);
  });

  test.each(["application/jsonx", "application/json-seq", "application/json+zip", "text/json", "text/plain"])(
    "answers a body sent as %s with 415 naming content-type",
    async (contentType) => {
      const res = await call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, {
        json: order("ct-bad"),
        token: FIRM_A.token,
        headers: { "content-type": contentType },
      });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ error: "unsupported_media_type", field: "content-type" });
      expect(res.body.message).toContain(JSON.stringify(contentType));
    },
  );

  test("answers an unknown path with 404 in the error shape, quoting only the start of a long path", async () => {
    const long = `/v1/${"x".repeat(5000)}`;
    const res = await call(fsb.url, "GET", long);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "not_found", field: "path" });
    expect(res.text.length).toBeLessThan(300);
    expect(res.body.message).toContain("(5004 characters)");
  });

  test("answers a URL Fastify cannot decode with 400 naming the path, without echoing it", async () => {
    const res = await call(fsb.url, "GET", `/v1/firms/%zz${"y".repeat(3000)}/public-key`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "bad_url", field: "path" });
    expect(res.text).not.toContain("yyyy");
  });

  test("answers headers larger than Node accepts with 431 in the error shape", async () => {
    const res = await call(fsb.url, "GET", "/healthz", { headers: { "x-pad": "p".repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.body).toEqual({ error: "headers_too_large", message: "headers: larger than the server accepts", field: "headers" });
  });

  test("answers an oversized body with 413 and a message naming the body", async () => {
    const big = order("big", { items: [{ productCode: 1 }], pad: "x".repeat(70_000) });
    const res = await sign(FIRM_A.code, big, FIRM_A.token);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "body_too_large", field: "body" });
    expect(Object.keys(res.body).sort()).toEqual(["error", "field", "message"]);
  });

  test("exposes queue depth, signatures and a latency histogram on /metrics, and /healthz", async () => {
    const m = await call(fsb.url, "GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/^fsb_queue_depth 0$/m);
    expect(m.text).toMatch(/^fsb_signatures_total\{firm="ACME"\} [1-9]/m);
    expect(m.text).toMatch(/^fsb_sign_duration_seconds_bucket\{le="0.005"\} \d+/m);
    const h = await call(fsb.url, "GET", "/healthz");
    expect(h.status).toBe(200);
    expect(h.body.status).toBe("ok");
  });

  test("never writes bearer tokens to its logs (pino redaction)", async () => {
    await sign(FIRM_A.code, order("log-1"), FIRM_A.token);
    fsb.app.log.info({ headers: { authorization: `Bearer ${FIRM_A.token}` }, token: FIRM_B.token }, "probe");
    expect(fsb.logs.text).toContain('"msg":"probe"');
    expect(fsb.logs.text).toContain("[redacted]");
    expect(fsb.logs.text).not.toContain(FIRM_A.token);
    expect(fsb.logs.text).not.toContain(FIRM_B.token);
  });
});

describe("FSB emulator persistence", () => {
  test("keeps each firm's key (file mode 0600) and its idempotency records across a restart on the same data directory", async () => {
    const first = await startFsb();
    const key1 = await call(first.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
    const signed1 = await call(first.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order("persist-1"), token: FIRM_A.token });
    await first.stop();
    const keyFile = path.join(first.dataDir, "firms", FIRM_A.code, "ed25519-private.pem");
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const second = await startFsb({}, first.dataDir);
    try {
      const key2 = await call(second.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
      expect(key2.body).toEqual(key1.body);
      const signed2 = await call(second.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order("persist-1"), token: FIRM_A.token });
      expect(signed2.body).toEqual(signed1.body);
      const fresh = await call(second.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order("persist-2"), token: FIRM_A.token });
      expect(verifySignature(fresh.body.update, fresh.body.signature, key1.body.publicKeyPem)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  test("keeps at most FSB_IDEMPOTENCY_LIMIT idempotency records per firm, forgetting the oldest and compacting the log on disk", async () => {
    const fsb = await startFsb({ FSB_IDEMPOTENCY_LIMIT: "3" });
    const sign = (id: string) => call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order(id), token: FIRM_A.token });
    const logLines = () =>
      fs
        .readFileSync(path.join(fsb.dataDir, "firms", FIRM_A.code, "requests.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean).length;
    try {
      for (let i = 1; i <= 20; i++) expect((await sign(`evict-${i}`)).status).toBe(201);
      expect(logLines()).toBeLessThanOrEqual(6);
      expect((await sign("evict-20")).headers.get("idempotent-replayed")).toBe("true");
      expect((await sign("evict-18")).headers.get("idempotent-replayed")).toBe("true");
      expect((await sign("evict-1")).headers.get("idempotent-replayed")).toBeNull();
    } finally {
      await fsb.stop();
    }
    const again = await startFsb({ FSB_IDEMPOTENCY_LIMIT: "3" }, fsb.dataDir);
    try {
      const r = await call(again.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order("evict-20"), token: FIRM_A.token });
      expect(r.headers.get("idempotent-replayed")).toBe("true");
    } finally {
      await again.stop();
    }
  });
});

describe("FSB emulator queue", () => {
  test("works one request at a time: three requests at 100 ms latency take at least 300 ms", async () => {
    const fsb = await startFsb({ FSB_SIGN_LATENCY_MS: "100" });
    try {
      const t0 = Date.now();
      const res = await Promise.all(
        [1, 2, 3].map((i) => call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order(`serial-${i}`), token: FIRM_A.token })),
      );
      expect(res.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(295);
    } finally {
      await fsb.stop();
    }
  });

  test("holds each request for the configured latency from its arrival, and says so in Server-Timing", async () => {
    const fsb = await startFsb({ FSB_SIGN_LATENCY_MS: "100" });
    try {
      const res = await Promise.all(
        [1, 2].map((i) => call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order(`timing-${i}`), token: FIRM_A.token })),
      );
      const held = res.map((r) => Number(/box;dur=([\d.]+)/.exec(r.headers.get("server-timing") ?? "")?.[1])).sort((a, b) => a - b);
      // The first is held for its own window; the second also waited for the first (one box, serial).
      expect(held[0]).toBeGreaterThanOrEqual(100);
      expect(held[0]).toBeLessThan(150);
      expect(held[1]).toBeGreaterThan(150); // two windows less the gap between the two arrivals
    } finally {
      await fsb.stop();
    }
  });

  test("answers 503 with Retry-After when the queue is full, then serves again once it drains", async () => {
    const fsb = await startFsb({ FSB_SIGN_LATENCY_MS: "300", FSB_QUEUE_LIMIT: "2" });
    try {
      const res = await Promise.all(
        Array.from({ length: 6 }, (_, i) => call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order(`q-${i}`), token: FIRM_A.token })),
      );
      const statuses = res.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 503, 503, 503]); // 1 at work + 2 waiting
      const refused = res.find((r) => r.status === 503)!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ error: "queue_full" });
      const m = await call(fsb.url, "GET", "/metrics");
      expect(m.text).toMatch(/^fsb_queue_rejections_total 3$/m);
      const later = await call(fsb.url, "POST", `/v1/firms/${FIRM_A.code}/license-updates`, { json: order("q-after"), token: FIRM_A.token });
      expect(later.status).toBe(201);
    } finally {
      await fsb.stop();
    }
  });
});
