import { bad } from "./httpErrors";

export interface TicketItem {
  productCode: number;
  quantity: number;
}

const UINT32_MAX = 4294967295;
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;
export const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const CONTAINER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const TICKET_PATTERN = /^[A-Z2-9]{5}(?:-[A-Z2-9]{5}){4}$/;
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function object(body: unknown, field: string, allowed: string[]): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw bad(field, "must be a JSON object");
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(field === "body" ? k : `${field}.${k}`, "unknown field");
  return o;
}

export function parseTicketRequest(body: unknown): { orderId: string; items: TicketItem[] } {
  const b = object(body, "body", ["orderId", "items"]);
  if (typeof b.orderId !== "string") throw bad("orderId", "is required and must be a string");
  if (!PRINTABLE.test(b.orderId)) throw bad("orderId", "must be 1-128 printable ASCII characters");
  if (!Array.isArray(b.items)) throw bad("items", "is required and must be an array");
  if (b.items.length < 1 || b.items.length > 100) throw bad("items", "must hold 1 to 100 items");
  const items = b.items.map((raw, i) => {
    const it = object(raw, `items[${i}]`, ["productCode", "quantity"]);
    if (!isInt(it.productCode, 1, UINT32_MAX)) throw bad(`items[${i}].productCode`, `is required and must be an integer from 1 to ${UINT32_MAX}`);
    if (!isInt(it.quantity, 1, 1_000_000)) throw bad(`items[${i}].quantity`, "is required and must be an integer from 1 to 1000000");
    return { productCode: it.productCode, quantity: it.quantity };
  });
  return { orderId: b.orderId, items };
}

export function parseActivationRequest(body: unknown): { container: string; idempotencyKey: string } {
  const b = object(body, "body", ["container", "idempotencyKey"]);
  if (typeof b.container !== "string") throw bad("container", "is required and must be a string");
  if (!CONTAINER_PATTERN.test(b.container)) throw bad("container", `must match ${CONTAINER_PATTERN} (e.g. a CmContainer serial like 3-1234567)`);
  if (typeof b.idempotencyKey !== "string") throw bad("idempotencyKey", "is required and must be a string");
  if (!KEY_PATTERN.test(b.idempotencyKey)) throw bad("idempotencyKey", "must be 1-128 printable ASCII characters without spaces");
  return { container: b.container, idempotencyKey: b.idempotencyKey };
}

/** `YYYY-MM` (UTC) of a date. */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}

export function parseMonth(raw: unknown, now: Date): string {
  if (raw === undefined) return monthOf(now);
  if (typeof raw !== "string" || !MONTH_PATTERN.test(raw)) throw bad("month", "must be a month as YYYY-MM, e.g. 2025-01");
  return raw;
}
