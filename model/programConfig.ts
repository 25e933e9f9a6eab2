import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { editionCatalog } from "./catalog";
import { findHostInventory, stackHostProblems } from "./hostInventoryFile";
import { packageRoot } from "./packageRoot";
import { stackConfigSchema } from "./stackConfigSchema";
import { parseStackConfig, StackConfig, StackConfigError } from "./stackConfig";
import { CONFIG_NAMESPACE } from "./stackFile";

// Exported by the SDK's runtime but missing from its typings.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

const stringKeys = new Set(
  Object.entries(stackConfigSchema.properties)
    .filter(([, s]) => (s as any).type === "string" || ((s as any).enum && typeof (s as any).enum[0] === "string"))
    .map(([k]) => k),
);

/**
 * Reads the lchost: configuration the way the Pulumi engine hands it to the program
 * (every value a string; objects and numbers as JSON) and validates it.
 */
export function readProgramConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    if (isConfigSecret(fullKey)) {
      secretKeys.add(key);
      values[key] = { secure: "[secret]" };
      continue;
    }
    values[key] = stringKeys.has(key) ? text : parseJsonOrString(text);
  }
  const source = `stack ${pulumi.getStack()}`;
  const cfg = parseStackConfig({ stackName: pulumi.getStack(), source, values, secretKeys, defaultImages: editionCatalog().common.images });
  // The project's inventory (fleet/hosts.yaml beside stacks/, docs/hosts.md): a host it does not know is refused.
  const inventory = cfg.role === "operations" ? undefined : findHostInventory(path.join(packageRoot(), "stacks"));
  if (inventory && cfg.role !== "operations") {
    const problems = stackHostProblems(
      {
        host: cfg.host,
        hosts: cfg.role === "customer" ? cfg.hosts : undefined,
        balancer: cfg.role === "customer" ? cfg.balancer : undefined,
        galeraArbitrator: cfg.role === "customer" ? cfg.galeraArbitrator : undefined,
        dockerHost: all["docker:host"],
      },
      inventory,
    );
    if (problems.length) throw new StackConfigError(source, problems);
  }
  return cfg;
}

function parseJsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
