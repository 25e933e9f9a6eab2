import { LC_ENV } from "../../license-central/src/env";
import { Violation } from "../violation";
import { Plan } from "../../planner/mockPlanner";
import { unwrapSecrets } from "../../planner/planValues";
import { CONTAINER_TYPE, customerOf, editionOf, envMap, roleOf } from "../support/containerFacts";
import { sharedServerEditions } from "../support/editionFacts";

export const TENANT_DATABASES_DISTINCT = "tenant-databases-distinct";

/**
 * Across the tenant stacks of a shared server, no two tenants use the same database or user. A policy
 * pack sees one stack at a time, so this check runs over several plans (lchost check); per stack,
 * tenant-database-own-schema already ties both names to the tenant.
 */
export function tenantDatabasesDistinct(plans: Plan[]): Violation[] {
  const seen = new Map<string, { stack: string; customer: string }>();
  const out: Violation[] = [];
  for (const plan of plans) {
    for (const r of plan.resources) {
      if (r.type !== CONTAINER_TYPE) continue;
      const c = unwrapSecrets(r.inputs) as any;
      if (roleOf(c) !== "license-central" || !sharedServerEditions().has(editionOf(c) ?? "")) continue;
      const env = envMap(c);
      const host = env.get(LC_ENV.dbHost) ?? "?";
      for (const key of [LC_ENV.dbName, LC_ENV.dbUser]) {
        const id = `${host}|${key}|${env.get(key)}`;
        const other = seen.get(id);
        const customer = customerOf(c) ?? "?";
        if (other && other.customer !== customer) {
          out.push({
            policy: TENANT_DATABASES_DISTINCT,
            enforcementLevel: "mandatory",
            resource: r.urn,
            message: `tenant '${customer}' (stack ${plan.stack}) and tenant '${other.customer}' (stack ${other.stack}) both use ${key}=${env.get(key)} on ${host}`,
          });
        } else if (!other) {
          seen.set(id, { stack: plan.stack, customer });
        }
      }
    }
  }
  return out;
}
