import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { customerOf, networkNames, roleOf } from "../support/containerFacts";
import { sharedServerEditions } from "../support/editionFacts";
import { editionOf } from "../support/containerFacts";

/**
 * A Datacenter tenant's License Central joins exactly one network: its own tenant network on the
 * shared server (lc-<server>-tenant-<customer>, see model/naming.ts), so it cannot reach other tenants.
 */
export const tenantLicenseCentralOwnNetwork: ResourceValidationPolicy = {
  name: "tenant-license-central-own-network",
  description: "A shared-server tenant's License Central joins only its own tenant network.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
    if (roleOf(container) !== "license-central" || !sharedServerEditions().has(editionOf(container) ?? "")) return;
    const customer = customerOf(container);
    const networks = networkNames(container);
    const own = (n: string) => customer !== undefined && n.endsWith(`-tenant-${customer}`);
    if (networks.length !== 1 || !own(networks[0])) {
      reportViolation(
        `License Central of tenant '${customer}' must join only its own tenant network (…-tenant-${customer}); networksAdvanced is [${networks.join(", ")}]`,
      );
    }
  }),
};
