import type { HealAlert, PartRef } from "../playbook";

/** The part an alert names by its `part` label (line-2, fsb-1, gateway, db-3), or undefined. */
export function partOfAlert(alert: HealAlert): PartRef | undefined {
  const label = alert.labels.part ?? "";
  if (label === "gateway") return { customer: alert.customer, role: "gateway" };
  const m = /^(line|fsb|db)-([1-9]\d{0,2})$/.exec(label);
  if (!m) return undefined;
  return { customer: alert.customer, role: m[1] === "db" ? "database" : (m[1] as "line" | "fsb"), index: Number(m[2]) };
}

export const samePart = (a: PartRef, b: PartRef) => a.customer === b.customer && a.role === b.role && a.index === b.index;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
