/**
 * The heal service's HTTP side (fastify.inject): who may post, what is refused (and that nothing runs then),
 * resolved alerts, dry run, and the queue per customer.
 */
import pino from "pino";
import { Writable } from "stream";
import { buildHealApp, HEAL_WEBHOOK_PATH } from "../../../heal/service/app";
import { MemoryAuditLog } from "../../../heal/service/auditLog";
import { Healer } from "../../../heal/service/healer";
import { HealNotifier } from "../../../heal/service/notifications";
import { signHealRequest } from "../../../heal/service/signature";
import type { HealAlert, Playbook } from "../../../heal/playbook";

const TOKEN = "alertmanager-token-0123456789abcdef";
const SECRET = "signature-secret-0123456789abcdef";

function payload(over: Partial<Record<string, unknown>> = {}, alert: Partial<Record<string, unknown>> = {}) {
  return {
    version: "4",
    groupKey: '{}:{customer="hooli"}',
    status: "firing",
    receiver: "heal",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://am",
    alerts: [
      {
        status: "firing",
        labels: { alertname: "LineDown", customer: "hooli", severity: "critical", component: "line", part: "line-2" },
        annotations: { summary: "x" },
        startsAt: "2026-11-28T20:00:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        fingerprint: "abc123",
        ...alert,
      },
    ],
    ...over,
  };
}

function setup(o: { peerVerified?: boolean; dryRun?: boolean; secret?: string } = {}) {
  const logs: string[] = [];
  const logger = pino(
    { level: "info", redact: ["req.headers.authorization"] },
    new Writable({
      write(c, _e, cb) {
        logs.push(String(c));
        cb();
      },
    }),
  );
  const ran: HealAlert[] = [];
  const playbook: Playbook = {
    name: "test-pb",
    matches: (a) => a.name === "LineDown",
    plan: async (ctx) => [{ part: { customer: ctx.alert.customer, role: "line", index: 2 }, summary: "restart line-2" }],
    run: async (ctx) => {
      ran.push(ctx.alert);
      return { kind: "succeeded", detail: "done" };
    },
  };
  const audit = new MemoryAuditLog();
  const posted: unknown[] = [];
  const healer = new Healer({
    playbooks: [playbook],
    seams: { runtime: "sandbox" },
    audit,
    notifier: new HealNotifier({ postAlerts: async (a) => void posted.push(...a) }, () => undefined),
    budget: { maxAttempts: 2, windowMs: 3600_000, minIntervalMs: 0 },
    dryRun: o.dryRun ?? false,
    log: logger,
  });
  const app = buildHealApp({
    logger,
    healer,
    token: TOKEN,
    signatureSecret: "secret" in o ? o.secret : SECRET,
    bodyLimitBytes: 4096,
    peerVerified: () => o.peerVerified ?? false,
  });
  return { app, healer, ran, audit, posted, logs };
}

const json = { "content-type": "application/json" };

