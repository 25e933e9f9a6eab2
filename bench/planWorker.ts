import { loadStack } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { checkPolicies } from "../planner/policyCheck";

/** A bench worker: plans (and checks) the stacks it is sent, in one process, and reports figures. */
export interface WorkerResult {
  stacks: number;
  resources: number;
  planMillis: number;
  policyMillis: number;
  violations: number;
  failures: string[];
  /** CPU time (user + system) the worker used, module loading included: what the wall clock would be on an idle core. */
  cpuMillis: number;
}

async function run(dir: string, names: string[]): Promise<WorkerResult> {
  const planner = new StackPlanner();
  const r: WorkerResult = { stacks: 0, resources: 0, planMillis: 0, policyMillis: 0, violations: 0, failures: [], cpuMillis: 0 };
  for (const name of names) {
    try {
      const stack = loadStack(name, dir);
      const t0 = performance.now();
      const plan = await planner.plan(stack);
      const t1 = performance.now();
      const violations = await checkPolicies(stack, plan);
      const t2 = performance.now();
      r.stacks++;
      r.resources += plan.resources.length;
      r.planMillis += t1 - t0;
      r.policyMillis += t2 - t1;
      r.violations += violations.filter((v) => v.enforcementLevel === "mandatory").length;
    } catch (e) {
      r.failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  const cpu = process.cpuUsage();
  r.cpuMillis = (cpu.user + cpu.system) / 1000;
  return r;
}

process.on("message", (msg: { dir: string; names: string[] }) => {
  run(msg.dir, msg.names).then(
    (result) => process.send!(result, () => process.exit(0)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
});
