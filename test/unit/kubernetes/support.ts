import { loadStack, StackFile } from "../../../model/stackFile";
import { Plan, PlannedResource } from "../../../planner/mockPlanner";
import { StackPlanner } from "../../../planner/planWithReferences";
import { unwrapSecrets } from "../../../planner/planValues";

/** The Kubernetes example stacks (stacks/Pulumi.*-k8s.yaml): one per edition and a shared server with two tenants. */
export const K8S_EXAMPLES = ["acme-k8s", "globex-k8s", "hooli-k8s", "initech-k8s", "shared-dc2-k8s", "wayne-k8s"];

const planner = new StackPlanner();
const cache = new Map<string, Promise<{ stack: StackFile; plan: Plan }>>();

/** An example stack planned once per test file (shared servers of tenants planned first, as lchost plan does). */
export function k8sExample(name: string): Promise<{ stack: StackFile; plan: Plan }> {
  if (!cache.has(name)) {
    const stack = loadStack(name);
    cache.set(
      name,
      planner.plan(stack).then((plan) => ({ stack, plan })),
    );
  }
  return cache.get(name)!;
}

/** Planned Kubernetes objects of one kind, inputs unwrapped (secrets as plain values). */
export function objects(plan: Plan, kind: string): Array<{ r: PlannedResource; o: any }> {
  return plan.resources.filter((r) => r.type.endsWith(`:${kind}`) && r.type.startsWith("kubernetes:")).map((r) => ({ r, o: unwrapSecrets(r.inputs) as any }));
}

export function object(plan: Plan, kind: string, name: string): any {
  const found = objects(plan, kind).filter((x) => x.o.metadata?.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind} ${name}, found ${found.length}: ${objects(plan, kind)
        .map((x) => x.o.metadata?.name)
        .join(", ")}`,
    );
  return found[0].o;
}

/** Pod templates of every workload (Deployment, StatefulSet, Job) with the workload's name. */
export function podTemplates(plan: Plan): Array<{ kind: string; name: string; spec: any }> {
  return ["Deployment", "StatefulSet", "Job"].flatMap((kind) =>
    objects(plan, kind).map(({ o }) => ({ kind, name: o.metadata.name, spec: o.spec.template.spec })),
  );
}
