/**
 * `--select key=value[,value]` of the fleet commands (several AND together): edition, customer, host. A
 * small parser for `lchost fleet status`; the fleet runner's branch has one of the same shape
 * (fleet/run/selection.ts) — the two are to be unified into one.
 */
export const SELECT_KEYS = ["edition", "customer", "host"] as const;
export type SelectKey = (typeof SELECT_KEYS)[number];

export interface SelectTerm {
  key: SelectKey;
  values: string[];
}

/** `edition=high-availability`, `customer=acme,globex`, `host=h2`; anything else is refused naming --select. */
export function parseSelect(arg: string): SelectTerm {
  const m = /^([^=]*)=(.*)$/.exec(arg);
  if (!m) throw new Error(`--select: '${arg}' is not key=value[,value] (keys: ${SELECT_KEYS.join(", ")})`);
  const key = m[1].trim();
  if (!(SELECT_KEYS as readonly string[]).includes(key)) throw new Error(`--select: unknown key '${key}' in '${arg}' (allowed: ${SELECT_KEYS.join(", ")})`);
  const values = m[2].split(",").map((v) => v.trim());
  if (values.some((v) => v === "")) throw new Error(`--select: '${arg}' has an empty value (give key=value[,value])`);
  return { key: key as SelectKey, values };
}

/** Whether a customer matches every term (its hosts: any of them matches a host term). */
export function matchesSelection(item: { customer: string; edition: string; hosts: string[] }, terms: SelectTerm[]): boolean {
  return terms.every((t) =>
    t.key === "customer"
      ? t.values.includes(item.customer)
      : t.key === "edition"
        ? t.values.includes(item.edition)
        : item.hosts.some((h) => t.values.includes(h)),
  );
}
