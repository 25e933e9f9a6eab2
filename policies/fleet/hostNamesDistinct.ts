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

/**
 * Across the fleet, no two customer stacks claim the same public host name: the per-host HTTPS entry routes
 * by TLS server name (SNI), so a second claimant would receive the first one's clients — with their client
 * certificates. A policy pack sees one stack at a time, so this runs over all stack files (lchost fleet place).
 */
export function hostNamesDistinct(stacks: Array<{ stackName: string; config: StackConfig }>): Violation[] {
  const first = new Map<string, ClaimedHostName>();
  const out: Violation[] = [];
  for (const c of claimedHostNames(stacks)) {
    const other = first.get(c.hostName);
    if (!other) {
      first.set(c.hostName, c);
      continue;
    }
    out.push({
      policy: HOST_NAMES_DISTINCT,
      enforcementLevel: "mandatory",
      resource: c.stack,
      message: `stack ${c.stack} (customer '${c.customer}') and stack ${other.stack} (customer '${other.customer}') both claim the host name ${c.hostName}; each customer needs its own (lchost:customer, lchost:domain)`,
    });
  }
  return out;
}
