/**
 * The silence of announced maintenance on one stack, as Alertmanager takes it: which alerts it covers
 * (label `customer`, see the monitoring contract: one value per customer stack, and the shared server's
 * parts are alerted once per tenant) and the window. Pure; api.ts sends it.
 */
import { LCHOST_SILENCE_AUTHOR, SilenceMatcher, SilenceRequest } from "./api";

/** A value given for a silence is not usable; `field` is the flag or key that gave it. */
export class SilenceInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** What a silence must cover: the customers whose alerts carry `customer="<name>"`. */
export type SilencedStack = { kind: "customer"; customer: string } | { kind: "shared-server"; name: string; tenants: string[] };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time with a time zone (a time without one would mean something else on every machine). */
export function parseIsoTime(value: string, field: string): Date {
  const v = value.trim();
  const d = new Date(v);
  if (!ISO_TIME.test(v) || Number.isNaN(d.getTime()))
    throw new SilenceInputError(field, `'${value}' is not an ISO 8601 time with a time zone (e.g. 2026-11-28T22:00:00Z or 2026-11-28T23:00+01:00)`);
  return d;
}

/** Regex-quotes a label value for an Alertmanager (RE2, fully anchored) matcher. */
function quoteRe2(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** The matchers of a stack's alerts: its customer, or every tenant of a shared server (one regex matcher). */
export function customerMatchers(stack: SilencedStack): SilenceMatcher[] {
  if (stack.kind === "customer") return [{ name: "customer", value: stack.customer, isRegex: false, isEqual: true }];
  if (stack.tenants.length === 0) throw new SilenceInputError("lchost:tenants", `shared server '${stack.name}' has no tenants: there is nothing to silence`);
  if (stack.tenants.length === 1) return [{ name: "customer", value: stack.tenants[0], isRegex: false, isEqual: true }];
  return [{ name: "customer", value: stack.tenants.map(quoteRe2).join("|"), isRegex: true, isEqual: true }];
}

export interface MaintenanceSilenceInput {
  stack: SilencedStack;
  from: Date;
  to: Date;
  reason: string;
  /** Now, for the "already over" check. */
  now: Date;
  /** The flags that gave each value, for the messages. */
  fields?: { from?: string; to?: string; reason?: string };
}

/** The silence request of a maintenance window, after checking the window and the reason. */
export function maintenanceSilence(input: MaintenanceSilenceInput): SilenceRequest {
  const f = { from: "--from", to: "--to", reason: "--reason", ...input.fields };
  if (input.to.getTime() <= input.from.getTime())
    throw new SilenceInputError(f.to, `${input.to.toISOString()} must be after ${f.from} ${input.from.toISOString()}`);
  if (input.to.getTime() <= input.now.getTime())
    throw new SilenceInputError(f.to, `${input.to.toISOString()} is already over (now ${input.now.toISOString()})`);
  const reason = input.reason.trim();
  if (reason === "") throw new SilenceInputError(f.reason, "must say why (it is the silence's comment operators read)");
  return { matchers: customerMatchers(input.stack), startsAt: input.from, endsAt: input.to, createdBy: LCHOST_SILENCE_AUTHOR, comment: reason };
}
