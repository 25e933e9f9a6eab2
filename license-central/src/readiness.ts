import type { FsbClient } from "./fsbClient";
import type { LcStore } from "./store";

/** How long /readyz (and the lc_ready / lc_database_up gauges) wait for the database and the FSB: within 1 s together. */
export const READY_DB_TIMEOUT_MS = 800;
export const READY_FSB_TIMEOUT_MS = 800;

export interface Readiness {
  ready: boolean;
  /** "ok", or why the database did not answer in time (or, a Galera node, is outside the primary component) */
  database: string;
  fsb: "ok" | "unreachable";
}

/**
 * What /readyz answers: the database answers (LcStore.ping) and the FSB its health check, both within
 * 800 ms even when one of them hangs (the balancer must see a frozen node's line as not ready). The
 * metrics read the same check, so lc_ready is 1 exactly when /readyz would answer 200.
 */
export async function checkReadiness(s: { store: LcStore; fsb: FsbClient }): Promise<Readiness> {
  const [database, fsbOk] = await Promise.all([
    s.store.ping(READY_DB_TIMEOUT_MS).then(
      () => "ok",
      (err: any) => `unreachable: ${err?.code ?? err?.message}`,
    ),
    s.fsb.healthy(READY_FSB_TIMEOUT_MS),
  ]);
  return { ready: database === "ok" && fsbOk, database, fsb: fsbOk ? "ok" : "unreachable" };
}
