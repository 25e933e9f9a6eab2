import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { allowListEntries } from "../support/allowListEntries";

export interface IpAllowListNarrowConfig {
  minIpv4PrefixLength?: number;
  minIpv6PrefixLength?: number;
}

export const IP_ALLOW_LIST_DEFAULTS = { minIpv4PrefixLength: 16, minIpv6PrefixLength: 32 };

/** Advisory: very wide allow-list entries (IPv4 shorter than /16 by default) are likely mistakes. */
export const ipAllowListNarrow: ResourceValidationPolicy = {
  name: "ip-allow-list-narrow",
  description: "Advisory: IP allow-list entries should be narrow (IPv4 at least /16, IPv6 at least /32 by default).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      minIpv4PrefixLength: { type: "integer", minimum: 1, maximum: 32, default: IP_ALLOW_LIST_DEFAULTS.minIpv4PrefixLength },
      minIpv6PrefixLength: { type: "integer", minimum: 1, maximum: 128, default: IP_ALLOW_LIST_DEFAULTS.minIpv6PrefixLength },
    },
  },
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const cfg = { ...IP_ALLOW_LIST_DEFAULTS, ...args.getConfig<IpAllowListNarrowConfig>() };
    for (const e of allowListEntries(c)) {
      const min = e.family === 4 ? cfg.minIpv4PrefixLength : cfg.minIpv6PrefixLength;
      if (e.prefix > 0 && e.prefix < min) {
        reportViolation(`lchost:connection.ipAllowList: '${e.cidr}' is wider than /${min} (IPv${e.family}); is the whole range really the customer's?`);
      }
    }
  }),
};
