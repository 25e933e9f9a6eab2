/**
 * Issue 15.5: License Central verifies the FSB's Ed25519 signature with the firm's key, pinned per line
 * (fetched once from GET /v1/firms/{firm}/public-key, or FSB_PUBLIC_KEY), and checks the answer's shape.
 * Before, any 201 with a string "signature" was stored and handed to the customer as a signed licence.
 */
import * as crypto from "crypto";
import { canonicalJson } from "../../../service-kit/src/canonicalJson";
import { FakeFsb, startFakeFsb } from "../../support/fakeFsb";
import { call, FIRM_A, inspect, RunningFsb, RunningLc, startFsb, startLc, verifySignature } from "../../support/services";

const ITEMS = [{ productCode: 1001, quantity: 2 }];

let fsb: RunningFsb;
let fake: FakeFsb;
let lc: RunningLc;
let ticket: string;
let n = 0;
beforeAll(async () => {
  fsb = await startFsb();
  fake = await startFakeFsb(fsb.url);
  // hard quota of 1: every refused answer must release its reservation, or the good one at the end is 429
  lc = await startLc(fake.url, { QUOTA_MODE: "hard", LC_QUOTA_ACTIVATIONS_PER_MONTH: "1" });
  ticket = (await call(lc.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "SIG-1", items: ITEMS }, token: lc.adminToken })).body.ticket;
}, 60_000);
afterAll(async () => {
  await lc.stop();
  await fake.stop();
  await fsb.stop();
});

const activate = (l: RunningLc, t: string) =>
  call(l.publicUrl, "POST", `/depot/v1/tickets/${t}/activations`, { json: { container: "3-77", idempotencyKey: `sig-${++n}` } });
const otherKey = crypto.generateKeyPairSync("ed25519");

const BAD_ANSWERS: Array<[string, FakeFsb["mode"]]> = [
  ["a forged signature", { kind: "rewrite", rewrite: (b) => ({ ...b, signature: crypto.randomBytes(64).toString("base64") }) }],
  ['{"update":null,"signature":"forged"}', { kind: "answer", status: 201, body: '{"update":null,"signature":"forged"}' }],
  ["a non-JSON 201", { kind: "answer", status: 201, body: "signed, trust me" }],
  ["an empty 200", { kind: "answer", status: 200, body: "" }],
  ["a wrong key id", { kind: "rewrite", rewrite: (b) => ({ ...b, keyId: "0000000000000000", update: { ...b.update, keyId: "0000000000000000" } }) }],
  [
    "an update re-signed with another key under the pinned key id",
    { kind: "rewrite", rewrite: (b) => ({ ...b, signature: crypto.sign(null, Buffer.from(canonicalJson(b.update)), otherKey.privateKey).toString("base64") }) },
  ],
  [
    "a tampered update (more licences) with the original signature",
    { kind: "rewrite", rewrite: (b) => ({ ...b, update: { ...b.update, items: [{ productCode: 1001, quantity: 999 }] } }) },
  ],
  ["an update for another container", { kind: "rewrite", rewrite: (b) => ({ ...b, update: { ...b.update, container: "3-66" } }) }],
  ["a signature that is not base64", { kind: "rewrite", rewrite: (b) => ({ ...b, signature: "forged!" }) }],
];

describe("License Central verifies what the FSB signed", () => {
  test.each(BAD_ANSWERS)("%s is answered 502 fsb_bad_answer and nothing is stored", async (_name, mode) => {
    fake.mode = mode;
    try {
      const res = await activate(lc, ticket);
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ error: "fsb_bad_answer" });
      expect(res.text).not.toContain('signature":"');
    } finally {
      fake.mode = { kind: "forward" };
    }
    expect(await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_activations")).toEqual([{ n: 0 }]);
    expect(await inspect(lc.database, "SELECT active_key FROM lc_tickets WHERE ticket = ?", [ticket])).toEqual([{ active_key: null }]);
    expect(await inspect(lc.database, "SELECT COUNT(*) AS n FROM lc_usage_events WHERE kind = 'activation'")).toEqual([{ n: 0 }]);
  });

  test("after all of them the reservation is free: an honest answer activates (201, verified), and the key was fetched once", async () => {
    const res = await activate(lc, ticket);
    expect(res.status).toBe(201);
    const pub = await call(fsb.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`);
    expect(verifySignature(res.body.update, res.body.signature, pub.body.publicKeyPem)).toBe(true);
    expect(fake.keyRequests).toBe(1);
    const m = await call(lc.adminUrl, "GET", "/metrics");
    expect(m.text).toMatch(new RegExp(`^lc_fsb_errors_total\\{edition="reference"\\} ${BAD_ANSWERS.length}$`, "m"));
  });

  test("FSB_PUBLIC_KEY pins the key up front: the right key serves without fetching it, another key refuses every answer", async () => {
    const pub = (await call(fsb.url, "GET", `/v1/firms/${FIRM_A.code}/public-key`)).body.publicKeyPem as string;
    const own = await startFakeFsb(fsb.url);
    const pinned = await startLc(own.url, { FSB_PUBLIC_KEY: pub.replace(/\n/g, "\\n") });
    const wrong = await startLc(fsb.url, { FSB_PUBLIC_KEY: otherKey.publicKey.export({ type: "spki", format: "pem" }).toString() });
    try {
      const t1 = (await call(pinned.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "SIG-2", items: ITEMS }, token: pinned.adminToken })).body.ticket;
      expect((await activate(pinned, t1)).status).toBe(201);
      expect(own.keyRequests).toBe(0);
      const t2 = (await call(wrong.adminUrl, "POST", "/admin/v1/tickets", { json: { orderId: "SIG-3", items: ITEMS }, token: wrong.adminToken })).body.ticket;
      const refused = await activate(wrong, t2);
      expect(refused.status).toBe(502);
      expect(refused.body.error).toBe("fsb_bad_answer");
      expect(await inspect(wrong.database, "SELECT COUNT(*) AS n FROM lc_activations")).toEqual([{ n: 0 }]);
    } finally {
      await pinned.stop();
      await wrong.stop();
      await own.stop();
    }
  }, 60_000);
});
