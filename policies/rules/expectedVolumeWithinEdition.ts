import { StackValidationPolicy } from "@pulumi/policy";
import { EDITION_IDS, EditionId, editionFacts, monthlyQuotas } from "../../model/catalog";
import { CONTAINER_TYPE, editionOf, roleOf } from "../support/containerFacts";
import { factsOfEdition } from "../support/editionFacts";
import { numberTag, STACK_TAGS } from "../support/stackTags";

export interface ExpectedVolume {
  activationsPerMonth?: number;
  webServiceCallsPerMonth?: number;
}

/** The smallest edition (catalog order) and line count whose monthly limits hold the volume. */
export function editionThatFits(volume: ExpectedVolume): { edition: EditionId; lines: number } | undefined {
  for (const id of EDITION_IDS) {
    const { min, max } = editionFacts(id).lines;
    for (let lines = min; lines <= max; lines++) {
      const q = monthlyQuotas(id, lines);
      if ((volume.activationsPerMonth ?? 0) <= q.activationsPerMonth && (volume.webServiceCallsPerMonth ?? 0) <= q.webServiceCallsPerMonth)
        return { edition: id, lines };
      if (!editionFacts(id).quotas.perLine) break;
    }
  }
  return undefined;
}

function describeFit(fit: { edition: EditionId; lines: number } | undefined): string {
  if (!fit) return "no edition fits; the largest is High Availability Package with the most lines — split the customer or raise the catalog's limits";
  const q = monthlyQuotas(fit.edition, fit.lines);
  const lines = editionFacts(fit.edition).quotas.perLine ? ` with ${fit.lines} lines (lchost:lines)` : "";
  return `${editionFacts(fit.edition).title}${lines} would fit (${q.activationsPerMonth} activations, ${q.webServiceCallsPerMonth} web-service calls per month)`;
}

/**
 * The customer's expected monthly volume (lchost:expectedVolume, passed to policies as stack tags)
 * fits the deployed edition's monthly limits — per line for the High Availability Package.
 * The edition and the number of lines are read from the License Central containers that will run.
 */
export const expectedVolumeWithinEdition: StackValidationPolicy = {
  name: "expected-volume-within-edition",
  description: "The stack's expected monthly volume fits the edition's monthly limits (per line for HA).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const lines = args.resources.filter((r) => r.type === CONTAINER_TYPE && roleOf(r.props) === "license-central");
    if (lines.length === 0) return args.notApplicable("no License Central in this stack (a shared server)");
    const edition = editionOf(lines[0].props);
    const facts = factsOfEdition(edition);
    if (!facts) {
      reportViolation(`License Central runs with edition label '${edition}', which is not in the catalog (allowed: ${EDITION_IDS.join(", ")})`);
      return;
    }
    const volume: ExpectedVolume = {
      activationsPerMonth: numberTag(args.stackTags, STACK_TAGS.expectedActivations),
      webServiceCallsPerMonth: numberTag(args.stackTags, STACK_TAGS.expectedWebServiceCalls),
    };
    if (volume.activationsPerMonth === undefined && volume.webServiceCallsPerMonth === undefined) {
      args.notApplicable(`no expected volume: stack tags ${STACK_TAGS.expectedActivations} / ${STACK_TAGS.expectedWebServiceCalls} are not set`);
    }
    const limits = monthlyQuotas(facts.id, lines.length);
    const per = facts.quotas.perLine ? ` (${lines.length} lines)` : "";
    const checks: Array<[keyof ExpectedVolume, string]> = [
      ["activationsPerMonth", "activations"],
      ["webServiceCallsPerMonth", "web-service calls"],
    ];
    for (const [key, what] of checks) {
      const expected = volume[key];
      if (expected !== undefined && expected > limits[key]) {
        reportViolation(
          `lchost:expectedVolume.${key}: ${expected} ${what} per month exceed the limit of ${facts.title}${per}, ${limits[key]}; ${describeFit(editionThatFits(volume))}`,
        );
      }
    }
  },
};
