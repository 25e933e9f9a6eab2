/**
 * Where the host inventory of a stacks directory lives, reading it, and checking a stack's host keys
 * against it (docs/hosts.md). The convention: `fleet/hosts.yaml` beside the stacks directory, i.e.
 * `<stacks dir>/../fleet/hosts.yaml` — in this repository `stacks/` and `fleet/hosts.yaml`. Commands
 * that take `--inventory F` use F instead. Without an inventory nothing is checked against one.
 */
import * as fs from "fs";
import * as path from "path";
import { balancerProblems } from "./balancerPair";
import { HostInventory, HostsError, parseHostInventory, resolveStackHosts, StackHostEntry } from "./hosts";

/** The inventory a stacks directory goes with: `<stacks dir>/../fleet/hosts.yaml`. */
export function inventoryPathFor(stacksDir: string): string {
  return path.join(path.dirname(path.resolve(stacksDir)), "fleet", "hosts.yaml");
}

/** Reads and validates an inventory file; a missing or faulty file is a HostsError naming it. */
export function loadHostInventory(file: string): HostInventory {
  if (!fs.existsSync(file)) throw new HostsError(file, ["no such host inventory file"]);
  return parseHostInventory(fs.readFileSync(file, "utf8"), file);
}

/** The inventory beside a stacks directory, if there is one. */
export function findHostInventory(stacksDir: string): HostInventory | undefined {
  const file = inventoryPathFor(stacksDir);
  return fs.existsSync(file) ? loadHostInventory(file) : undefined;
}

/** What a stack says about its hosts: lchost:host / lchost:hosts and the Docker provider's docker:host. */
export interface StackHostKeys {
  host?: string;
  hosts?: StackHostEntry[];
  dockerHost?: unknown;
  /** lchost:balancer: its VIP is checked against the resolved hosts' addresses. */
  balancer?: { virtualIp: string; prefixLength?: number };
  /** lchost:galeraArbitrator: a name must be an inventory host. */
  galeraArbitrator?: StackHostEntry;
}

/**
 * A stack's host keys checked against the inventory: `lchost:host` must name an inventory host, and a
 * `docker:host` beside it must be that host's endpoint (the program deploys through docker:host);
 * `lchost:hosts` entries that are names must be inventory hosts, and `lchost:balancer`'s VIP must fit their
 * addresses. Each problem names its key.
 */
export function stackHostProblems(keys: StackHostKeys, inventory: HostInventory): string[] {
  const problems: string[] = [];
  if (keys.host !== undefined) {
    const host = inventory.byName.get(keys.host);
    if (!host) {
      problems.push(`lchost:host: no host ${JSON.stringify(keys.host)} in ${inventory.source} (known: ${[...inventory.byName.keys()].join(", ")})`);
    } else if (keys.dockerHost !== undefined && keys.dockerHost !== host.dockerHost) {
      problems.push(
        `docker:host: ${JSON.stringify(keys.dockerHost)} is not the endpoint of lchost:host ${JSON.stringify(host.name)} (${host.dockerHost} in ${inventory.source}); set it to that or remove it`,
      );
    }
  }
  if (keys.hosts !== undefined) {
    try {
      const hosts = resolveStackHosts(keys.hosts, inventory);
      // hosts named from the inventory: their addresses are known only now (inline ones were checked with the config)
      if (keys.balancer && keys.hosts.some((h) => typeof h === "string")) problems.push(...balancerProblems(keys.balancer, hosts));
    } catch (e) {
      if (!(e instanceof HostsError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (keys.galeraArbitrator !== undefined) {
    try {
      resolveStackHosts([keys.galeraArbitrator], inventory, "lchost:galeraArbitrator");
    } catch (e) {
      if (!(e instanceof HostsError)) throw e;
      problems.push(...e.problems.map((p) => p.replace("lchost:galeraArbitrator[0]", "lchost:galeraArbitrator")));
    }
  }
  return problems;
}
