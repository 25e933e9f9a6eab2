import { stacksDir } from "../../model/stackFile";
import { requirePulumi, selectPulumiStack } from "../../program/pulumiStack";
import { CommandSpec, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT } from "../exitCodes";
import { selectStack } from "../stackSelection";
import { dockerRunDeployer, dockerRunStateDir } from "./migrateOnDocker";

type DeployKind = "up" | "preview" | "destroy";

const SUMMARY: Record<DeployKind, string> = {
  up: "deploy a stack (Pulumi Automation API; --target docker: on this machine's Docker engine without Pulumi)",
  preview: "preview what 'lchost up' would change (Pulumi Automation API)",
  destroy: "destroy a stack's resources (Pulumi Automation API); database volumes are kept",
};

/** up / preview / destroy through the Automation API (the workspace, backend and secrets: program/pulumiStack.ts). */
export function deploySpec(kind: DeployKind): CommandSpec {
  return {
    name: kind,
    summary: SUMMARY[kind],
    define: (cmd) => {
      cmd
        .argument("<stack>", "a stack in stacks/")
        .option("--backend <url>", "Pulumi state backend (default: PULUMI_BACKEND_URL or file://.pulumi-state)")
        .option("--target <target>", kind === "up" ? "pulumi (default) or docker" : "pulumi (the only one)")
        .option("--yes", kind === "destroy" ? "confirm the destroy (required)" : "accepted for symmetry with destroy")
        .option("--stack-file <path>", "refused: Pulumi reads the stack from stacks/");
    },
    run: async (parsed, out) => {
      const { opts } = parsed;
      const stack = selectStack(parsed); // validates the stack file before anything touches state
      if (opts.stackFile !== undefined) throw new UsageError(`lchost ${kind} takes a stack name from stacks/, not --stack-file`);
      const target = stringOpt(opts, "target") ?? "pulumi";
      if (target !== "pulumi" && !(target === "docker" && kind === "up")) throw new UsageError(`--target: '${target}' is not allowed for lchost ${kind} (allowed: pulumi${kind === "up" ? ", docker" : ""})`);
      if (target === "docker") {
        // without Pulumi: the program planned offline, applied on this machine's engine (or docker:host); what
        // `lchost migrate --target docker` then migrates
        await dockerRunDeployer(stacksDir(), out).up(stack.stackName);
        out(`up (docker): ${stack.stackName} deployed; state in ${dockerRunStateDir()}`);
        return EXIT.ok;
      }
      requirePulumi();
      if (kind === "destroy" && !opts.yes) throw new UsageError("lchost destroy needs --yes (database volumes are kept either way)");
      const ws = await selectPulumiStack(stack.stackName, stringOpt(opts, "backend"));
      const onOutput = (s: string) => process.stdout.write(s);
      try {
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
      } catch (e) {
        // the engine's full output was streamed above; the error line says what failed
        throw new RuntimeFailure(`${kind} of ${stack.stackName} failed: ${String((e as Error).message ?? e).split("\n")[0]}`);
      }
      return EXIT.ok;
    },
  };
}
