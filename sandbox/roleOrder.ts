/**
 * The one order of a sandbox's roles: started databases first (everything else connects to them),
 * entry points last (they should find their lines UP); stopped the other way round.
 */
export type ContainerRole = "database" | "database-exporter" | "fsb" | "license-central" | "https-entry-point" | "sql-job" | OperationsRole;

/**
 * The operations stack's roles (issue 9, `lchost:role: operations`): they watch the customers, so they start
 * after them (no alert about a customer that is still starting) and stop before them (no alert about one
 * that is being stopped). The notifier first, so Alertmanager can deliver, Prometheus last.
 */
export type OperationsRole = "notifier" | "status-portal" | "alertmanager" | "blackbox" | "prometheus";
/** The status portal beside the notifier: both receive from Alertmanager (its own database starts with the databases). */
export const OPERATIONS_START_ORDER: readonly OperationsRole[] = ["notifier", "status-portal", "alertmanager", "blackbox", "prometheus"];

/** A database's exporter starts right after it (it logs in with the account the database's init SQL made). */
export const START_ORDER: readonly ContainerRole[] = [
  "database",
  "database-exporter",
  "fsb",
  "sql-job",
  "license-central",
  "https-entry-point",
  ...OPERATIONS_START_ORDER,
];

/** What runs with a database from the start (a migration's new database comes up with its exporter). */
export const DATABASE_ROLES: readonly ContainerRole[] = ["database", "database-exporter"];

/** Entry points and lines first, databases last (they shut down cleanly on SIGTERM). */
export const STOP_ORDER: readonly ContainerRole[] = [...START_ORDER].reverse();

/** What starts once a stack's database holds its data: every role but the database. */
export const ROLES_AFTER_DATABASE: readonly ContainerRole[] = START_ORDER.filter((r) => r !== "database");

export function isOperationsRole(role: string): role is OperationsRole {
  return (OPERATIONS_START_ORDER as readonly string[]).includes(role);
}

/** How long a process of this role may take to stop on SIGTERM before it is killed. */
export function stopTimeoutMs(role: ContainerRole): number {
  return role === "database" ? 30_000 : 10_000;
}
