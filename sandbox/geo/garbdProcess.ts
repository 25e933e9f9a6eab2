/**
 * The Galera arbitrator (`garbd`, Debian package galera-arbitrator-4) as a sandbox process: a member of the
 * cluster's group that votes in quorum decisions and relays replication traffic, but holds no data. It runs
 * in the third location, so that either data site alone still has a majority (2 of 3 votes).
 */
import type { SandboxProcessSpec } from "../containerTranslation";
import { findExecutable } from "../prerequisites";

export interface GarbdOptions {
  name: string;
  /** wsrep_cluster_name of the data nodes. */
  clusterName: string;
  /** The data nodes' Galera addresses (host:4567). */
  members: string[];
  /** The address garbd listens on for its peers (port 4567). */
  address: string;
  dir: string;
  pathEnv: string;
}

export function garbdArgs(o: Pick<GarbdOptions, "name" | "clusterName" | "members" | "address">): string[] {
  if (o.members.length === 0) throw new Error("garbd: members is empty; give the data nodes' host:4567 addresses");
  if (!/^[A-Za-z0-9_.-]+$/.test(o.clusterName)) throw new Error(`garbd: clusterName ${JSON.stringify(o.clusterName)} is not a Galera cluster name`);
  return ["--group", o.clusterName, "--name", o.name, "--address", `gcomm://${o.members.join(",")}`, "--options", `gmcast.listen_addr=tcp://${o.address}:4567`];
}

/** A process spec the sandbox's LocalProcess runs (role `database`: it is stopped with the database tier). */
export function garbdProcessSpec(o: GarbdOptions, stack: string): SandboxProcessSpec {
  const garbd = findExecutable("garbd");
  if (!garbd) throw new Error("garbd was not found: install the Debian package galera-arbitrator-4 (apt-get install -y galera-arbitrator-4)");
  return {
    name: o.name,
    stack,
    role: "database",
    address: o.address,
    dir: o.dir,
    command: garbd,
    args: garbdArgs(o),
    env: { PATH: o.pathEnv },
    files: [],
    oneShot: false,
    ports: [4567],
  };
}
