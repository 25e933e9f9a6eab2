import { StackValidationPolicy } from "@pulumi/policy";
import { editionFacts, EDITION_IDS, EditionId } from "../../model/catalog";
import { STACK_TAGS } from "../support/stackTags";

/**
 * A High Availability stack spread over hosts (`lchost:hosts`, two or more) runs its balancer as a pair:
 * HAProxy + keepalived on the first two hosts holding the customer's virtual IP by VRRP (docs/hosts.md, "The
 * balancer pair"). Without the VIP (`lchost:balancer.virtualIp`) there is no pair, and losing the one
 * balancer's host loses the customer. The hosts and the VIP are stack config, so they reach the pack as stack
 * tags (`lchost:hosts`: the host names joined by ',', `lchost:virtualIp`; `lchost plan` derives them).
 */
export const haBalancerPair: StackValidationPolicy = {
  name: "ha-balancer-pair",
  description: "High Availability on two or more hosts (lchost:hosts) runs the balancer pair: lchost:balancer.virtualIp is set.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const edition = args.stackTags.get(STACK_TAGS.edition);
    if (!edition || !EDITION_IDS.includes(edition as EditionId) || editionFacts(edition as EditionId).database.kind !== "cluster")
      return args.notApplicable("the edition runs no database cluster (no balancer pair)");
    const hosts = (args.stackTags.get(STACK_TAGS.hosts) ?? "").split(",").filter(Boolean);
    if (hosts.length < 2) return args.notApplicable(`runs on one host (stack tag ${STACK_TAGS.hosts} lists ${hosts.length})`);
    if (!args.stackTags.get(STACK_TAGS.virtualIp)) {
      reportViolation(
        `lchost:balancer.virtualIp: ${editionFacts(edition as EditionId).title} on ${hosts.length} hosts (lchost:hosts: ${hosts.join(", ")}) runs without its balancer pair; set lchost:balancer.virtualIp, the customer's virtual IP that keepalived moves between ${hosts[0]} and ${hosts[1]}`,
      );
    }
  },
};