describe("heal service: who may post", () => {
  it("accepts a client-certificate + bearer post and runs the playbook; answers before it has run", async () => {
    const s = setup({ peerVerified: true });
    const r = await s.app.inject({ method: "POST", url: HEAL_WEBHOOK_PATH, headers: { ...json, authorization: `Bearer ${TOKEN}` }, payload: payload() });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ accepted: 1, resolved: 0, dryRun: false });
    await s.healer.idle();
    expect(s.ran).toHaveLength(1);
    expect(s.audit.all.map((x) => [x.playbook, x.part, x.outcome, x.alertName, x.alertFingerprint])).toEqual([
      ["test-pb", "hooli/line-2", "succeeded", "LineDown", "abc123"],
    ]);
    expect(s.posted).toHaveLength(1);
  });

  it("refuses the bearer token without a verified client certificate, and a wrong token with one; nothing runs, the token is not logged", async () => {
    const noCert = setup({ peerVerified: false });
    const a = await noCert.app.inject({ method: "POST", url: HEAL_WEBHOOK_PATH, headers: { ...json, authorization: `Bearer ${TOKEN}` }, payload: payload() });
    expect(a.statusCode).toBe(401);
    expect(a.json().field).toBe("tls");
    const cert = setup({ peerVerified: true });
    const b = await cert.app.inject({
      method: "POST",
      url: HEAL_WEBHOOK_PATH,
      headers: { ...json, authorization: "Bearer wrong-token-wrong-token" },
      payload: payload(),
    });
    expect(b.statusCode).toBe(401);
    expect(b.json().field).toBe("authorization");
    const c = await cert.app.inject({ method: "POST", url: HEAL_WEBHOOK_PATH, headers: json, payload: payload() });
    expect(c.statusCode).toBe(401);
    for (const s of [noCert, cert]) {
      await s.healer.idle();
      expect(s.ran).toEqual([]);
      expect(s.audit.all).toEqual([]);
      expect(s.logs.join("")).toMatch(/alert post refused; nothing runs/);
      expect(s.logs.join("")).not.toContain(TOKEN);
      expect(s.logs.join("")).not.toContain("wrong-token-wrong-token");
    }
  });

  it("accepts a correctly signed post; refuses unsigned, wrongly signed, stale, malformed-header and tampered posts", async () => {
    const s = setup();
    const body = JSON.stringify(payload());
    const ok = await s.app.inject({
      method: "POST",
      url: HEAL_WEBHOOK_PATH,
      headers: { ...json, "x-lchost-signature": signHealRequest(SECRET, body) },
      payload: body,
    });
    expect(ok.statusCode).toBe(200);
    await s.healer.idle();
    expect(s.ran).toHaveLength(1);
    const refused = [
      { headers: json, payload: body },
      { headers: { ...json, "x-lchost-signature": signHealRequest("another-secret-0123456789", body) }, payload: body },
      { headers: { ...json, "x-lchost-signature": signHealRequest(SECRET, body, Date.now() - 6 * 60_000) }, payload: body },
      { headers: { ...json, "x-lchost-signature": "sha256=abc" }, payload: body },
      { headers: { ...json, "x-lchost-signature": signHealRequest(SECRET, body) }, payload: body.replace("line-2", "line-3") },
      // a signature over a malformed body is checked before the JSON is: 401, not 400
      { headers: { ...json, "x-lchost-signature": signHealRequest(SECRET, "{}") }, payload: "{not json" },
    ];
    for (const r of refused) {
      const res = await s.app.inject({ method: "POST", url: HEAL_WEBHOOK_PATH, ...r });
      expect([res.statusCode, res.json().error]).toEqual([401, "unauthorized"]);
    }
    await s.healer.idle();
    expect(s.ran).toHaveLength(1);
  });

  it("refuses signed posts when no signature secret is configured", async () => {
    const s = setup({ secret: undefined });
    const body = JSON.stringify(payload());
    const r = await s.app.inject({
      method: "POST",
      url: HEAL_WEBHOOK_PATH,
      headers: { ...json, "x-lchost-signature": signHealRequest(SECRET, body) },
      payload: body,
    });
    expect(r.statusCode).toBe(401);
  });
});

describe("heal service: what is refused after authentication", () => {
  const signed = (s: ReturnType<typeof setup>, body: string, type = "application/json") =>
    s.app.inject({
      method: "POST",
      url: HEAL_WEBHOOK_PATH,
      headers: { "content-type": type, "x-lchost-signature": signHealRequest(SECRET, body) },
      payload: body,
    });

  it("malformed JSON, a payload that is not Alertmanager's, an over-size body, another content type: 400/413/415 naming the field; nothing runs", async () => {
    const s = setup();
    const bad = await signed(s, "{not json");
    expect([bad.statusCode, bad.json().error]).toEqual([400, "malformed_json"]);
    const v3 = await signed(s, JSON.stringify(payload({ version: "3" })));
    expect([v3.statusCode, v3.json().field]).toEqual([400, "version"]);
    const noCustomer = await signed(
      s,
      JSON.stringify(payload({}, { labels: { alertname: "LineDown", severity: "critical", component: "line", part: "line-2" } })),
    );
    expect(noCustomer.statusCode).toBe(400);
    expect(noCustomer.json().message).toMatch(/customer/);
    const big = await signed(s, JSON.stringify(payload({ pad: "x".repeat(5000) })));
    expect([big.statusCode, big.json().error]).toEqual([413, "body_too_large"]);
    const text = await signed(s, JSON.stringify(payload()), "text/plain");
    expect(text.statusCode).toBe(415);
    await s.healer.idle();
    expect(s.ran).toEqual([]);
    expect(s.audit.all).toEqual([]);
  });

  it("resolved alerts: answered, nothing runs", async () => {
    const s = setup();
    const r = await signed(s, JSON.stringify(payload({ status: "resolved" }, { status: "resolved" })));
    expect(r.json()).toEqual({ accepted: 0, resolved: 1, dryRun: false });
    await s.healer.idle();
    expect(s.ran).toEqual([]);
  });

  it("dry run: plan only, audited as dry run, nothing runs, nobody is notified", async () => {
    const s = setup({ dryRun: true });
    const r = await signed(s, JSON.stringify(payload()));
    expect(r.json().dryRun).toBe(true);
    await s.healer.idle();
    expect(s.ran).toEqual([]);
    expect(s.audit.all.map((x) => [x.outcome, x.dryRun, x.summary])).toEqual([["planned", true, "restart line-2"]]);
    expect(s.posted).toEqual([]);
  });
});
