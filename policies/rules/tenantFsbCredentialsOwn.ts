import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { FSB_ENV } from "../../fsb-emulator/src/env";
import { LC_ENV } from "../../license-central/src/env";
import { customerOf, editionOf, envMap, networkNames, roleOf, sharedServerOf } from "../support/containerFacts";
import { sharedServerEditions } from "../support/editionFacts";

/**
 * On a shared server each tenant signs with its own firm on the shared FSB: the tenant's License
 * Central uses its own firm code, and the shared FSB holds one distinct token per tenant, for the
 * tenants whose networks it serves and no one else.
 */
export const tenantFsbCredentialsOwn: ResourceValidationPolicy = {
  name: "tenant-fsb-credentials-own",
  description: "Each shared-server tenant has its own FSB firm and token; no token opens two firms.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
    const role = roleOf(container);
    if (role === "license-central" && sharedServerEditions().has(editionOf(container) ?? "")) {
      const customer = customerOf(container);
      const firm = envMap(container).get(LC_ENV.fsbFirmCode);
      if (firm !== customer)
        reportViolation(`License Central of tenant '${customer}' signs as firm '${firm ?? "(unset)"}' (${LC_ENV.fsbFirmCode}); allowed: '${customer}'`);
      return;
    }
    const server = sharedServerOf(container);
    if (role !== "fsb" || !server) return;
    const entries = (envMap(container).get(FSB_ENV.firmTokens) ?? "").split(",").filter(Boolean);
    const firms = entries.map((e) => e.split("=")[0]);
    const tokens = entries.map((e) => e.slice(e.indexOf("=") + 1));
    const tenants = networkNames(container)
      .map((n) => /-tenant-(.+)$/.exec(n)?.[1])
      .filter((t): t is string => t !== undefined);
    const dup = (xs: string[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
    for (const f of dup(firms)) reportViolation(`the shared FSB of '${server}' lists firm '${f}' more than once in ${FSB_ENV.firmTokens}`);
    if (dup(tokens).length > 0) reportViolation(`the shared FSB of '${server}' gives the same token to several firms in ${FSB_ENV.firmTokens}`);
    for (const f of firms.filter((x) => !tenants.includes(x)))
      reportViolation(`the shared FSB of '${server}' holds a token for '${f}', which is not one of its tenants (${tenants.join(", ")})`);
    for (const t of tenants.filter((x) => !firms.includes(x))) reportViolation(`tenant '${t}' of '${server}' has no firm token of its own on the shared FSB`);
  }),
};
