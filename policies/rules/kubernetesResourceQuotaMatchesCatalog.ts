import { StackValidationPolicy } from "@pulumi/policy";
import { EDITION_IDS, EditionId, editionFacts } from "../../model/catalog";
import { cpuMillisOfShares, customerPodShapes, namespaceQuota } from "../../model/kubernetesResources";
import { containersOf, cpuMillis, EDITION_LABEL, K8S, labelsOf, memoryMb, nameOf, namespaceOf, workloadOf } from "../support/kubernetesFacts";
import { numberTag, STACK_TAGS } from "../support/stackTags";

/**
 * A customer namespace's ResourceQuota is the catalog's (model/kubernetesResources.ts: every pod's limits plus one
 * surge pod), and every License Central and database container is limited to the edition's memory and CPU.
 */
export const kubernetesResourceQuotaMatchesCatalog: StackValidationPolicy = {
  name: "kubernetes-resource-quota-matches-catalog",
  description: "A customer namespace's ResourceQuota and its License Central and database limits are the edition catalog's.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const customerNamespaces = args.resources.filter((r) => r.type === K8S.namespace && EDITION_IDS.includes(labelsOf(r.props)[EDITION_LABEL] as EditionId));
    if (customerNamespaces.length === 0) return args.notApplicable("no customer namespace");
    for (const ns of customerNamespaces) {
      const edition = labelsOf(ns.props)[EDITION_LABEL] as EditionId;
      const facts = editionFacts(edition);
      const lines = facts.lines.max > 1 ? (numberTag(args.stackTags, STACK_TAGS.lines) ?? facts.lines.default) : 1;
      const want = namespaceQuota(customerPodShapes(edition, lines));
      const quota = args.resources.find((r) => r.type === K8S.quota && namespaceOf(r.props) === nameOf(ns.props));
      if (!quota) {
        reportViolation(
          `namespace '${nameOf(ns.props)}' has no ResourceQuota; the catalog's is ${want.memoryMb}Mi memory, ${want.cpuMillis}m CPU, ${want.pods} pods`,
          ns.urn,
        );
        continue;
      }
      const hard = quota.props.spec?.hard ?? {};
      for (const kind of ["requests", "limits"]) {
        if (memoryMb(hard[`${kind}.memory`]) !== want.memoryMb)
          reportViolation(
            `ResourceQuota of '${nameOf(ns.props)}': ${kind}.memory is ${hard[`${kind}.memory`]}; the catalog's is ${want.memoryMb}Mi`,
            quota.urn,
          );
        if (cpuMillis(hard[`${kind}.cpu`]) !== want.cpuMillis)
          reportViolation(`ResourceQuota of '${nameOf(ns.props)}': ${kind}.cpu is ${hard[`${kind}.cpu`]}; the catalog's is ${want.cpuMillis}m`, quota.urn);
      }
      if (Number(hard.pods) !== want.pods)
        reportViolation(`ResourceQuota of '${nameOf(ns.props)}': pods is ${hard.pods}; the catalog's is ${want.pods}`, quota.urn);
      for (const r of args.resources) {
        const w = workloadOf(r.type, r.props, r.urn);
        if (!w || w.namespace !== nameOf(ns.props) || (w.role !== "license-central" && w.role !== "database")) continue;
        for (const c of containersOf(w.pod)) {
          const lim = c.resources?.limits ?? {};
          if (memoryMb(lim.memory) !== facts.resources.memoryMb || cpuMillis(lim.cpu) !== cpuMillisOfShares(facts.resources.cpuShares)) {
            reportViolation(
              `${w.name}: container '${c.name}' is limited to ${lim.memory ?? "no memory limit"}, ${lim.cpu ?? "no CPU limit"}; ${facts.title} gets ${facts.resources.memoryMb}Mi, ${cpuMillisOfShares(facts.resources.cpuShares)}m`,
              r.urn,
            );
          }
        }
      }
    }
  },
};
