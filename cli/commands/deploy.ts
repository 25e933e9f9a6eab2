import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../../editions/packageRoot";
import { parseArgs, UsageError } from "../args";
import { selectStack } from "../stackSelection";

export const deployUsage = "lchost up|preview|destroy <stack> [--backend <url>] [--yes]";

export class PulumiCliMissing extends Error {
  constructor() {
    super(
      [
        "the Pulumi CLI was not found on PATH; 'lchost up', 'preview' and 'destroy' drive it through the Automation API.",
        "Install it (https://www.pulumi.com/docs/install/, e.g. 'curl -fsSL https://get.pulumi.com | sh') and run again.",
        "'lchost plan <stack>' works offline without it.",
      ].join("\n"),
    );
  }
}

function pulumiCliAvailable(): boolean {
  const r = spawnSync("pulumi", ["version"], { stdio: "ignore" });
  return r.status === 0;
}

/**
 * up / preview / destroy through the Automation API: LocalWorkspace on this repository, state in a
 * local file:// backend under the repository unless --backend or PULUMI_BACKEND_URL says otherwise,
 * secrets with the passphrase provider (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE).
 */
export async function deployCommand(kind: "up" | "preview" | "destroy", argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { boolean: ["yes"], string: ["stack-file", "backend"] });
  const stack = selectStack(args); // validates the stack file before anything touches state
  if (args.flags["stack-file"]) throw new UsageError(`lchost ${kind} takes a stack name from stacks/, not --stack-file`);
  if (!pulumiCliAvailable()) throw new PulumiCliMissing();
  if (!process.env.PULUMI_CONFIG_PASSPHRASE && !process.env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    throw new UsageError("set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): stack secrets use the passphrase provider");
  }
  if (kind === "destroy" && !args.flags.yes) throw new UsageError("lchost destroy needs --yes (database volumes are kept either way)");
  const root = packageRoot();
  const stateDir = path.join(root, ".pulumi-state");
  fs.mkdirSync(stateDir, { recursive: true });
  const backend = (args.flags.backend as string | undefined) ?? process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`;
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  const ws = await LocalWorkspace.createOrSelectStack(
    { stackName: stack.stackName, workDir: root },
    { envVars: { PULUMI_BACKEND_URL: backend }, secretsProvider: "passphrase" },
  );
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
