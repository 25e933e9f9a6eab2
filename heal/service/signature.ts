/**
 * The `X-Lchost-Signature` header the heal service accepts from senders other than Alertmanager (the team's
 * tools, tests): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, at most 5 minutes from the
 * service's clock either way. Alertmanager itself cannot sign a body; it authenticates with its TLS client
 * certificate and a bearer token instead (heal/service/auth.ts, docs/self-healing.md).
 */
import * as crypto from "crypto";

export const HEAL_SIGNATURE_HEADER = "x-lchost-signature";
export const HEAL_SIGNATURE_MAX_AGE_SECONDS = 300;

/** hex HMAC-SHA256(secret, "<t>.<body>") */
export function healSignatureHex(secret: string, t: string, body: string | Buffer): string {
  return crypto.createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
}

/** The header value for `body` (sign the exact bytes you send). */
export function signHealRequest(secret: string, body: string | Buffer, nowMs: number = Date.now()): string {
  const t = String(Math.floor(nowMs / 1000));
  return `t=${t},v1=${healSignatureHex(secret, t, body)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch"; message: string };

export function checkHealSignature(
  secret: string,
  header: string | string[] | undefined,
  body: Buffer,
  nowMs: number = Date.now(),
  maxAgeSeconds = HEAL_SIGNATURE_MAX_AGE_SECONDS,
): SignatureCheck {
  if (header === undefined) return { ok: false, reason: "missing", message: "X-Lchost-Signature: missing" };
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value.trim());
  if (!m) return { ok: false, reason: "malformed", message: "X-Lchost-Signature: must be t=<unix seconds>,v1=<64 hex digits>" };
  const age = Math.abs(nowMs / 1000 - Number(m[1]));
  if (age > maxAgeSeconds)
    return { ok: false, reason: "stale", message: `X-Lchost-Signature: t is ${Math.round(age)} s from the service's clock (at most ${maxAgeSeconds} s)` };
  const want = Buffer.from(healSignatureHex(secret, m[1], body), "hex");
  // both are 32 bytes: the comparison takes the same time whatever was sent
  if (!crypto.timingSafeEqual(want, Buffer.from(m[2], "hex"))) return { ok: false, reason: "mismatch", message: "X-Lchost-Signature: does not match the body" };
  return { ok: true };
}
