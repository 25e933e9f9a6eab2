import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { editionCatalog } from "../../model/catalog";
import { uploadsEndingWith } from "../support/containerFacts";
import { backendHealth } from "../../haproxy/parseConfig";

export interface BalancerDetectsDeadLineConfig {
  maxDetectionSeconds?: number;
}

/** The catalog's bound, unless the policy config sets another. */
export function maxDetectionSeconds(config: BalancerDetectsDeadLineConfig): number {
  return config.maxDetectionSeconds ?? editionCatalog().common.balancerDeadLineDetectionSeconds;
}

/**
 * A dead line leaves the balancer's pool in time: for every backend of the haproxy.cfg an entry point
 * runs, every server is health-checked and `inter` × `fall` stays within the catalog's
 * balancerDeadLineDetectionSeconds (tunable through this policy's config).
 */
export const balancerDetectsDeadLine: ResourceValidationPolicy = {
  name: "balancer-detects-dead-line",
  description: "HAProxy health checks take a dead line out of the pool within the catalog's bound (interval x fall).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxDetectionSeconds: {
        type: "number",
        exclusiveMinimum: 0,
        description: "Longest time (s) a dead line may stay in the pool; defaults to model/catalog.yaml common.balancerDeadLineDetectionSeconds.",
      },
    },
  },
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const max = maxDetectionSeconds(args.getConfig<BalancerDetectsDeadLineConfig>());
    for (const f of uploadsEndingWith(c, "/haproxy.cfg")) {
      for (const b of backendHealth(f.content)) {
        if (b.uncheckedServers.length > 0)
          reportViolation(`backend ${b.backend} of '${c.name}' does not health-check server(s) ${b.uncheckedServers.join(", ")} ('check' missing)`);
        const ms = (b.intervalMs ?? 0) * (b.fall ?? 0);
        if (ms > max * 1000) {
          reportViolation(
            `backend ${b.backend} of '${c.name}' takes ${ms / 1000} s to drop a dead line (inter ${b.intervalMs}ms x fall ${b.fall}); allowed: ${max} s`,
          );
        }
      }
    }
  }),
};
