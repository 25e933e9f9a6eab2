/**
 * The verification recipe of docs/notifications.md, run exactly as the page shows it (the openssl shell
 * script and the Node function), on real deliveries of the notifier recorded by the sandbox's webhook sink.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { verifyLchostSignature } from "../../notifier/src/webhookSignature";
import type { RecordedWebhook } from "../../sandbox/ops/webhookSink";
import { docBlock } from "../support/notificationsDoc";
import { amAlert, amPayload, NotifierHarness, SECRETS, startNotifier } from "../support/notifierHarness";

jest.setTimeout(90_000);

describe("the documented webhook verification detects forgery and replay", () => {
  let n: NotifierHarness;
  let script: string;
  let nodeVerify: (secret: string, headers: Record<string, string>, raw: Buffer, seen: Set<string>, nowMs?: number) => string;

  beforeAll(async () => {
    n = await startNotifier();
    script = path.join(n.dir, "verify-lchost.sh");
    fs.writeFileSync(script, docBlock("recipe openssl"), { mode: 0o700 });
    const nodeFile = path.join(n.dir, "verify-lchost.js");
    fs.writeFileSync(nodeFile, `${docBlock("recipe node")}\nmodule.exports = verifyLchostDelivery;\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    nodeVerify = require(nodeFile);
  });
  afterAll(async () => {
    await n?.stop();
  });

  /** A real delivery to acme's webhook (the sink recorded its raw body and headers). */
  async function deliver(): Promise<RecordedWebhook> {
    n.hooks.records.clear();
    const res = await n.post("acme", "webhook", amPayload([amAlert({})]));
    expect(res.status).toBe(200);
    const [rec] = n.hooks.records.all();
    expect(rec.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    return rec;
  }

  function openssl(rec: RecordedWebhook, opts: { body?: string; secret?: string; seenFile?: string } = {}): { ok: boolean; out: string } {
    const bodyFile = path.join(n.dir, `body-${rec.deliveryId}.json`);
    fs.writeFileSync(bodyFile, opts.body ?? rec.raw);
    const args = [script, rec.timestamp!, rec.signature!, rec.deliveryId!, bodyFile, opts.seenFile ?? path.join(n.dir, `seen-${rec.deliveryId}.txt`)];
    try {
      return {
        ok: true,
        out: execFileSync("sh", args, { env: { PATH: process.env.PATH, LCHOST_SECRET: opts.secret ?? SECRETS.acme }, encoding: "utf8", timeout: 20_000 }),
      };
    } catch (err: any) {
      return { ok: false, out: String(err.stdout) };
    }
  }

  const headersOf = (rec: RecordedWebhook) => ({
    "x-lchost-timestamp": rec.timestamp!,
    "x-lchost-signature": rec.signature!,
    "x-lchost-delivery": rec.deliveryId!,
  });

  test("a genuine delivery verifies with openssl, with the Node snippet and in the sink", async () => {
    const rec = await deliver();
    expect(rec.verified).toBe(true);
    expect(openssl(rec)).toEqual({ ok: true, out: "OK\n" });
    expect(nodeVerify(SECRETS.acme, headersOf(rec), Buffer.from(rec.raw), new Set())).toBe("ok");
  });

  test("a forged body is rejected", async () => {
    const rec = await deliver();
    const forged = rec.raw.replace('"severity":"critical"', '"severity":"info"');
    expect(forged).not.toBe(rec.raw);
    expect(openssl(rec, { body: forged })).toEqual({ ok: false, out: "REJECT: signature does not match\n" });
    expect(nodeVerify(SECRETS.acme, headersOf(rec), Buffer.from(forged), new Set())).toBe("bad signature");
    expect(verifyLchostSignature({ secret: SECRETS.acme, body: forged, headers: headersOf(rec) })).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  test("a delivery checked with another customer's secret is rejected", async () => {
    const rec = await deliver();
    expect(openssl(rec, { secret: SECRETS.globex })).toEqual({ ok: false, out: "REJECT: signature does not match\n" });
    expect(nodeVerify(SECRETS.globex, headersOf(rec), Buffer.from(rec.raw), new Set())).toBe("bad signature");
  });

  test("a delivery signed more than 300 s ago is rejected (and the sink rejected it too)", async () => {
    n.setClockOffsetMs(-301_000);
    let rec: RecordedWebhook;
    try {
      n.hooks.records.clear();
      // the sink refuses it with 401, so the notifier reports the failed delivery to Alertmanager
      expect((await n.post("acme", "webhook", amPayload([amAlert({})]))).status).toBe(502);
      [rec] = n.hooks.records.all();
    } finally {
      n.setClockOffsetMs(0);
    }
    expect(rec).toMatchObject({ verified: false, reason: "stale_timestamp", answered: 401 });
    expect(openssl(rec).out).toMatch(/^REJECT: timestamp is 30\d s away\n$/);
    expect(nodeVerify(SECRETS.acme, headersOf(rec), Buffer.from(rec.raw), new Set())).toBe("stale timestamp");
  });

  test("a replayed delivery id is rejected the second time", async () => {
    const rec = await deliver();
    const seenFile = path.join(n.dir, "seen-shared.txt");
    expect(openssl(rec, { seenFile })).toEqual({ ok: true, out: "OK\n" });
    expect(openssl(rec, { seenFile })).toEqual({ ok: false, out: `REJECT: delivery ${rec.deliveryId} seen before\n` });
    const seen = new Set<string>();
    expect(nodeVerify(SECRETS.acme, headersOf(rec), Buffer.from(rec.raw), seen)).toBe("ok");
    expect(nodeVerify(SECRETS.acme, headersOf(rec), Buffer.from(rec.raw), seen)).toBe("replayed");
  });

  test("the sink itself refuses a replay of a recorded delivery with 401", async () => {
    const rec = await deliver();
    const res = await fetch(n.hooks.url("acme"), { method: "POST", headers: { "content-type": "application/json", ...headersOf(rec) }, body: rec.raw });
    expect(res.status).toBe(401);
    expect(n.hooks.records.all()[1]).toMatchObject({ verified: false, reason: "replayed" });
  });
});
