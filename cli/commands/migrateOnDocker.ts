/**
 * `lchost migrate <stack> --target pulumi|docker`: the migration of a real deployment on Docker.
 * pulumi (the default): the stack as deployed by `lchost up` / `pulumi up`; the new edition comes from
 * `pulumi up` of the changed stack file through the Automation API. docker: the stack as deployed on this
 * machine's Docker engine (or its docker:host) by `lchost up <stack> --target docker`, without Pulumi:
 * the real program is planned offline and applied through the Engine API (state in .docker-run/).
 * Either way the migration itself reaches the containers only through the Docker Engine API.
 */
import * as fs from "fs";
import * as path from "path";
import type { StackFile } from "../../model/stackFile";
import { DockerRunDeployer } from "../../migration/dockerRunDeployer";
import { DockerTarget } from "../../migration/dockerTarget";
import { PulumiDeployer } from "../../migration/pulumiDeployer";
import { UsageError } from "../errors";

export const DOCKER_TARGETS = ["pulumi", "docker"] as const;

export { dockerRunStateDir } from "../../dockerRun/stateDir";
import { dockerRunStateDir } from "../../dockerRun/stateDir";

/** Values of secret config keys for --target docker (no Pulumi to decrypt `secure:`): LCHOST_CONFIG_SECRETS='{"key":"value"}'. */
export function configSecretsFromEnv(): Record<string, string> | undefined {
  const raw = process.env.LCHOST_CONFIG_SECRETS;
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string")) return v as Record<string, string>;
  } catch {
    /* reported below */
  }
  throw new UsageError("LCHOST_CONFIG_SECRETS must be a JSON object of secret config keys (without 'lchost:') to string values");
}

export function dockerRunDeployer(stacksDir: string, log?: (s: string) => void): DockerRunDeployer {
  return new DockerRunDeployer({ stacksDir, stateDir: dockerRunStateDir(), configSecrets: configSecretsFromEnv(), log });
}

/** Refuses a stack that `lchost up --target docker` did not deploy (no state file). */
export function requireDockerRunState(stackName: string, otherwise?: string): void {
  const file = path.join(dockerRunStateDir(), `${stackName}.json`);
  if (fs.existsSync(file)) return;
  throw new UsageError(
    `--target docker: ${stackName} was not deployed on Docker by lchost (no ${file}); deploy it first with 'lchost up ${stackName} --target docker'${otherwise ? `, ${otherwise}` : ""}`,
  );
}

export function dockerTargetFor(stack: StackFile, kind: (typeof DOCKER_TARGETS)[number], log: (s: string) => void): DockerTarget {
  if (kind === "docker") requireDockerRunState(stack.stackName, "or migrate a Pulumi deployment with --target pulumi");
  const deployer = kind === "pulumi" ? new PulumiDeployer({ onOutput: (s) => process.stdout.write(s) }) : dockerRunDeployer(path.dirname(stack.path), log);
  return new DockerTarget({ stackName: stack.stackName, deployer, log });
}
