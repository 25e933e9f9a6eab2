/**
 * The offline plan holds placeholders where Pulumi would hold secrets: `random:` results (recognisable
 * by resource name, see planner/mockPlanner.ts) and `secure:` config values. The sandbox swaps each
 * for a fresh random value of the same length before anything is written, so no two tenants share a
 * password and no placeholder reaches a running process.
 */
import * as crypto from "crypto";
import type { Plan } from "../planner/mockPlanner";

/** What the planner puts in place of a `secure:` config value. */
export const PLANNED_CONFIG_SECRET = "planned-secret-value";

const RANDOM_TYPES = new Set(["random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"]);

/** The placeholder the planner returns as `result` of a random resource (mirrors mockPlanner's computedState). */
export function plannedRandomResult(resourceName: string, length = 32): string {
  const seed = `planned${resourceName.replace(/[^A-Za-z0-9]/g, "")}`;
  return seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
}

/** Alphanumeric, like `special: false` results. */
export function randomAlphanumeric(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.randomBytes(length);
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[bytes[i] % alphabet.length];
  return s;
}

/** placeholder -> fresh value for every random resource of the plan, and for the config-secret placeholder. */
export function freshSecrets(plan: Plan, random: (length: number) => string = randomAlphanumeric): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of plan.resources) {
    if (!RANDOM_TYPES.has(r.type)) continue;
    const length = typeof r.inputs.length === "number" ? r.inputs.length : 32;
    out.set(plannedRandomResult(r.name, length), random(length));
  }
  out.set(PLANNED_CONFIG_SECRET, random(24));
  return out;
}

/** Replaces every placeholder in every string of `value` (longest placeholders first). */
export function substituteSecrets<T>(value: T, secrets: Map<string, string>): T {
  const keys = [...secrets.keys()].sort((a, b) => b.length - a.length);
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") {
      let s = v;
      for (const k of keys) if (s.includes(k)) s = s.split(k).join(secrets.get(k)!);
      return s;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}
