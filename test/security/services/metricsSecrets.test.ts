/**
 * The attack review of issue 9's service metrics: License Central serves /metrics on its admin port only (its
 * public port, which the gateway forwards to, answers 404 to every spelling), and neither its metrics nor the
 * FSB emulator's carry a ticket code, an idempotency key, a token or a label value a caller chose.
 */
import { startFakeFsb, FakeFsb } from "../../support/fakeFsb";
import { call, FIRM_A, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

jest.setTimeout(120_000);

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let fsb: RunningFsb;
let fake: FakeFsb;
let lc: RunningLc;
beforeAll(async () => {
  fsb = await startFsb();
  fake = await startFakeFsb(fsb.url);
  lc = await startLc(fake.url);
});
afterAll(async () => {
  await lc?.stop();
  await fake?.stop();
  await fsb?.stop();
});

async function text(url: string, path: string, method = "GET"): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}${path}`, { method, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text() };
}

/** Every label value of a Prometheus text exposition. */
function labelValues(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((x) => x[1])));
}

describe("License Central's and the FSB's /metrics", () => {
  test.each(["/metrics", "/METRICS", "/metrics/", "//metrics", "/%6detrics", "/./metrics", "/metrics?x=1"])(
    "License Central's public port answers %s with 404 (no metrics text)",
    async (p) => {
      const r = await text(lc.publicUrl, p);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain("lc_activations_total");
    },
  );

  test("after activations, refusals and an FSB error, no metric of either service holds a ticket code, a key or a token", async () => {
    const created = await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "MET-1", items: ITEMS }, token: lc.wsToken });
    const ticket: string = created.body.ticket;
    const key = "metrics-idem-key-5c1e";
    expect((await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-8", idempotencyKey: key } })).status).toBe(201);
    await call(lc.publicUrl, "POST", "/depot/v1/tickets/NOT-A-REAL-CODE-123/activations", { json: { container: "3-9", idempotencyKey: "k-unknown-ticket" } });
    fake.mode = { kind: "answer", status: 500, body: JSON.stringify({ error: "boom", message: `requestId ${key}-2 for ${ticket}` }) };
    try {
      await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-10", idempotencyKey: `${key}-2` } });
    } finally {
      fake.mode = { kind: "forward" };
    }
    // callers choosing firm names and tokens at the FSB
    for (const firm of ["EVIL", "ACME%0Aevil", FIRM_A.code])
      await fetch(`${fsb.url}/v1/firms/${firm}/license-updates`, {
        method: "POST",
        headers: { authorization: "Bearer guessed-token-0000", "content-type": "application/json" },
        body: "{}",
      });

    const lcMetrics = await text(lc.adminUrl, "/metrics");
    const fsbMetrics = await text(fsb.url, "/metrics");
    expect(lcMetrics.status).toBe(200);
    expect(lcMetrics.body).toContain("lc_activations_total");
    expect(fsbMetrics.status).toBe(200);
    for (const body of [lcMetrics.body, fsbMetrics.body]) {
      for (const secret of [ticket, ticket.slice(0, 11), key, "NOT-A-REAL-CODE-123", lc.wsToken, lc.adminToken, FIRM_A.token, "guessed-token-0000", "EVIL"])
        expect(body).not.toContain(secret);
    }
    // label values come from fixed sets (results, quotas, modes, the edition, firms that exist)
    const values = [...labelValues(lcMetrics.body), ...labelValues(fsbMetrics.body)];
    expect(values.filter((v) => !/^([a-z][a-zA-Z-]*|[A-Z]{2,10}|[\d.e+-]+|\+Inf)$/.test(v))).toEqual([]);
  });
});
