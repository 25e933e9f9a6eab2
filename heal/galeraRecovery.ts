/**
 * Galera full-cluster recovery, the decision (issue 12): when no node of a customer's cluster runs, which
 * node may found the cluster again. Pure: the callers (the database start logic, `lchost heal`) read each
 * node's grastate.dat and `mariadbd --wsrep-recover` output and act on the answer.
 *
 * The rule (Galera's own, as the MariaDB and Codership docs give it): the node with the most advanced
 * committed state founds the cluster (`--wsrep-new-cluster`, or `safe_to_bootstrap: 1` set on it alone);
 * every other node joins it and catches up by IST/SST. Founding from a less advanced node throws away the
 * transactions only the others committed, so when that cannot be decided — a node whose state cannot be
 * read, nodes from different clusters, a position Galera could not recover — nothing is bootstrapped and
 * a person is asked: a cluster that stays down is better than one that silently lost acknowledged writes.
 */

/** A Galera position: the cluster's state UUID and the sequence number of the last committed write set. */
export interface GaleraPosition {
  uuid: string;
  seqno: number;
}

export interface GrastateFile extends GaleraPosition {
  /** Galera sets it on the last node of a clean shutdown; 0 after a crash of every node. */
  safeToBootstrap: boolean;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export class GaleraStateUnreadable extends Error {}

/** grastate.dat: `uuid:`, `seqno:`, `safe_to_bootstrap:` lines (other lines, e.g. `version:`, ignored). */
export function parseGrastate(text: string): GrastateFile {
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(\\S+)\\s*$`, "m").exec(text)?.[1];
  const uuid = field("uuid");
  const seqno = field("seqno");
  const safe = field("safe_to_bootstrap");
  if (uuid === undefined || !new RegExp(`^${UUID}$`).test(uuid)) throw new GaleraStateUnreadable("grastate.dat: no valid 'uuid:' line");
  if (seqno === undefined || !/^-?\d+$/.test(seqno)) throw new GaleraStateUnreadable("grastate.dat: no valid 'seqno:' line");
  if (safe !== undefined && safe !== "0" && safe !== "1") throw new GaleraStateUnreadable("grastate.dat: 'safe_to_bootstrap:' must be 0 or 1");
  return { uuid, seqno: Number(seqno), safeToBootstrap: safe === "1" };
}

/**
 * The position `mariadbd --wsrep-recover` logs: `[Note] WSREP: Recovered position: <uuid>:<seqno>` (the server),
 * `WSREP: Recovered position <uuid>:<seqno>` (mysqld_safe); MariaDB may append `,<gtid>`. The last such line counts.
 */
export function parseRecoveredPosition(log: string): GaleraPosition {
  // the seqno ends at a space, a comma (GTID), the end — or, as MariaDB 10.11 writes the recovery log, right
  // where the next line's timestamp starts without a newline between them ("…:-12026-11-28 17:40:30 0 [Warning]")
  const re = new RegExp(`WSREP: Recovered position:?\\s+(${UUID}):(-?\\d+?)(?=\\d{4}-\\d{2}-\\d{2}\\s|[\\s,]|$)`, "g");
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(log); m; m = re.exec(log)) last = m;
  if (!last) throw new GaleraStateUnreadable("no 'WSREP: Recovered position' line in the --wsrep-recover output");
  return { uuid: last[1], seqno: Number(last[2]) };
}

/** What is known of one node while the whole cluster is down. */
export type NodeState =
  | { node: string; grastate: GrastateFile; recovered?: GaleraPosition }
  /** Its data could not be read (host down, volume gone, parse error): it may hold the newest writes. */
  | { node: string; unreadable: string };

export type RecoveryDecision = { kind: "bootstrap"; node: string; position: GaleraPosition; why: string; joiners: string[] } | { kind: "refuse"; why: string };

/** A node's committed position: grastate.dat's when it was written at a clean stop, else the recovered one. */
function committedPosition(s: Extract<NodeState, { grastate: GrastateFile }>): GaleraPosition | undefined {
  if (s.grastate.seqno >= 0) return { uuid: s.grastate.uuid, seqno: s.grastate.seqno };
  if (s.recovered && s.recovered.seqno >= 0 && s.recovered.uuid !== NIL_UUID) return s.recovered;
  return undefined;
}

/**
 * Which node founds the cluster again: exactly one, or none with the reason. Every node must be read; all
 * must belong to one cluster (one state UUID); the highest committed seqno wins, and on a tie the node a
 * clean shutdown marked safe_to_bootstrap, then the first by name (any of them holds the same writes).
 */
export function chooseBootstrapNode(nodes: NodeState[]): RecoveryDecision {
  if (nodes.length === 0) return { kind: "refuse", why: "no database nodes given" };
  const names = nodes.map((n) => n.node);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) return { kind: "refuse", why: `node ${dup} is listed twice` };
  const unreadable = nodes.filter((n): n is Extract<NodeState, { unreadable: string }> => "unreadable" in n);
  if (unreadable.length)
    return {
      kind: "refuse",
      why: `cannot read the state of ${unreadable.map((n) => `${n.node} (${n.unreadable})`).join(", ")}: it may hold the newest committed writes; bootstrap by hand once it is known lost`,
    };
  const read = nodes as Extract<NodeState, { grastate: GrastateFile }>[];
  const positions = read.map((n) => ({ n, p: committedPosition(n) }));
  const unknown = positions.filter((x) => x.p === undefined).map((x) => x.n.node);
  if (unknown.length) return { kind: "refuse", why: `no committed position for ${unknown.join(", ")} (grastate seqno -1 and --wsrep-recover found none)` };
  const uuids = [...new Set(positions.map((x) => x.p!.uuid))];
  if (uuids.length > 1)
    return {
      kind: "refuse",
      why: `the nodes belong to different clusters (${positions.map((x) => `${x.n.node}: ${x.p!.uuid}`).join(", ")}): never merge them by bootstrapping`,
    };
  const ranked = [...positions].sort(
    (a, b) => b.p!.seqno - a.p!.seqno || Number(b.n.grastate.safeToBootstrap) - Number(a.n.grastate.safeToBootstrap) || a.n.node.localeCompare(b.n.node),
  );
  const best = ranked[0];
  const others = ranked.slice(1);
  const why =
    others.length === 0
      ? `the only node, at seqno ${best.p!.seqno}`
      : `most advanced committed state: seqno ${best.p!.seqno} (${others.map((o) => `${o.n.node} ${o.p!.seqno}`).join(", ")})`;
  return { kind: "bootstrap", node: best.n.node, position: best.p!, why, joiners: others.map((o) => o.n.node) };
}

/** grastate.dat with safe_to_bootstrap set on the chosen node (the way Galera asks a person to do it). */
export function markSafeToBootstrap(grastateText: string): string {
  if (!/^safe_to_bootstrap:/m.test(grastateText)) return `${grastateText.replace(/\n?$/, "\n")}safe_to_bootstrap: 1\n`;
  return grastateText.replace(/^safe_to_bootstrap:.*$/m, "safe_to_bootstrap: 1");
}
