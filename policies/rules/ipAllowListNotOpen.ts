import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { allowListEntries } from "../support/allowListEntries";

/** An allow-list that lets in every address (0.0.0.0/0, ::/0) is no protection at all. */
export const ipAllowListNotOpen: ResourceValidationPolicy = {
  name: "ip-allow-list-not-open",
  description: "No IP allow-list entry admits every address (0.0.0.0/0 or ::/0).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    for (const e of allowListEntries(c).filter((x) => x.prefix === 0)) {
      reportViolation(`lchost:connection.ipAllowList: '${e.cidr}' (in ${e.file} of '${c.name}') admits every address; list the customer's networks`);
    }
  }),
};
