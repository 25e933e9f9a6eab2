import { StackValidationPolicy } from "@pulumi/policy";
import { monthlyQuotas } from "../../model/catalog";
import { LC_ENV } from "../../license-central/src/env";
import { CONTAINER_TYPE, customerOf, editionOf, envMap, roleOf } from "../support/containerFacts";
import { factsOfEdition } from "../support/editionFacts";

/**
 * The quotas every License Central line enforces (LC_QUOTA_* env) are the customer's booked monthly total
 * from the catalog: usage is counted in the customer's one database across all its lines, so each line
 * must enforce the whole package's limit — per-line quota × lines for the High Availability Package —
 * and LC_EDITION names the same edition as the container's label.
 */
export const licenseCentralQuotasMatchCatalog: StackValidationPolicy = {
  name: "license-central-quotas-match-catalog",
  description: "Every License Central line enforces the customer's booked total (LC_QUOTA_*): the catalog's quota, times the lines for HA.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const lines = args.resources.filter((r) => r.type === CONTAINER_TYPE && roleOf(r.props) === "license-central");
    const linesPerCustomer = new Map<string, number>();
    for (const l of lines) linesPerCustomer.set(customerOf(l.props) ?? "", (linesPerCustomer.get(customerOf(l.props) ?? "") ?? 0) + 1);
    for (const line of lines) {
      const c = line.props;
      const edition = editionOf(c);
      const facts = factsOfEdition(edition);
      const env = envMap(c);
      if (!facts) {
        reportViolation(`License Central '${c.name}' has edition label '${edition}', which is not in the catalog`, line.urn);
        continue;
      }
      if (env.get(LC_ENV.edition) !== facts.id) {
        reportViolation(`${LC_ENV.edition}=${env.get(LC_ENV.edition) ?? "(unset)"} but the container is labelled edition '${facts.id}'`, line.urn);
      }
      const count = facts.quotas.perLine ? (linesPerCustomer.get(customerOf(c) ?? "") ?? 1) : 1;
      const q = monthlyQuotas(facts.id, count);
      const expected: Array<[string, number]> = [
        [LC_ENV.quotaActivations, q.activationsPerMonth],
        [LC_ENV.quotaWebServiceCalls, q.webServiceCallsPerMonth],
      ];
      const booked = facts.quotas.perLine ? ` for ${count} line(s)` : "";
      for (const [key, value] of expected) {
        if (env.get(key) !== String(value)) {
          reportViolation(`${key}=${env.get(key) ?? "(unset)"} on '${c.name}'; the customer's booked ${facts.title} total${booked} is ${value}`, line.urn);
        }
      }
    }
  },
};
