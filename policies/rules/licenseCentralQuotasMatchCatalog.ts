import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { monthlyQuotas } from "../../model/catalog";
import { LC_ENV } from "../../license-central/src/env";
import { editionOf, envMap, roleOf } from "../support/containerFacts";
import { factsOfEdition } from "../support/editionFacts";

/**
 * The quotas a License Central enforces (LC_QUOTA_* env) are the catalog's for its edition — per line
 * for the High Availability Package, whose every line enforces the per-line limit — and LC_EDITION
 * names the same edition as the container's label.
 */
export const licenseCentralQuotasMatchCatalog: ResourceValidationPolicy = {
  name: "license-central-quotas-match-catalog",
  description: "License Central's configured quotas (LC_QUOTA_*) equal the edition catalog's.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    if (roleOf(c) !== "license-central") return;
    const edition = editionOf(c);
    const facts = factsOfEdition(edition);
    const env = envMap(c);
    if (!facts) {
      reportViolation(`License Central '${c.name}' has edition label '${edition}', which is not in the catalog`);
      return;
    }
    if (env.get(LC_ENV.edition) !== facts.id) reportViolation(`${LC_ENV.edition}=${env.get(LC_ENV.edition) ?? "(unset)"} but the container is labelled edition '${facts.id}'`);
    const q = monthlyQuotas(facts.id, 1);
    const expected: Array<[string, number]> = [
      [LC_ENV.quotaActivations, q.activationsPerMonth],
      [LC_ENV.quotaWebServiceCalls, q.webServiceCallsPerMonth],
    ];
    for (const [key, value] of expected) {
      if (env.get(key) !== String(value)) {
        reportViolation(`${key}=${env.get(key) ?? "(unset)"} on '${c.name}'; the catalog's ${facts.title} quota${facts.quotas.perLine ? " per line" : ""} is ${value}`);
      }
    }
  }),
};
