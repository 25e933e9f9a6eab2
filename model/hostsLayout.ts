/**
 * Where a High Availability stack's parts run when it names its hosts (`lchost:hosts`, docs/hosts.md): the
 * stack's hosts resolved against the inventory, the arbitrator's host (`lchost:galeraArbitrator`), and
 * `placeParts`' placement. The one place the program, `lchost plan` and the sandbox take the layout from.
 * Pure: no I/O, no Pulumi.
 */
import { editionFacts } from "./catalog";
import { Host, HostInventory, PartPlacement, placeParts, resolveStackHosts } from "./hosts";
import type { CustomerConfig } from "./stackConfig";

export interface StackHostLayout {
  /** lchost:hosts, resolved, in order (the balancer pair on the first two). */
  hosts: Host[];
  /** The Galera arbitrator's host (2 hosts + garbd), resolved. */
  arbitrator?: Host;
  placement: PartPlacement;
  /** Every host of the stack (data hosts and the arbitrator's) by name. */
  byName: ReadonlyMap<string, Host>;
}

/** The layout of an HA stack on hosts; undefined when the stack names no hosts (one Docker host, as before). */
export function stackHostLayout(cfg: CustomerConfig, inventory: HostInventory | undefined): StackHostLayout | undefined {
  if (cfg.hosts === undefined || cfg.platform !== "docker") return undefined;
  const facts = editionFacts(cfg.edition);
  if (facts.database.kind !== "cluster") return undefined;
  const hosts = resolveStackHosts(cfg.hosts, inventory);
  const arbitrator = cfg.galeraArbitrator !== undefined ? resolveStackHosts([cfg.galeraArbitrator], inventory, "lchost:galeraArbitrator")[0] : undefined;
  const placement = placeParts({ hosts, lines: cfg.lines, databaseNodes: facts.database.nodes, ...(arbitrator ? { arbitrator } : {}) });
  const all = arbitrator ? [...hosts, arbitrator] : hosts;
  return { hosts, ...(arbitrator ? { arbitrator } : {}), placement, byName: new Map(all.map((h) => [h.name, h])) };
}

/** Host name → the parts placed on it, in host order (data hosts, then the arbitrator's): what `lchost plan` shows. */
export function partsByHost(layout: StackHostLayout): Array<{ host: string; address: string; parts: string[] }> {
  const p = layout.placement;
  const all = layout.arbitrator ? [...layout.hosts, layout.arbitrator] : layout.hosts;
  return all.map((h) => ({
    host: h.name,
    address: h.address,
    parts: [
      ...p.balancers.flatMap((b, i) => (b === h.name ? [`balancer ${i + 1} (HAProxy + keepalived)`] : [])),
      ...p.databaseNodes.flatMap((d, i) => (d === h.name ? [`Galera node ${i + 1}`] : [])),
      ...(p.arbitrator === h.name ? ["Galera arbitrator (garbd)"] : []),
      ...p.lines.flatMap((l, i) => (l === h.name ? [`line ${i + 1} + FSB ${i + 1}`] : [])),
    ],
  }));
}
