/**
 * The signature of the notifier's outgoing webhooks, both sides: the notifier signs with
 * signLchostPayload, receivers (the customer, the sandbox's webhook sink, the tests) check with
 * verifyLchostSignature. docs/notifications.md documents exactly this logic (and an openssl recipe).
 * Part of the notifier's contract: it imports only Node's crypto and ./env, so the toolkit may use it.
 *
 *   X-Lchost-Timestamp: <unix seconds>
 *   X-Lchost-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   X-Lchost-Delivery:  <uuid>
 */
import * as crypto from "crypto";
import { SIGNATURE_HEADERS, SIGNATURE_MAX_AGE_SECONDS } from "./env";

export interface LchostSignatureHeaders {
  "X-Lchost-Timestamp": string;
  "X-Lchost-Signature": string;
  "X-Lchost-Delivery": string;
}

/** hex HMAC-SHA256(secret, "<timestamp>.<body>") */
export function lchostSignatureHex(secret: string, timestamp: string, body: string | Buffer): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** The three headers of one delivery of `body` (sign the exact bytes you send). */
export function signLchostPayload(
  secret: string,
  body: string | Buffer,
  nowMs: number = Date.now(),
  deliveryId: string = crypto.randomUUID(),
): LchostSignatureHeaders {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: `sha256=${lchostSignatureHex(secret, timestamp, body)}`,
    [SIGNATURE_HEADERS.delivery]: deliveryId,
  } as LchostSignatureHeaders;
}

/** Delivery ids a receiver has accepted (a Set works; keep them at least SIGNATURE_MAX_AGE_SECONDS). */
export interface SeenDeliveries {
  has(id: string): boolean;
  add(id: string): unknown;
}

export type VerifyResult =
  | { ok: true; deliveryId: string; timestamp: number }
  | { ok: false; reason: "missing_header" | "malformed_header" | "bad_signature" | "stale_timestamp" | "replayed"; message: string };

export interface VerifyInput {
  secret: string;
  /** The raw request body, byte for byte as received (never a re-serialised JSON). */
  body: string | Buffer;
  /** Request headers (any case, as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  /** Receiver's clock in ms (default now). */
  nowMs?: number;
  /** When given, a delivery id seen before is refused, and an accepted one is added. */
  seen?: SeenDeliveries;
  maxAgeSeconds?: number;
}

function header(headers: VerifyInput["headers"], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

/**
 * The documented check, in this order: the three headers present; the signature matches the body (in
 * constant time); the timestamp within maxAgeSeconds (300) of the receiver's clock; the delivery id not
 * seen before. Only a delivery that passes all four is added to `seen`.
 */
export function verifyLchostSignature(input: VerifyInput): VerifyResult {
  const timestamp = header(input.headers, SIGNATURE_HEADERS.timestamp);
  const signature = header(input.headers, SIGNATURE_HEADERS.signature);
  const deliveryId = header(input.headers, SIGNATURE_HEADERS.delivery);
  for (const [name, v] of [
    [SIGNATURE_HEADERS.timestamp, timestamp],
    [SIGNATURE_HEADERS.signature, signature],
    [SIGNATURE_HEADERS.delivery, deliveryId],
  ] as const) {
    if (!v) return { ok: false, reason: "missing_header", message: `${name}: missing` };
  }
  if (!/^\d{1,12}$/.test(timestamp!)) return { ok: false, reason: "malformed_header", message: `${SIGNATURE_HEADERS.timestamp}: must be unix seconds` };
  const m = /^sha256=([0-9a-f]{64})$/.exec(signature!);
  if (!m) return { ok: false, reason: "malformed_header", message: `${SIGNATURE_HEADERS.signature}: must be sha256=<64 lower-case hex digits>` };
  const expected = Buffer.from(lchostSignatureHex(input.secret, timestamp!, input.body), "hex");
  if (!crypto.timingSafeEqual(expected, Buffer.from(m[1], "hex"))) {
    return { ok: false, reason: "bad_signature", message: `${SIGNATURE_HEADERS.signature}: does not match the body and timestamp` };
  }
  const ts = Number(timestamp);
  const maxAge = input.maxAgeSeconds ?? SIGNATURE_MAX_AGE_SECONDS;
  const skew = Math.abs((input.nowMs ?? Date.now()) / 1000 - ts);
  if (skew > maxAge) {
    return { ok: false, reason: "stale_timestamp", message: `${SIGNATURE_HEADERS.timestamp}: ${Math.round(skew)} s from now, more than ${maxAge} s` };
  }
  if (input.seen) {
    if (input.seen.has(deliveryId!)) return { ok: false, reason: "replayed", message: `${SIGNATURE_HEADERS.delivery}: ${deliveryId} was delivered before` };
    input.seen.add(deliveryId!);
  }
  return { ok: true, deliveryId: deliveryId!, timestamp: ts };
}
