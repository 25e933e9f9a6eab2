/**
 * Expected maintenance window of an edition change, from the amount of data and the databases on both
 * sides. The new database is started before maintenance begins (a Galera cluster takes ~10 s to sync),
 * so the window holds only: every line noticing maintenance, the dump, the restore, the verification,
 * starting the new lines and switching the entry point. Rates measured on the 2-core machines we test
 * on (npm run bench:migrate); a real server is faster, so this errs long.
 */
import type { DatabaseKind } from "../model/databaseKind";

export interface DowntimeEstimate {
  /** Seconds the customer's License Central answers 503 (0: no maintenance needed). */
  seconds: number;
  parts: Array<{ step: string; seconds: number }>;
}

export const DOWNTIME_RATES = {
  /** Every line is told directly (and re-reads the state every second anyway); plus waiting for in-flight requests. */
  maintenancePropagationS: 0.3,
  dumpFixedS: 0.1,
  dumpRowsPerS: 60_000,
  restoreFixedS: 0.15,
  restoreRowsPerS: 25_000,
  /** Writing into a Galera node certifies and replicates every transaction. */
  clusterRestoreFactor: 1.5,
  verifyFixedS: 0.1,
  verifyRowsPerS: 50_000,
  lineStartS: 0.3,
  switchS: 0.4,
};

const round = (s: number) => Math.round(s * 10) / 10;

export function estimateDowntime(input: { rows: number; from: DatabaseKind; to: DatabaseKind; dataMoves: boolean; maintenance: boolean; newLines: number }): DowntimeEstimate {
  if (!input.maintenance) return { seconds: 0, parts: [] };
  const r = DOWNTIME_RATES;
  const parts: DowntimeEstimate["parts"] = [{ step: "every line in maintenance", seconds: r.maintenancePropagationS }];
  parts.push({ step: "dump", seconds: r.dumpFixedS + input.rows / r.dumpRowsPerS });
  if (input.dataMoves) {
    parts.push({ step: "restore", seconds: (r.restoreFixedS + input.rows / r.restoreRowsPerS) * (input.to === "cluster" ? r.clusterRestoreFactor : 1) });
  }
  const verifySides = input.to === "cluster" ? 4 : 2; // the source and every node of the target
  parts.push({ step: "verify", seconds: r.verifyFixedS + (verifySides * input.rows) / r.verifyRowsPerS });
  parts.push({ step: `start ${input.newLines} new line(s)`, seconds: r.lineStartS });
  parts.push({ step: "switch the entry point", seconds: r.switchS });
  const rounded = parts.map((p) => ({ step: p.step, seconds: round(p.seconds) }));
  return { seconds: round(parts.reduce((a, p) => a + p.seconds, 0)), parts: rounded };
}
