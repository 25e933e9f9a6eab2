import { StackFile } from "../model/stackFile";
import { Plan } from "./mockPlanner";
import { Violation } from "../policies/violation";

/**
 * Runs the policy pack on a plan: by default the lchost pack (policies/), in-process through
 * planner/policyRunner.ts, loaded on first use so commands that plan nothing do not pay for it.
 */
export type PolicyRunner = (stack: StackFile, plan: Plan) => Promise<Violation[]>;

let runner: PolicyRunner = async (stack, plan) => (await import("./policyRunner")).runPolicies(stack, plan);

export function setPolicyRunner(r: PolicyRunner): void {
  runner = r;
}

export function checkPolicies(stack: StackFile, plan: Plan): Promise<Violation[]> {
  return runner(stack, plan);
}
