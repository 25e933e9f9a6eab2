#!/usr/bin/env node
/*
 * Drives the smoke test against running containers: waits for readiness, creates a ticket through the
 * admin API, activates it through the depot, verifies the Ed25519 signature against the FSB's public
 * key (canonical JSON re-implemented here, independently of the emulator's code), deactivates, and
 * checks the month's usage. Env: LC_URL, LC_ADMIN_URL, FSB_URL_HOST, FIRM, ADMIN_TOKEN.
 */
"use strict";
const crypto = require("crypto");

const { LC_URL, LC_ADMIN_URL, FSB_URL_HOST, FIRM, ADMIN_TOKEN } = process.env;
for (const [k, v] of Object.entries({ LC_URL, LC_ADMIN_URL, FSB_URL_HOST, FIRM, ADMIN_TOKEN })) if (!v) throw new Error(`${k} is required`);

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

async function call(method, url, body, token) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text };
}

function expect(cond, what) {
  if (!cond) throw new Error(`smoke: ${what}`);
  console.log(`ok - ${what}`);
}

async function main() {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await call("GET", `${LC_URL}/readyz`).catch((e) => ({ status: 0, text: e.message }));
    if (r.status === 200) break;
    if (Date.now() > deadline) throw new Error(`License Central not ready: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  console.log("ok - License Central ready (database and FSB reachable)");
  const ws = await call("POST", `${LC_URL}/ws/v1/tickets`, { orderId: "x", items: [{ productCode: 1, quantity: 1 }] }, "whatever-token");
  expect(ws.status === 403, `web services are off in this edition (403: ${ws.body && ws.body.message})`);
  const orderId = `SMOKE-${Date.now()}`;
  const t = await call("POST", `${LC_ADMIN_URL}/admin/v1/tickets`, { orderId, items: [{ productCode: 201, quantity: 3 }] }, ADMIN_TOKEN);
  expect(t.status === 201 && /^[A-Z2-9-]{29}$/.test(t.body.ticket), `admin API created ticket ${t.body && t.body.ticket}`);
  const act = await call("POST", `${LC_URL}/depot/v1/tickets/${t.body.ticket}/activations`, { container: "3-4242", idempotencyKey: `smoke-${orderId}` });
  expect(act.status === 201, `depot activated the ticket into container 3-4242 (${act.status})`);
  const key = await call("GET", `${FSB_URL_HOST}/v1/firms/${FIRM}/public-key`);
  expect(key.status === 200 && key.body.keyId === act.body.keyId, `FSB public key ${key.body.keyId} matches the update's keyId`);
  const valid = crypto.verify(null, Buffer.from(canonical(act.body.update)), key.body.publicKeyPem, Buffer.from(act.body.signature, "base64"));
  expect(valid, "Ed25519 signature of the license update verifies against the FSB public key");
  const again = await call("POST", `${LC_URL}/depot/v1/tickets/${t.body.ticket}/activations`, { container: "3-4242", idempotencyKey: `smoke-${orderId}` });
  expect(again.status === 201 && again.body.signature === act.body.signature, "the same idempotency key returns the original signed update");
  const deact = await call("DELETE", `${LC_URL}/depot/v1/tickets/${t.body.ticket}/activations/3-4242`);
  expect(deact.status === 200 && deact.body.receiptId, "deactivation returned a receipt");
  const usage = await call("GET", `${LC_ADMIN_URL}/admin/v1/usage`, undefined, ADMIN_TOKEN);
  expect(
    usage.body.activations === 1 && usage.body.deactivations === 1,
    `usage this month: ${usage.body.activations} activation, ${usage.body.deactivations} deactivation`,
  );
  console.log("smoke: PASS");
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
