import { StackValidationPolicy } from "@pulumi/policy";
import { editionFacts, EditionId } from "../../model/catalog";
import { K8S, requiresDistinctHosts, workloadOf } from "../support/kubernetesFacts";
import { STACK_TAGS } from "../support/stackTags";

/**
 * The High Availability Package on Kubernetes survives the loss of a node: at least 2 gateway replicas and the
 * catalog's database nodes, each spread over distinct hosts (required anti-affinity), with PodDisruptionBudgets
 * that keep the gateway up and the Galera majority during a drain.
 */
export const kubernetesHaSpreadAndDisruptionBudgets: StackValidationPolicy = {
  name: "kubernetes-ha-spread-and-disruption-budgets",
  description: "HA on Kubernetes: ≥ 2 gateway replicas and the catalog's database nodes on distinct hosts, with PodDisruptionBudgets.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const edition = args.stackTags.get(STACK_TAGS.edition) as EditionId | undefined;
    const workloads = args.resources.map((r) => workloadOf(r.type, r.props, r.urn)).filter((w) => w !== undefined);
    if (!edition || editionFacts(edition).database.kind !== "cluster" || workloads.length === 0)
      return args.notApplicable("not a High Availability stack on Kubernetes");
    const facts = editionFacts(edition);
    const pdbs = args.resources.filter((r) => r.type === K8S.pdb);
    const budgetOf = (name: string) => pdbs.find((p) => p.props?.spec?.selector?.matchLabels?.["app.kubernetes.io/instance"] === name)?.props?.spec;
    const check = (role: string, what: string, minReplicas: number, minAvailable: number) => {
      const found = workloads.filter((w) => w.role === role);
      if (found.length === 0) return reportViolation(`${facts.title} has no ${what}`);
      for (const w of found) {
        if (w.replicas < minReplicas) reportViolation(`${what} '${w.name}' runs ${w.replicas} replica(s); ${facts.title} needs at least ${minReplicas}`, w.urn);
        if (!requiresDistinctHosts(w.pod))
          reportViolation(`${what} '${w.name}' has no required pod anti-affinity by kubernetes.io/hostname: two replicas may share a node`, w.urn);
        const budget = budgetOf(w.name);
        if (!budget || Number(budget.minAvailable) < minAvailable) {
          reportViolation(`${what} '${w.name}' has no PodDisruptionBudget with minAvailable ≥ ${minAvailable} (a node drain could take it down)`, w.urn);
        }
      }
    };
    check("https-entry-point", "gateway", 2, 1);
    check("database", "database StatefulSet", facts.database.nodes, Math.floor(facts.database.nodes / 2) + 1);
  },
};
