/**
 * `--select key=value[,value]` of every fleet command (several AND together): edition, customer, host — one
 * parser for `fleet plan|preview|up|destroy`, `fleet status` and `fleet upgrade`, so a selection means the same
 * everywhere. What a key matches (a tenant's host is its shared server's) is each command's item's business.
 */
import { EDITION_IDS } from "../model/catalog";

export class FleetSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FleetSelectionError";
  }
}

export const SELECT_KEYS = ["edition", "customer", "host"] as const;
export type SelectKey = (typeof SELECT_KEYS)[number];

export interface SelectTerm {
  key: SelectKey;
  values: string[];
}

/** What `edition=` may name: an edition, or a stack role the runner schedules. */
const SELECTABLE_EDITIONS = [...EDITION_IDS, "shared-server", "operations"];

/** `edition=high-availability`, `customer=acme,globex`, `host=h2` -> a term; anything else refused naming --select. */
export function parseSelect(arg: string): SelectTerm {
  const m = /^([^=]*)=(.*)$/.exec(arg);
  if (!m) throw new FleetSelectionError(`--select: '${arg}' is not key=value[,value] (keys: ${SELECT_KEYS.join(", ")})`);
  const key = m[1].trim();
  if (!(SELECT_KEYS as readonly string[]).includes(key))
    throw new FleetSelectionError(`--select: unknown key '${key}' in '${arg}' (allowed: ${SELECT_KEYS.join(", ")})`);
  const values = m[2].split(",").map((v) => v.trim());
  if (values.some((v) => v === "")) throw new FleetSelectionError(`--select: '${arg}' has an empty value (give key=value[,value])`);
  if (key === "edition") {
    const bad = values.filter((v) => !SELECTABLE_EDITIONS.includes(v));
    if (bad.length) throw new FleetSelectionError(`--select: edition '${bad.join(", ")}' is not an edition (allowed: ${SELECTABLE_EDITIONS.join(", ")})`);
  }
  return { key: key as SelectKey, values };
}

/** Whether an item matches every term (its hosts: any of them matches a host term). */
export function matchesSelection(item: { customer: string; edition: string; hosts: string[] }, terms: SelectTerm[]): boolean {
  return terms.every((t) =>
    t.key === "customer"
      ? t.values.includes(item.customer)
      : t.key === "edition"
        ? t.values.includes(item.edition)
        : item.hosts.some((h) => t.values.includes(h)),
  );
}
