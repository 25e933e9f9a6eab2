/**
 * How often a playbook may act on one thing (issue 12: "a rate limit per customer and playbook — no restart
 * storms"; "give up after K attempts and page on-call"). Pure: the caller keeps the history (the heal
 * service's audit table) and asks before every action.
 *
 * The rules, per key (customer + playbook + the part acted on):
 *  - at most one action per `minIntervalMs` (a restart needs time to show whether it helped);
 *  - at most `maxAttempts` failed actions in `windowMs`; the next one is not run — on-call is paged once, and
 *    the key stays given up until an action succeeds or a person clears it (a fault that K restarts did not
 *    fix needs a person; more restarts only hide it);
 *  - a success resets the count.
 */
export interface BudgetPolicy {
  maxAttempts: number;
  windowMs: number;
  minIntervalMs: number;
}

export interface ActionRecord {
  at: number;
  outcome: "succeeded" | "failed" | "paged" | "cleared";
}

export type BudgetDecision =
  | { kind: "act"; attempt: number }
  | { kind: "wait"; until: number; why: string }
  /** Page on-call now (the first time the budget is spent). */
  | { kind: "page"; why: string }
  /** Already paged; nothing more until a success or a person clears it. */
  | { kind: "given-up"; why: string };

export function checkPolicy(p: BudgetPolicy): void {
  for (const [k, v] of Object.entries(p))
    if (!Number.isInteger(v) || v < (k === "minIntervalMs" ? 0 : 1))
      throw new RangeError(`${k}: must be a whole number ≥ ${k === "minIntervalMs" ? 0 : 1} (got ${v})`);
}

/** What to do now for one key, from its history (any order). */
export function decide(history: ActionRecord[], now: number, p: BudgetPolicy): BudgetDecision {
  checkPolicy(p);
  const h = [...history].sort((a, b) => a.at - b.at);
  // only what happened since the last success or clearing counts
  let from = 0;
  h.forEach((r, i) => {
    if (r.outcome === "succeeded" || r.outcome === "cleared") from = i + 1;
  });
  const open = h.slice(from);
  const failedInWindow = open.filter((r) => r.outcome === "failed" && r.at > now - p.windowMs);
  const paged = open.some((r) => r.outcome === "paged");
  if (paged) return { kind: "given-up", why: `on-call was paged after ${p.maxAttempts} failed attempts; waiting for a success or a person to clear it` };
  if (failedInWindow.length >= p.maxAttempts)
    return { kind: "page", why: `${failedInWindow.length} failed attempts in ${Math.round(p.windowMs / 60_000)} min: giving up, a person must look` };
  const lastAction = [...h].reverse().find((r) => r.outcome === "succeeded" || r.outcome === "failed");
  if (lastAction && now - lastAction.at < p.minIntervalMs)
    return {
      kind: "wait",
      until: lastAction.at + p.minIntervalMs,
      why: `the last action was ${Math.round((now - lastAction.at) / 1000)} s ago (at most one per ${Math.round(p.minIntervalMs / 1000)} s)`,
    };
  return { kind: "act", attempt: failedInWindow.length + 1 };
}
