/**
 * The routes of each host's one HTTPS entry, computed from a placed fleet (issue 14 item 2, docs/hosts.md):
 * for every inventory host, the customers served there — a Dedicated Server or High Performance customer on
 * its lchost:host, a Datacenter tenant through its shared server's gateway on the shared server's host, a
 * High Availability customer through its balancer pair's hosts — each with its public host name (the TLS
 * server name the entry routes by) and its gateway's port on that host. Pure.
 */
import { editionFacts } from "../model/catalog";
import { Host, HostInventory, HostsError, placeParts, resolveStackHosts } from "../model/hosts";
import { stackHostLayout } from "../model/hostsLayout";
import { StackConfig } from "../model/stackConfig";
import { stackNameOfReference } from "../model/stackFile";
import { BEHIND_HOST_ENTRY_ADDRESS, HostEntryRoute } from "../haproxy/renderHostEntry";
import { claimedHostNames, hostNamesDistinct } from "../policies/fleet/hostNamesDistinct";
import { httpsPortsDistinctPerHost } from "../policies/fleet/httpsPortsDistinctPerHost";

/** What the routes need of a stack file: its parsed config and its raw keys (was lchost:httpsPort written?). */
export type RoutedStack = { stackName: string; config: StackConfig; allConfig: Record<string, unknown> };

export interface HostEntryCustomerRoute extends HostEntryRoute {
  /** The customer's stack. */
  stack: string;
  /** The stack whose gateway serves it (a tenant: its shared server). */
  gatewayStack: string;
}

export interface HostEntryRoutes {
  host: Host;
  /** Sorted by customer. */
  routes: HostEntryCustomerRoute[];
}

/** The fleet cannot be routed as it is; every problem names the stack and the key. */
export class HostEntryRoutesError extends Error {
  constructor(readonly problems: string[]) {
    super(`the host entries cannot be routed:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "HostEntryRoutesError";
  }
}

/** The port of every host's entry in production; tests pass their own. */
export const HOST_ENTRY_PORT = 443;

/**
 * Every inventory host's routes (hosts without customers included, with none: their entry is removed).
 * Refused, naming each stack and key: a gateway stack without lchost:behindHostEntry or an explicit
 * lchost:httpsPort, a customer without a host, a tenant whose shared server is not among the stacks, two
 * customers with one host name, two gateways with one port on a host or one on the entry's port.
 */
export function hostEntryRoutes(stacks: RoutedStack[], inventory: HostInventory, opts: { entryPort?: number } = {}): HostEntryRoutes[] {
  const problems: string[] = [];
  const docker = stacks.filter((s) => s.config.role !== "operations" && s.config.platform === "docker");
  const byName = new Map(docker.map((s) => [s.stackName, s]));
  const serverNames = new Map(claimedHostNames(docker).map((c) => [c.stack, c.hostName]));
  problems.push(...hostNamesDistinct(docker).map((v) => `[${v.policy}] ${v.message}`));
  problems.push(...httpsPortsDistinctPerHost(docker, { inventory, entryPort: opts.entryPort ?? HOST_ENTRY_PORT }).map((v) => `[${v.policy}] ${v.message}`));
  const routes = new Map<string, HostEntryCustomerRoute[]>(inventory.hosts.map((h) => [h.name, []]));
  /** The hosts a gateway stack's gateway runs on, or why it cannot be routed. */
  const gatewayHosts = (g: RoutedStack): string[] | undefined => {
    const cfg = g.config;
    if (cfg.role === "operations") return undefined; // filtered out above
    const where = `stack ${g.stackName}`;
    if (!cfg.behindHostEntry)
      problems.push(
        `${where}: lchost:behindHostEntry: not set; its gateway must take the entry's PROXY v2 header (set lchost:behindHostEntry: true in the stack file; docs/hosts.md)`,
      );
    if (g.allConfig["lchost:httpsPort"] === undefined)
      problems.push(
        `${where}: lchost:httpsPort: not set; behind the host's entry each gateway needs its own port on the host (write one in the stack file: fleet place does not assign ports yet)`,
      );
    if (cfg.host !== undefined) return [cfg.host];
    if (cfg.role === "customer" && cfg.hosts !== undefined) {
      try {
        // the balancer pair's hosts, with the stack's own lchost:galeraArbitrator (model/hostsLayout.ts)
        const layout = stackHostLayout(cfg, inventory);
        if (layout) return [...new Set(layout.placement.balancers)];
        const facts = editionFacts(cfg.edition);
        const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
        return [...new Set(placeParts({ hosts: resolveStackHosts(cfg.hosts, inventory), lines: cfg.lines, databaseNodes: nodes }).balancers)];
      } catch (e) {
        if (!(e instanceof HostsError)) throw e;
        problems.push(`${where}: ${e.message}`);
        return undefined;
      }
    }
    problems.push(`${where}: lchost:host: not set; the stack is not placed, so no host's entry can route to it (lchost fleet place --write)`);
    return undefined;
  };
  const checked = new Map<string, string[] | undefined>();
  for (const s of docker) {
    const cfg = s.config;
    if (cfg.role !== "customer") continue;
    let gateway: RoutedStack = s;
    if (cfg.sharedServer !== undefined) {
      const shared = byName.get(stackNameOfReference(cfg.sharedServer));
      if (!shared || shared.config.role !== "shared-server") {
        problems.push(
          `stack ${s.stackName}: lchost:sharedServer: '${cfg.sharedServer}' is not a shared-server stack among the stacks; its gateway cannot be routed`,
        );
        continue;
      }
      gateway = shared;
    }
    if (!checked.has(gateway.stackName)) checked.set(gateway.stackName, gatewayHosts(gateway));
    const hosts = checked.get(gateway.stackName);
    if (!hosts) continue;
    for (const host of hosts) {
      const list = routes.get(host);
      if (!list) continue; // an inline host of lchost:hosts: not an inventory host, no fleet entry there
      list.push({
        customer: cfg.customer,
        serverName: serverNames.get(s.stackName)!,
        gateway: { address: BEHIND_HOST_ENTRY_ADDRESS, port: gateway.config.httpsPort },
        stack: s.stackName,
        gatewayStack: gateway.stackName,
      });
    }
  }
  if (problems.length) throw new HostEntryRoutesError([...new Set(problems)]);
  return inventory.hosts
    .map((host) => ({ host, routes: routes.get(host.name)!.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0)) }))
    .sort((a, b) => (a.host.name < b.host.name ? -1 : a.host.name > b.host.name ? 1 : 0));
}
