import * as path from "path";
import { loadStack, stacksDir } from "../../model/stackFile";
import { requirePulumi, selectPulumiStack } from "../../program/pulumiStack";
import { CommandSpec, Out, stringOpt } from "../args";
import { DockerEngineUnavailable, ImagesMissing } from "../../dockerRun/imagePrecondition";
import { StackConfigError } from "../../model/stackConfig";
import { CliError, RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { dockerRunDeployer, dockerRunStateDir, requireDockerRunState } from "./migrateOnDocker";

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
        .option("--target <target>", kind === "preview" ? "pulumi (the only one)" : "pulumi (default) or docker (deployed by 'lchost up --target docker')")
        .option("--yes", kind === "destroy" ? "confirm the destroy (required)" : "accepted for symmetry with destroy")
        .option("--stack-file <path>", "refused: Pulumi reads the stack from stacks/");
      if (kind !== "preview") cmd.option("--stacks-dir <dir>", "--target docker: the stack files in this folder (default: stacks/)");
      if (kind === "destroy") cmd.option("--delete-data", "--target docker: also remove the stack's database volumes (kept otherwise)");
    },
    run: async (parsed, out) => {
      const { opts } = parsed;
      if (opts.stackFile !== undefined) throw new UsageError(`lchost ${kind} takes a stack name from stacks/, not --stack-file`);
      const target = stringOpt(opts, "target") ?? "pulumi";
      const dirOpt = stringOpt(opts, "stacksDir");
      if (dirOpt !== undefined && target !== "docker")
        throw new UsageError("--stacks-dir: only with --target docker (Pulumi reads stacks/ as Pulumi.yaml says)");
      const dir = dirOpt !== undefined ? path.resolve(dirOpt) : stacksDir();
      const stack = loadStack(parsed.args[0], dir); // validates the stack file before anything touches state
      if (target !== "pulumi" && !(target === "docker" && kind !== "preview"))
        throw new UsageError(`--target: '${target}' is not allowed for lchost ${kind} (allowed: pulumi${kind !== "preview" ? ", docker" : ""})`);
      if (opts.deleteData && target !== "docker")
        throw new UsageError("--delete-data: only with --target docker (Pulumi keeps database volumes: retainOnDelete)");
      if (kind === "destroy" && !opts.yes) throw new UsageError("lchost destroy needs --yes (database volumes are kept unless --target docker --delete-data)");
      if (target === "docker" && kind === "destroy") return destroyOnDocker(stack.stackName, dir, Boolean(opts.deleteData), out);
      if (target === "docker") {
        // without Pulumi: the program planned offline, applied on this machine's engine (or docker:host); what
        // `lchost migrate --target docker` then migrates
        await dockerRunDeployer(dir, out)
          .up(stack.stackName)
          .catch((e) => {
            throw runtimeFailureOf(`up (docker) of ${stack.stackName}`, e);
          });
        out(`up (docker): ${stack.stackName} deployed; state in ${dockerRunStateDir()}`);
        return EXIT.ok;
      }
      requirePulumi();
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
        throw runtimeFailureOf(`${kind} of ${stack.stackName}`, e);
      }
      return EXIT.ok;
    },
  };
}

/** `lchost destroy <stack> --target docker`: what `lchost up --target docker` created, volumes kept unless deleteData. */
async function destroyOnDocker(stackName: string, dir: string, deleteData: boolean, out: Out): Promise<ExitCode> {
  requireDockerRunState(stackName);
  const deployer = dockerRunDeployer(dir, out);
  const volumes = deployer.deployedVolumes(stackName);
  const d = await deployer.destroy(stackName, { removeVolumes: deleteData ? volumes : [] }).catch((e) => {
    throw runtimeFailureOf(`destroy (docker) of ${stackName}`, e);
  });
  out(`destroy (docker): ${stackName}: removed ${d.containers.length} container(s), ${d.networks.length} network(s)`);
  if (d.volumesRemoved.length) out(`data deleted (--delete-data): volume(s) ${d.volumesRemoved.join(", ")}`);
  if (d.volumesKept.length) out(`data kept: volume(s) ${d.volumesKept.join(", ")} (lchost destroy ${stackName} --target docker --delete-data removes them)`);
  if (!volumes.length) out("no volumes: a Datacenter tenant's data is its schema on the shared server, which stays");
  return EXIT.ok;
}

/**
 * A failure while the engine works (a container that never gets healthy, a refused request) is a
 * deployment failure, not a bug; the expected refusals before anything happens keep their own codes.
 */
function runtimeFailureOf(what: string, e: unknown): unknown {
  if (e instanceof ImagesMissing || e instanceof DockerEngineUnavailable || e instanceof StackConfigError || e instanceof CliError) return e;
  return new RuntimeFailure(`${what} failed: ${String((e as Error)?.message ?? e).split("\n")[0]}`);
}
