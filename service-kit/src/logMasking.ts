/**
 * Secrets that are not credentials but must not reach the logs either — ticket codes (whoever has one can
 * activate it) and idempotency keys — appear there only as their first 4 characters plus a short hash:
 * enough to correlate log lines of one ticket, useless to activate it.
 */
import * as crypto from "crypto";

/** `ABCD…#1a2b3c4d`: the first 4 characters and 8 hex digits of the SHA-256 of the whole value. */
export function maskSecret(value: string): string {
  return `${value.slice(0, 4)}…#${crypto.createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
}

/** Replaces every listed value (longest first) in `text` by its mask. */
export function maskValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join(maskSecret(s));
  return out;
}

/** Applies `mask` to every string in a log argument (plain objects and arrays copied, errors turned into plain objects). */
export function maskDeep(value: unknown, mask: (s: string) => string, depth = 0): unknown {
  if (typeof value === "string") return mask(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; errno?: unknown; status?: unknown };
    // mysql2 errors carry the SQL with its parameters (sql) and the server's text (sqlMessage): never logged
    return { type: e.name, message: mask(e.message), stack: e.stack ? mask(e.stack) : undefined, code: e.code, errno: e.errno, status: e.status };
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask, depth + 1));
  // only plain data is copied: framework objects (a request, a reply) go to their serializers untouched
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === "sql" || k === "sqlMessage") continue;
    out[k] = maskDeep(v, mask, depth + 1);
  }
  return out;
}
