/**
 * Expected maintenance window of an edition change, from the amount of data, the databases on both
 * sides and the order that runs. Staged (the sandbox): the new database is started before maintenance begins (a Galera cluster takes ~10 s to sync),
 * so the window holds only: every line noticing maintenance, the dump, the restore, the verification,
 * starting the new lines and switching the entry point. Rates measured on the 2-core machines we test
 * on (npm run bench:migrate); a real server is faster, so this errs long.
 */
import type { DatabaseKind } from "../model/databaseKind";
import { WINDOW_STEP } from "./windowSteps";
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
 * The Docker order (redeployOrder.ts), measured with `npm run bench:migrate -- --target docker` on the
 * 2-core machines we test on. Every admin call and every dump, restore and checksum goes through
 * `docker exec` (a fixed cost each). Staged whole (docker-run): only the copy, the verification and the
 * entry point's reload are inside the window. Otherwise (`pulumi up`) the update runs inside it: the lines
 * and the entry point are replaced and a database is started (a cluster: node 1 bootstraps, nodes 2 and 3 sync).
 */
export const DOCKER_DOWNTIME_RATES = {
  execFixedS: 0.5,
  /** One admin call to a line through an exec tunnel. */
  adminCallS: 0.15,
  /** Upload of the entry point's files, `haproxy -c` in it, SIGUSR2 and the master's "Loading success.". */
  entryReloadS: 1,
  /** The switch when no entry point is reloaded (a Datacenter side: the new side's entry is already up, or the shared one). */
  switchBookkeepingS: 0.3,
  /** Old line removed, new line created and started, its health check and /readyz passing. */
  lineReplaceS: 3,
  /** Each further line (created one after the other, started in parallel). */
  extraLineS: 0.7,
  entryPointReplaceS: 1.5,
  /** A database container started (again) inside the window: single server, or a Galera cluster until synced. */
  databaseStartS: { single: 4, cluster: 14, "shared-tenant": 1 } as Record<DatabaseKind, number>,
  /** Per node, the checksums go through an exec tunnel. */
  verifyPerNodeFixedS: 0.4,
  waitReadyS: 0.3,
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
  /** Lines of the current deployment (told maintenance on); default 1. */
  oldLines?: number;
  /** Default "staged" (new database and lines up before maintenance). */
  order?: MigrationOrder;
  /** redeploy only: the deployer starts the whole new side (database, FSBs, lines) before maintenance (docker-run with a new generation). */
  stagedWhole?: boolean;
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

/** The window of redeployOrder.ts, one part per step that runs inside it, named as the step. */
function estimateRedeployDowntime(input: DowntimeInput): DowntimeEstimate {
  const r = DOWNTIME_RATES;
  const d = DOCKER_DOWNTIME_RATES;
  const oldLines = input.oldLines ?? 1;
  const nodes = input.to === "cluster" ? 3 : 1;
  const moves = input.stagedWhole || input.dataMoves;
  const parts: DowntimeEstimate["parts"] = [
    { step: WINDOW_STEP.maintenanceOn, seconds: r.maintenancePropagationS + 2 * oldLines * d.adminCallS },
    // side by side: the longer of the two
    {
      step: WINDOW_STEP.dump,
      seconds: Math.max(d.execFixedS + r.dumpFixedS + input.rows / r.dumpRowsPerS, d.verifyPerNodeFixedS + input.rows / r.verifyRowsPerS),
    },
  ];
  const copy: DowntimeEstimate["parts"] = [];
  if (moves) {
    copy.push({ step: WINDOW_STEP.newLinesMaintenance, seconds: input.newLines * d.adminCallS });
    copy.push({
      step: WINDOW_STEP.restore,
      seconds: d.execFixedS + (r.restoreFixedS + input.rows / r.restoreRowsPerS) * (input.to === "cluster" ? r.clusterRestoreFactor : 1),
    });
  }
  copy.push({ step: WINDOW_STEP.verify, seconds: r.verifyFixedS + nodes * (d.verifyPerNodeFixedS + input.rows / r.verifyRowsPerS) });
  if (input.stagedWhole) {
    const reload = input.from !== "shared-tenant" && input.to !== "shared-tenant"; // the customer's own entry point stays and is reloaded
    parts.push(...copy, { step: WINDOW_STEP.switchEntry, seconds: reload ? d.entryReloadS : d.switchBookkeepingS });
  } else {
    const lines = d.lineReplaceS + d.extraLineS * Math.max(0, input.newLines - 1);
    // the update starts a new database, or restarts one that keeps its volume (its container changes with the edition)
    parts.push(
      { step: WINDOW_STEP.deploy, seconds: d.databaseStartS[input.to] + lines + d.entryPointReplaceS },
      { step: WINDOW_STEP.waitReady, seconds: d.waitReadyS },
      ...copy,
    );
  }
  parts.push({ step: WINDOW_STEP.maintenanceOff, seconds: r.maintenancePropagationS + input.newLines * d.adminCallS });
  return total(parts);
}

function total(parts: DowntimeEstimate["parts"]): DowntimeEstimate {
  const rounded = parts.map((p) => ({ step: p.step, seconds: round(p.seconds) }));
  return { seconds: round(parts.reduce((a, p) => a + p.seconds, 0)), parts: rounded };
}
