/** The maintenance state as stored in lc_maintenance: plain data, shared by the schema migration and the gate. */
export interface MaintenanceState {
  enabled: boolean;
  retryAfterSeconds: number;
  reason: string | null;
  changedAt: string | null;
}

export const MAINTENANCE_OFF: MaintenanceState = { enabled: false, retryAfterSeconds: 0, reason: null, changedAt: null };
export const DEFAULT_RETRY_AFTER_SECONDS = 30;
/** What a line started with LC_START_IN_MAINTENANCE=true sees (and writes) while no state was written. */
export const STARTED_IN_MAINTENANCE: MaintenanceState = {
  enabled: true,
  retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
  reason: "started in maintenance (LC_START_IN_MAINTENANCE): no maintenance state written yet",
  changedAt: null,
};
