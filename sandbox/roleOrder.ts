/**
 * The one order of a sandbox's roles: started databases first (everything else connects to them),
 * entry points last (they should find their lines UP); stopped the other way round.
 */
export type ContainerRole = "database" | "fsb" | "license-central" | "https-entry-point" | "sql-job";

export const START_ORDER: readonly ContainerRole[] = ["database", "fsb", "sql-job", "license-central", "https-entry-point"];

/** Entry points and lines first, databases last (they shut down cleanly on SIGTERM). */
export const STOP_ORDER: readonly ContainerRole[] = [...START_ORDER].reverse();

/** What starts once a stack's database holds its data: every role but the database. */
export const ROLES_AFTER_DATABASE: readonly ContainerRole[] = START_ORDER.filter((r) => r !== "database");

/** How long a process of this role may take to stop on SIGTERM before it is killed. */
export function stopTimeoutMs(role: ContainerRole): number {
  return role === "database" ? 30_000 : 10_000;
}
