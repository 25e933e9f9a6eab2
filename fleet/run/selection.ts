/**
 * Which stacks of a stacks directory a fleet run takes (`--select key=v[,v]`, several AND together) and
 * what the runner needs to know of each: its edition, its host(s), the shared server it depends on.
 */
import { StackFile, stackNameOfReference } from "../../model/stackFile";
import { describeStackDirectoryError, readStackDirectory, StackDirectoryError } from "../stackDirectory";
import { ScheduleItem } from "./scheduler";

/** Invalid --select, a directory that cannot be read, invalid stack files: the run is refused, nothing runs. */
import { FleetSelectionError, SelectTerm } from "../select";
export { FleetSelectionError, parseSelect, SELECT_KEYS } from "../select";
export type { SelectKey, SelectTerm } from "../select";

/** A stack as the runner sees it. */
export interface FleetMember {
  name: string;
  /** The customer's edition, or `shared-server` / `operations` for those roles. */
  edition: string;
  /** Where it runs: lchost:host, an HA stack's lchost:hosts, a tenant's shared server's host; empty: not placed. */
  hosts: string[];
  /** A Datacenter tenant's shared server (stack name). */
  sharedServer?: string;
}

/** Every Pulumi.<stack>.yaml of a directory, validated (fleet/stackDirectory.ts); refused as a selection error. */
export function readStacksDir(dir: string): StackFile[] {
  try {
    return readStackDirectory(dir);
  } catch (e) {
    if (e instanceof StackDirectoryError) throw new FleetSelectionError(describeStackDirectoryError(e, "invalid stack files (nothing was run)"));
    throw e;
  }
}

/** The runner's view of each stack; a tenant's host is its shared server's. */
export function fleetMembers(stacks: StackFile[]): FleetMember[] {
  const own = (s: StackFile): string[] => {
    const c = s.config;
    if (c.role === "customer" && c.hosts) return c.hosts.map((h) => (typeof h === "string" ? h : h.name));
    return c.role === "operations" || c.host === undefined ? [] : [c.host];
  };
  const byName = new Map(stacks.map((s) => [s.stackName, s]));
  return stacks.map((s) => {
    const c = s.config;
    if (c.role === "customer") {
      const shared = c.sharedServer !== undefined ? stackNameOfReference(c.sharedServer) : undefined;
      const sharedStack = shared !== undefined ? byName.get(shared) : undefined;
      return { name: s.stackName, edition: c.edition, hosts: shared !== undefined ? (sharedStack ? own(sharedStack) : []) : own(s), sharedServer: shared };
    }
    return { name: s.stackName, edition: c.role, hosts: own(s) };
  });
}

function matches(m: FleetMember, t: SelectTerm): boolean {
  if (t.key === "edition") return t.values.includes(m.edition);
  if (t.key === "customer") return t.values.includes(m.name);
  return m.hosts.some((h) => t.values.includes(h));
}

/** The members every term matches (all of them without terms); a selection that matches nothing is refused. */
export function selectMembers(members: FleetMember[], terms: SelectTerm[], raw: string[] = []): FleetMember[] {
  const chosen = members.filter((m) => terms.every((t) => matches(m, t)));
  if (chosen.length === 0) {
    const what = raw.length ? `--select ${raw.join(" --select ")}` : "the stacks directory";
    throw new FleetSelectionError(`--select: ${what} matches no stack (${members.length} stack(s) in the directory)`);
  }
  return chosen;
}

export type RunKind = "plan" | "preview" | "up" | "destroy";

/**
 * The order and dependencies of a run: shared servers first, then the others, each group by name; a tenant
 * depends on its shared server when both are selected — reversed for destroy (the shared server after its
 * tenants, whose schemas live on it).
 */
export function scheduleItems(members: FleetMember[], kind: RunKind): ScheduleItem[] {
  const selected = new Set(members.map((m) => m.name));
  const rank = (m: FleetMember) => (m.edition === "shared-server" ? 0 : 1);
  const sorted = [...members].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tenantsOf = (shared: string) => sorted.filter((m) => m.sharedServer === shared).map((m) => m.name);
  if (kind === "destroy") {
    // the tenants first: the same order with the groups swapped
    const tenantsFirst = [...sorted.filter((m) => rank(m) === 1), ...sorted.filter((m) => rank(m) === 0)];
    return tenantsFirst.map((m) => ({ name: m.name, dependsOn: m.edition === "shared-server" ? tenantsOf(m.name) : [] }));
  }
  return sorted.map((m) => ({ name: m.name, dependsOn: m.sharedServer !== undefined && selected.has(m.sharedServer) ? [m.sharedServer] : [] }));
}
