/**
 * Expected maintenance window of an edition change, from the amount of data, the databases on both
 * sides and the order that runs. Staged (the sandbox): the new database is started before maintenance begins (a Galera cluster takes ~10 s to sync),
 * so the window holds only: every line noticing maintenance, the dump, the restore, the verification,
 * starting the new lines and switching the entry point. Rates measured on the 2-core machines we test
 * on (npm run bench:migrate); a real server is faster, so this errs long.
 */
import type { DatabaseKind } from "../model/databaseKind";
export type { DatabaseKind };

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

/**
 * The Docker orders (redeployOrder.ts): the part of the stack's update that runs inside the window —
 * the lines and the entry point are replaced there (their names do not change with the edition), and a
 * database that keeps its volume is restarted (a cluster: node 1 bootstraps, nodes 2 and 3 sync). Exec
 * into the containers adds a fixed cost to the dump and the restore. Measured with
 * `npm run bench:migrate -- --target docker` on the 2-core machines we test on.
 */
export const DOCKER_DOWNTIME_RATES = {
  execFixedS: 0.5,
  /** Old line removed, new line created and started, its health check and /readyz passing. */
  lineReplaceS: 3,
  /** Each further line (created one after the other, started in parallel). */
  extraLineS: 0.7,
  entryPointReplaceS: 1.5,
  /** A database container started (again) inside the window: single server, or a Galera cluster until synced. */
  databaseStartS: { single: 4, cluster: 14, "shared-tenant": 1 } as Record<DatabaseKind, number>,
  /** Per node, the checksums go through an exec tunnel. */
  verifyPerNodeFixedS: 0.4,
};

/** Which migration order runs (migration/runMigration.ts): the sandbox's, or a whole-stack update on Docker. */
export type MigrationOrder = "staged" | "redeploy";

const round = (s: number) => Math.round(s * 10) / 10;

export interface DowntimeInput {
  rows: number;
  from: DatabaseKind;
  to: DatabaseKind;
  dataMoves: boolean;
  maintenance: boolean;
  newLines: number;
  /** Default "staged" (new database and lines up before maintenance). */
  order?: MigrationOrder;
  /** redeploy only: whether a new database is started before maintenance (docker-run stages it; `pulumi up` cannot). */
  newDatabaseBeforeMaintenance?: boolean;
}

export function estimateDowntime(input: DowntimeInput): DowntimeEstimate {
  if (!input.maintenance) return { seconds: 0, parts: [] };
  if (input.order === "redeploy") return estimateRedeployDowntime(input);
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
  return total(parts);
}

function estimateRedeployDowntime(input: DowntimeInput): DowntimeEstimate {
  const r = DOWNTIME_RATES;
  const d = DOCKER_DOWNTIME_RATES;
  const parts: DowntimeEstimate["parts"] = [{ step: "every line in maintenance", seconds: r.maintenancePropagationS }];
  parts.push({ step: "dump", seconds: d.execFixedS + r.dumpFixedS + input.rows / r.dumpRowsPerS });
  // a database that keeps its volume is restarted in the update; a new one is started before maintenance unless the deployer cannot
  if (!input.dataMoves || !input.newDatabaseBeforeMaintenance) {
    parts.push({ step: `${input.dataMoves ? "start" : "restart"} the database in the update`, seconds: d.databaseStartS[input.to] });
  }
  const lines = d.lineReplaceS + d.extraLineS * Math.max(0, input.newLines - 1);
  parts.push({ step: `replace the line(s) and the entry point in the update (${input.newLines} line(s))`, seconds: lines + d.entryPointReplaceS });
  if (input.dataMoves) {
    parts.push({
      step: "restore",
      seconds: d.execFixedS + (r.restoreFixedS + input.rows / r.restoreRowsPerS) * (input.to === "cluster" ? r.clusterRestoreFactor : 1),
    });
  }
  const nodes = input.to === "cluster" ? 3 : 1;
  parts.push({ step: "verify", seconds: r.verifyFixedS + nodes * d.verifyPerNodeFixedS + ((nodes + 1) * input.rows) / r.verifyRowsPerS });
  parts.push({ step: "maintenance off", seconds: r.maintenancePropagationS });
  return total(parts);
}

function total(parts: DowntimeEstimate["parts"]): DowntimeEstimate {
  const rounded = parts.map((p) => ({ step: p.step, seconds: round(p.seconds) }));
  return { seconds: round(parts.reduce((a, p) => a + p.seconds, 0)), parts: rounded };
}
