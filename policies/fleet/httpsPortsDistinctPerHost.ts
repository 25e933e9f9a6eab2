import { HostInventory, HostsError, placeParts, resolveStackHosts } from "../../model/hosts";
import { stackHostLayout } from "../../model/hostsLayout";
import { editionFacts } from "../../model/catalog";
import { StackConfig } from "../../model/stackConfig";
import { Violation } from "../violation";

export const HTTPS_PORTS_DISTINCT_PER_HOST = "https-ports-distinct-per-host";

/** A stack's gateway publishing lchost:httpsPort on an inventory host. */
export interface PublishedGateway {
  stack: string;
  host: string;
  port: number;
}

/**
 * Where each stack's gateway publishes its port: a Dedicated Server, High Performance or shared-server
 * stack on its lchost:host, a High Availability stack on its balancer pair's hosts (placeParts); a
 * Datacenter tenant publishes nothing (its shared server's gateway serves it), nor does a stack without a
 * host or on Kubernetes. Operations stacks have no lchost:host. Pure.
 */
export function publishedGateways(stacks: Array<{ stackName: string; config: StackConfig }>, inventory?: HostInventory): PublishedGateway[] {
  const out: PublishedGateway[] = [];
  for (const s of stacks) {
    const cfg = s.config;
    if (cfg.role === "operations" || cfg.platform !== "docker") continue;
    if (cfg.role === "customer" && cfg.sharedServer !== undefined) continue;
    if (cfg.host !== undefined) out.push({ stack: s.stackName, host: cfg.host, port: cfg.httpsPort });
    else if (cfg.role === "customer" && cfg.hosts !== undefined) {
      let balancers: string[];
      try {
        // with the stack's own lchost:galeraArbitrator (model/hostsLayout.ts)
        const layout = stackHostLayout(cfg, inventory);
        const hosts = resolveStackHosts(cfg.hosts, inventory);
        const facts = editionFacts(cfg.edition);
        balancers =
          layout?.placement.balancers ??
          placeParts({ hosts, lines: cfg.lines, databaseNodes: facts.database.kind === "cluster" ? facts.database.nodes : 1 }).balancers;
      } catch (e) {
        if (e instanceof HostsError) continue; // the stack's own checks name what is wrong with lchost:hosts
        throw e;
      }
      for (const host of new Set(balancers)) out.push({ stack: s.stackName, host, port: cfg.httpsPort });
    }
  }
  return out;
}

/**
 * On one host, no two stacks publish their gateway on the same lchost:httpsPort (Docker would refuse the
 * second container: "port is already allocated"), and with the host's HTTPS entry on `entryPort` no stack
 * takes that port either. A policy pack sees one stack at a time, so this runs over all stack files (the
 * host entry's routes, docs/hosts.md). Each violation names both stacks; its `resource` is the later one.
 */
export function httpsPortsDistinctPerHost(
  stacks: Array<{ stackName: string; config: StackConfig }>,
  opts: { inventory?: HostInventory; entryPort?: number } = {},
): Violation[] {
  const first = new Map<string, PublishedGateway>();
  const out: Violation[] = [];
  const violation = (resource: string, message: string): Violation => ({
    policy: HTTPS_PORTS_DISTINCT_PER_HOST,
    enforcementLevel: "mandatory",
    resource,
    message,
  });
  for (const g of publishedGateways(stacks, opts.inventory)) {
    if (opts.entryPort !== undefined && g.port === opts.entryPort) {
      out.push(
        violation(
          g.stack,
          `stack ${g.stack}: lchost:httpsPort ${g.port} on host ${g.host} is the port of the host's HTTPS entry; give the stack a port of its own (write one in the stack file: fleet place does not assign ports yet)`,
        ),
      );
      continue;
    }
    const key = `${g.host}:${g.port}`;
    const other = first.get(key);
    if (other && other.stack !== g.stack)
      out.push(
        violation(
          g.stack,
          `stack ${g.stack} and stack ${other.stack} both publish lchost:httpsPort ${g.port} on host ${g.host}; each gateway on a host needs its own port (write free ones in the stack files: fleet place does not assign ports yet)`,
        ),
      );
    else if (!other) first.set(key, g);
  }
  return out;
}

/** Metadata of the policy as lchost check lists it. */
export const httpsPortsDistinctPerHostPolicy = {
  name: HTTPS_PORTS_DISTINCT_PER_HOST,
  description: "On one host, every stack's gateway publishes its own lchost:httpsPort, none the host entry's port.",
  enforcementLevel: "mandatory" as const,
};
