import { StackConfig } from "../../model/stackConfig";
import { stackNameOfReference } from "../../model/stackFile";
import { Violation } from "../violation";

export const HOST_NAMES_DISTINCT = "host-names-distinct";

/** The public host name a customer's HTTPS entry answers to (TLS server name and Host header). */
export interface ClaimedHostName {
  stack: string;
  customer: string;
  hostName: string;
}

/**
 * Every customer's public host name: `<customer>.<domain>`, a Datacenter tenant's with its shared server's
 * domain (the shared entry point routes it), everyone else's with its own lchost:domain.
 */
export function claimedHostNames(stacks: Array<{ stackName: string; config: StackConfig }>): ClaimedHostName[] {
  const sharedDomains = new Map<string, string>();
  for (const s of stacks) if (s.config.role === "shared-server") sharedDomains.set(s.stackName, s.config.domain);
  const out: ClaimedHostName[] = [];
  for (const s of stacks) {
    const cfg = s.config;
    if (cfg.role !== "customer") continue;
    const domain = (cfg.sharedServer && sharedDomains.get(stackNameOfReference(cfg.sharedServer))) ?? cfg.domain;
    out.push({ stack: s.stackName, customer: cfg.customer, hostName: `${cfg.customer}.${domain}`.toLowerCase() });
  }
  return out;
}

/** A host name claimed twice: the first claimant and the second. */
export interface HostNameClash {
  hostName: string;
  first: ClaimedHostName;
  second: ClaimedHostName;
}

export function hostNameClashes(stacks: Array<{ stackName: string; config: StackConfig }>): HostNameClash[] {
  const first = new Map<string, ClaimedHostName>();
  const out: HostNameClash[] = [];
  for (const c of claimedHostNames(stacks)) {
    const other = first.get(c.hostName);
    if (other) out.push({ hostName: c.hostName, first: other, second: c });
    else first.set(c.hostName, c);
  }
  return out;
}

/**
 * Across the fleet, no two customer stacks claim the same public host name: the per-host HTTPS entry routes
 * by TLS server name (SNI), so a second claimant would receive the first one's clients — with their client
 * certificates. A policy pack sees one stack at a time, so this runs over all stack files (lchost fleet place,
 * lchost check). The violation's `resource` is the second claimant's stack.
 */
export function hostNamesDistinct(stacks: Array<{ stackName: string; config: StackConfig }>): Violation[] {
  return hostNameClashes(stacks).map(({ hostName, first, second }) => ({
    policy: HOST_NAMES_DISTINCT,
    enforcementLevel: "mandatory",
    resource: second.stack,
    message: `stack ${second.stack} (customer '${second.customer}') and stack ${first.stack} (customer '${first.customer}') both claim the host name ${hostName}; each customer needs its own (lchost:customer, lchost:domain)`,
  }));
}
