/**
 * Deploys every host's HTTPS entry from the fleet as placed (docs/hosts.md, "The per-host HTTPS entry"):
 * the routes of each inventory host (fleet/hostEntryRoutes.ts), rendered (haproxy/renderHostEntry.ts) and
 * brought onto that host's Docker engine (dockerRun/hostEntryContainer.ts) — created, gracefully reloaded
 * when its customers changed, left alone when nothing did, removed when the host has no customers left.
 * `lchost fleet up --target docker` calls it after the stacks are deployed.
 */
import * as fs from "fs";
import { editionFacts, editionCatalog } from "../model/catalog";
import { inventoryPathFor } from "../model/hostInventoryFile";
import { Host } from "../model/hosts";
import { HostEntrySpec, renderHostEntryConfig } from "../haproxy/renderHostEntry";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { ensureHostEntry, HostEntryAction, removeHostEntry } from "../dockerRun/hostEntryContainer";
import { HOST_ENTRY_PORT, hostEntryRoutes, HostEntryRoutes } from "./hostEntryRoutes";
import { loadFleetStacks } from "./placeStacks";
import { StackConfig } from "../model/stackConfig";

export const HOST_ENTRY_CONTAINER_PREFIX = "lchost-entry-";

export interface SyncHostEntriesOptions {
  stacksDir: string;
  /** Default: fleet/hosts.yaml beside the stacks directory. */
  inventoryPath?: string;
  /** The entries' port (default 443). */
  entryPort?: number;
  /** Where a host's entry binds (default: the host's inventory address). */
  bindAddress?: (host: Host) => string;
  /** Container names are <prefix><host> (default lchost-entry-). */
  containerPrefix?: string;
  /** Default: the catalog's balancer image (lchost/haproxy:dev). */
  image?: string;
  /** Default: the host's dockerHost. */
  engineFor?: (host: Host) => DockerEngine;
  /** Only these inventory hosts (default: all). */
  hosts?: string[];
  /** Only these stacks are routed (e.g. those deployed: a destroyed customer leaves its entry); default: all. */
  onlyStacks?: (stackName: string) => boolean;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface HostEntryChange {
  host: string;
  container: string;
  /** removed: the host has no customers left; absent: it had none and has no entry. */
  action: HostEntryAction | "removed" | "absent";
  /** The customers the entry routes now. */
  customers: string[];
}

/** The haproxy.cfg spec of one host's entry: its routes, limits summed from its customers' editions. */
export function hostEntrySpecOf(routes: HostEntryRoutes, configs: Map<string, StackConfig>, bind: { address: string; port: number }): HostEntrySpec {
  const limits = routes.routes.map((r) => {
    const cfg = configs.get(r.stack);
    return editionFacts(cfg && cfg.role === "customer" ? cfg.edition : "datacenter").gateway;
  });
  return {
    bind,
    routes: routes.routes.map(({ customer, serverName, gateway }) => ({ customer, serverName, gateway })),
    maxConnections: Math.max(
      1,
      limits.reduce((n, l) => n + l.maxConnections, 0),
    ),
    connectionsPerSource: Math.max(1, ...limits.map((l) => l.connectionsPerSource)),
    dropPrivilegesTo: { user: "haproxy", group: "haproxy" },
  };
}

/** (Re)deploys each host's entry; answers what happened per host. Invalid fleets are refused before any engine is touched. */
export async function syncHostEntries(opts: SyncHostEntriesOptions): Promise<HostEntryChange[]> {
  const fleet = loadFleetStacks(opts.stacksDir, opts.inventoryPath);
  const entryPort = opts.entryPort ?? HOST_ENTRY_PORT;
  const routed = opts.onlyStacks ? fleet.stacks.filter((st) => opts.onlyStacks!(st.stackName)) : fleet.stacks;
  const all = hostEntryRoutes(routed, fleet.inventory, { entryPort });
  const unknown = (opts.hosts ?? []).filter((h) => !fleet.inventory.byName.has(h));
  if (unknown.length) throw new Error(`hosts: ${unknown.map((h) => `'${h}'`).join(", ")} not in ${fleet.inventory.source}`);
  const selected = opts.hosts ? all.filter((r) => opts.hosts!.includes(r.host.name)) : all;
  const configs = new Map(fleet.stacks.map((s) => [s.stackName, s.config]));
  const image = opts.image ?? editionCatalog().common.images.balancer;
  const out: HostEntryChange[] = [];
  // one host after another: a failure on one host is reported with what the others did
  const failures: string[] = [];
  for (const routes of selected) {
    const host = routes.host;
    const name = `${opts.containerPrefix ?? HOST_ENTRY_CONTAINER_PREFIX}${host.name}`;
    const docker = opts.engineFor ? opts.engineFor(host) : DockerEngine.forHost(host.dockerHost);
    const customers = routes.routes.map((r) => r.customer);
    try {
      if (routes.routes.length === 0) {
        const removed = await removeHostEntry(docker, name);
        out.push({ host: host.name, container: name, action: removed ? "removed" : "absent", customers });
      } else {
        const bind = { address: opts.bindAddress ? opts.bindAddress(host) : host.address, port: entryPort };
        const config = renderHostEntryConfig(hostEntrySpecOf(routes, configs, bind));
        const action = await ensureHostEntry(docker, { name, image, bind, config, labels: { "lchost.host": host.name } }, opts.timeoutMs);
        out.push({ host: host.name, container: name, action, customers });
      }
      opts.log?.(`host entry ${name}: ${out[out.length - 1].action} (${customers.length} customer(s))`);
    } catch (e) {
      failures.push(`${host.name}: ${(e as Error).message}`);
    }
  }
  if (failures.length) throw new HostEntrySyncError(failures, out);
  return out;
}

/** Some hosts' entries could not be brought up to date; `done` says what happened on the others. */
export class HostEntrySyncError extends Error {
  constructor(
    readonly failures: string[],
    readonly done: HostEntryChange[],
  ) {
    super(`host entries failed on ${failures.length} host(s):\n${failures.map((f) => `  ${f}`).join("\n")}`);
    this.name = "HostEntrySyncError";
  }
}

/**
 * Whether a stacks directory opted into per-host entries: it has an inventory and at least one stack behind
 * an entry (`lchost:behindHostEntry: true`). `fleet up|destroy --target docker` syncs the entries only then, so
 * a fleet without them (every gateway publishing its own port) deploys as before.
 */
export function fleetUsesHostEntries(stacksDir: string, inventoryPath = inventoryPathFor(stacksDir)): boolean {
  if (!fs.existsSync(inventoryPath)) return false;
  return loadFleetStacks(stacksDir, inventoryPath).stacks.some(
    (s) => s.config.role !== "operations" && (s.config as { behindHostEntry?: true }).behindHostEntry === true,
  );
}
