import { StackFile } from "../model/stackFile";
import { Plan } from "../planner/mockPlanner";
import { Violation } from "./planReport";

/**
 * Runs the policy pack on a plan. The pack itself is the policy issue's work; until it lands,
 * no policy is registered here and plans report no violations.
 */
export type PolicyRunner = (stack: StackFile, plan: Plan) => Promise<Violation[]>;

let runner: PolicyRunner = async () => [];

export function setPolicyRunner(r: PolicyRunner): void {
  runner = r;
}

export function checkPolicies(stack: StackFile, plan: Plan): Promise<Violation[]> {
  return runner(stack, plan);
}
