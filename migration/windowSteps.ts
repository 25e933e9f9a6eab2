/**
 * The names of the steps that run inside the maintenance window. The orders (stagedOrder.ts,
 * redeployOrder.ts) name their steps with them and the estimate (downtimeEstimate.ts) names its parts
 * with them, so the plan's window is, part by part, the steps that will run (test/unit/migration checks it).
 */
export const WINDOW_STEP = {
  maintenanceOn: "maintenance on (503 + Retry-After on every line)",
  /** The dump and the source's checksums run side by side. */
  dump: "dump (mariadb-dump --single-transaction) and checksum the source tables",
  newLinesMaintenance: "maintenance on for the new lines (until the data is verified)",
  restore: "restore into the new database",
  verify: "verify row counts and SHA-256 per table",
  /** redeploy, new side staged whole: the entry point moves to it (HAProxy reload in place). */
  switchEntry: "switch the entry point to the new lines (HAProxy reload in place)",
  /** redeploy, otherwise: the update of the whole stack inside the window. */
  deploy: "deploy the changed stack inside the window",
  waitReady: "wait until the new lines are ready",
  maintenanceOff: "maintenance off (the new lines serve)",
} as const;
