import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { packageRoot } from "../model/packageRoot";

/**
 * The Automation API stack of one lchost stack, shared by `lchost up|preview|destroy` and the Pulumi
 * deployer of `lchost migrate`: LocalWorkspace on this repository (Pulumi.yaml, stacks/), state in a local
 * file:// backend under the repository unless a backend URL or PULUMI_BACKEND_URL says otherwise, secrets
 * with the passphrase provider (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE).
 */
export class PulumiCliMissing extends Error {
  constructor(whoNeedsIt = "'lchost up', 'preview' and 'destroy' drive it") {
    super(
      `the Pulumi CLI was not found on PATH; ${whoNeedsIt} through the Automation API. ` +
        "Install it (https://www.pulumi.com/docs/install/, e.g. 'curl -fsSL https://get.pulumi.com | sh') and run again; " +
        "'lchost plan <stack>' works offline without it.",
    );
  }
}

/** The passphrase secrets provider has nothing to decrypt stack secrets with. */
export class PulumiPassphraseMissing extends Error {
  constructor() {
    super("set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): stack secrets use the passphrase provider");
  }
}

export function pulumiCliAvailable(): boolean {
  const r = spawnSync("pulumi", ["version"], { stdio: "ignore" });
  return r.status === 0;
}

/** Refuses early, naming what to do, when the CLI or the passphrase is missing. */
export function requirePulumi(whoNeedsIt?: string): void {
  if (!pulumiCliAvailable()) throw new PulumiCliMissing(whoNeedsIt);
  if (!process.env.PULUMI_CONFIG_PASSPHRASE && !process.env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    throw new PulumiPassphraseMissing();
  }
}

export async function selectPulumiStack(stackName: string, backendUrl?: string): Promise<Stack> {
  const root = packageRoot();
  const stateDir = path.join(root, ".pulumi-state");
  fs.mkdirSync(stateDir, { recursive: true });
  const backend = backendUrl ?? process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`;
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  return LocalWorkspace.createOrSelectStack({ stackName, workDir: root }, { envVars: { PULUMI_BACKEND_URL: backend }, secretsProvider: "passphrase" });
}
