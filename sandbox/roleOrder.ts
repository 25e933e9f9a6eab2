/**
 * The one order of a sandbox's roles: started databases first (everything else connects to them),
 * entry points last (they should find their lines UP); stopped the other way round.
 */
export type ContainerRole = "database" | "database-exporter" | "fsb" | "license-central" | "https-entry-point" | "sql-job";

/** A database's exporter starts right after it (it logs in with the account the database's init SQL made). */
export const START_ORDER: readonly ContainerRole[] = ["database", "database-exporter", "fsb", "sql-job", "license-central", "https-entry-point"];

/** What runs with a database from the start (a migration's new database comes up with its exporter). */
export const DATABASE_ROLES: readonly ContainerRole[] = ["database", "database-exporter"];

/** Entry points and lines first, databases last (they shut down cleanly on SIGTERM). */
export const STOP_ORDER: readonly ContainerRole[] = [...START_ORDER].reverse();

/** What starts once a stack's database holds its data: every role but the database. */
export const ROLES_AFTER_DATABASE: readonly ContainerRole[] = START_ORDER.filter((r) => r !== "database");

/** How long a process of this role may take to stop on SIGTERM before it is killed. */
export function stopTimeoutMs(role: ContainerRole): number {
  return role === "database" ? 30_000 : 10_000;
}
