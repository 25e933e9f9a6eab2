import { parseArgs } from "../args";
import { selectStack } from "../stackSelection";
import { StackPlanner } from "../../planner/planWithReferences";
import { planReport, renderTree, renderViolations, summarize } from "../planReport";
import { checkPolicies } from "../../planner/policyCheck";

export const planUsage = "lchost plan <stack> | --stack-file <path> [--json]";

/** Plans a stack offline under Pulumi's mock runtime. Exit 0 planned, 1 mandatory policy violated, 2 bad config. */
export async function planCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { boolean: ["json"], string: ["stack-file"] });
  const stack = selectStack(args);
  const plan = await new StackPlanner().plan(stack);
  const violations = await checkPolicies(stack, plan);
  if (args.flags.json) {
    out(JSON.stringify(planReport(stack.config, plan, violations), null, 2));
  } else {
    out(renderTree(plan));
    out("");
    const s = summarize(stack.config, plan) as any;
    const what = stack.config.role === "shared-server" ? `shared server, tenants: ${s.tenants.join(", ") || "none"}` : `${s.editionTitle}, ${s.lines} line(s), availability ${s.availabilityPercent} %`;
    out(`summary: ${plan.resources.length} resources (${what}), planned in ${Math.round(plan.millis)} ms`);
    out(renderViolations(violations));
  }
  return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}
