/**
 * How a migration ends, the same for every target: the result of a finished migration, and the verdict
 * and error of one rolled back (the old data compared with the checksums taken at the dump).
 */
import { tableChecksums } from "./databaseCopy";
import type { DbConnection } from "./databaseCopy";
import type { MigrationPlan } from "./migrationPlan";
import type { StepRecord } from "./progressLog";
import { compareChecksums, TableChecksum } from "./tableChecksums";

export interface MigrationResult {
  outcome: "migrated" | "scaled" | "rolled-back";
  /** Milliseconds the customer was in maintenance (503), from "on" to "off". */
  maintenanceMs: number;
  steps: StepRecord[];
  sourceChecksums: TableChecksum[];
  targetChecksums: TableChecksum[][];
  dumpFile?: string;
  retained: string[];
  error?: string;
  message: string;
}

export class MigrationRolledBack extends Error {
  constructor(
    message: string,
    readonly result: MigrationResult,
  ) {
    super(message);
  }
}

interface Evidence {
  plan: MigrationPlan;
  maintenanceMs: number;
  steps: StepRecord[];
  source: TableChecksum[];
  verified: TableChecksum[][];
  dumpFile?: string;
}

export function migratedResult(e: Evidence & { retained: string[] }): MigrationResult {
  return {
    outcome: "migrated",
    maintenanceMs: e.maintenanceMs,
    steps: e.steps,
    sourceChecksums: e.source,
    targetChecksums: e.verified,
    dumpFile: e.dumpFile,
    retained: e.retained,
    message: `${e.plan.stackName} is now ${e.plan.to.edition}; maintenance window ${(e.maintenanceMs / 1000).toFixed(1)} s (planned ~${e.plan.downtime.seconds} s); data verified (${e.source.length} tables); old data kept: ${e.retained.join(", ") || "-"}`,
  };
}

/** Whether the old deployment's data is what it was at the dump, in words for the operator. */
export async function oldDataVerdict(source: TableChecksum[], db: DbConnection, galera: boolean): Promise<string> {
  if (!source.length) return "not checked (no checksum was taken before the failure)";
  const diff = compareChecksums(source, await tableChecksums(db, { galera }));
  return diff.length === 0 ? `intact (${source.length} tables, same checksums as at the dump)` : `CHANGED: ${diff.map((d) => d.message).join("; ")}`;
}

export function rolledBack(e: Evidence & { why: string; oldEdition: string; intact: string }): MigrationRolledBack {
  const message = `migration of ${e.plan.stackName} to ${e.plan.to.edition} failed (${e.why}); rolled back: ${e.plan.stackName} stays on ${e.oldEdition}, its data ${e.intact}`;
  return new MigrationRolledBack(message, {
    outcome: "rolled-back",
    maintenanceMs: e.maintenanceMs,
    steps: e.steps,
    sourceChecksums: e.source,
    targetChecksums: e.verified,
    dumpFile: e.dumpFile,
    retained: [],
    error: e.why,
    message,
  });
}
