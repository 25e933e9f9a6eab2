import * as fs from "fs";
import * as path from "path";
import { kubernetesManifests } from "../../planner/kubernetesManifests";
import { StackPlanner } from "../../planner/planWithReferences";
import { checkPolicies } from "../../planner/policyCheck";
import { CommandSpec, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT } from "../exitCodes";
import { renderViolations } from "../planReport";
import { selectStack } from "../stackSelection";

/** Writes a Kubernetes stack's planned objects as YAML, one file per object. Exit 0 written, 1 policy/schema findings (still written), 2 usage. */
export const renderSpec: CommandSpec = {
  name: "render",
  summary: "write a Kubernetes stack's objects as YAML files (kubectl apply -f / GitOps), secrets as placeholders",
  define: (cmd) =>
    cmd
      .argument("[stack]", "a stack in stacks/ (Pulumi.<stack>.yaml) with lchost:platform kubernetes")
      .option("--stack-file <path>", "a stack file anywhere, any name")
      .option("--stack <name>", "the stack name of a --stack-file not named Pulumi.<stack>.yaml (default: its lchost:customer)")
      .requiredOption("--out <dir>", "the folder to write the YAML files to (created; files of the same name are replaced)"),
  run: async (parsed, out) => {
    const stack = selectStack(parsed);
    if (stack.config.platform !== "kubernetes") {
      throw new UsageError(`lchost render writes Kubernetes objects; stack '${stack.stackName}' has lchost:platform '${stack.config.platform}'`);
    }
    const dir = path.resolve(stringOpt(parsed.opts, "out")!);
    const plan = await new StackPlanner().plan(stack);
    const violations = await checkPolicies(stack, plan);
    const manifests = kubernetesManifests(plan, stack);
    fs.mkdirSync(dir, { recursive: true });
    for (const m of manifests) fs.writeFileSync(path.join(dir, m.file), m.yaml, { mode: 0o644 });
    out(`wrote ${manifests.length} object(s) of stack ${stack.stackName} to ${dir} (Secret values are placeholders naming their source)`);
    out(renderViolations(violations));
    return violations.some((v) => v.enforcementLevel === "mandatory") ? EXIT.findings : EXIT.ok;
  },
};
