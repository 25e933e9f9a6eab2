import { CommandSpec } from "../args";
import { EXIT } from "../exitCodes";
import { selectStack } from "../stackSelection";
import { StackPlanner } from "../../planner/planWithReferences";
import { planReport, renderTree, renderViolations, summarize } from "../planReport";
import { checkPolicies } from "../../planner/policyCheck";

/** Plans a stack offline under Pulumi's mock runtime. Exit 0 planned, 1 mandatory policy violated, 2 bad config. */
export const planSpec: CommandSpec = {
  name: "plan",
  summary: "plan a stack offline (mock runtime): resource tree, policy violations, summary",
  define: (cmd) =>
    cmd
      .argument("[stack]", "a stack in stacks/ (Pulumi.<stack>.yaml)")
      .option("--stack-file <path>", "a stack file anywhere, any name")
      .option("--stack <name>", "the stack name of a --stack-file not named Pulumi.<stack>.yaml (default: its lchost:customer)")
      .option("--json", "print { stack, edition, platform, resources, violations, summary }"),
  run: async (parsed, out) => {
    const stack = selectStack(parsed);
    const plan = await new StackPlanner().plan(stack);
    const violations = await checkPolicies(stack, plan);
    if (parsed.opts.json) {
      out(JSON.stringify(planReport(stack.config, plan, violations), null, 2));
    } else {
      out(renderTree(plan));
      out("");
      const s = summarize(stack.config, plan) as any;
      const what =
        stack.config.role === "operations"
          ? `operations stack, watching: ${(plan.outputs.watching as string[] | undefined)?.join(", ") || "no customer"}`
          : stack.config.role === "shared-server"
            ? `shared server, tenants: ${s.tenants.join(", ") || "none"}`
            : `${s.editionTitle}, ${s.linesText}, availability ${s.availabilityPercent} %`;
      out(`summary: ${plan.resources.length} resources (${what}), planned in ${Math.round(plan.millis)} ms`);
      out(renderViolations(violations));
    }
    return violations.some((v) => v.enforcementLevel === "mandatory") ? EXIT.findings : EXIT.ok;
  },
};
