import { stacksDir } from "../../model/stackFile";
import { parseArgs, UsageError } from "../args";
import { requirePulumi, selectPulumiStack } from "../../program/pulumiStack";
import { selectStack } from "../stackSelection";
import { dockerRunDeployer, dockerRunStateDir } from "./migrateOnDocker";

export const deployUsage = "lchost up|preview|destroy <stack> [--backend <url>] [--yes]  |  lchost up <stack> --target docker";

/** up / preview / destroy through the Automation API (the workspace, backend and secrets: program/pulumiStack.ts). */
export async function deployCommand(kind: "up" | "preview" | "destroy", argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { boolean: ["yes"], string: ["stack-file", "backend", "target"] });
  const stack = selectStack(args); // validates the stack file before anything touches state
  if (args.flags["stack-file"]) throw new UsageError(`lchost ${kind} takes a stack name from stacks/, not --stack-file`);
  const target = (args.flags.target as string | undefined) ?? "pulumi";
  if (target !== "pulumi" && !(target === "docker" && kind === "up")) throw new UsageError(`--target: '${target}' is not allowed for lchost ${kind} (allowed: pulumi${kind === "up" ? ", docker" : ""})`);
  if (target === "docker") {
    // without Pulumi: the program planned offline, applied on this machine's engine (or docker:host); what
    // `lchost migrate --target docker` then migrates
    await dockerRunDeployer(stacksDir(), out).up(stack.stackName);
    out(`up (docker): ${stack.stackName} deployed; state in ${dockerRunStateDir()}`);
    return 0;
  }
  requirePulumi();
  if (kind === "destroy" && !args.flags.yes) throw new UsageError("lchost destroy needs --yes (database volumes are kept either way)");
  const ws = await selectPulumiStack(stack.stackName, args.flags.backend as string | undefined);
  const onOutput = (s: string) => process.stdout.write(s);
  if (kind === "preview") {
    const r = await ws.preview({ onOutput, diff: true });
    out(`preview: ${JSON.stringify(r.changeSummary)}`);
  } else if (kind === "up") {
    const r = await ws.up({ onOutput });
    out(`up: ${r.summary.result} ${JSON.stringify(r.summary.resourceChanges ?? {})}`);
  } else {
    const r = await ws.destroy({ onOutput });
    out(`destroy: ${r.summary.result}`);
  }
  return 0;
}
