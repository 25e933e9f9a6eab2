import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { editionCatalog } from "./catalog";
import { findHostInventory, stackHostProblems } from "./hostInventoryFile";
import type { HostInventory } from "./hosts";
import { packageRoot } from "./packageRoot";
import { parseStackConfig, RawStackConfig, StackConfig, StackConfigError } from "./stackConfig";

export const CONFIG_NAMESPACE = "lchost";

/** A stack file as read from disk: the lchost: config (validated) and the other providers' keys. */
export interface StackFile {
  stackName: string;
  path: string;
  config: StackConfig;
  /** Every config key with its namespace, as Pulumi would pass it; secure values as found in the file. */
  allConfig: Record<string, unknown>;
  /** Keys (with namespace) whose values are `secure:` in the file. */
  secretKeys: string[];
}

export function stacksDir(): string {
  return path.join(packageRoot(), "stacks");
}

export function stackFilePath(stackName: string, dir = stacksDir()): string {
  return path.join(dir, `Pulumi.${stackName}.yaml`);
}

/** The stack name that a file Pulumi.<name>.yaml holds. */
export function stackNameOfFile(file: string): string {
  const m = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file));
  if (!m) throw new StackConfigError(file, ["a stack file must be named Pulumi.<stack>.yaml"]);
  return m[1];
}

/** Turns the `config:` map of a stack file into the validator's input. */
export function rawConfigFromEntries(stackName: string, source: string, config: Record<string, unknown>): RawStackConfig {
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, value] of Object.entries(config ?? {})) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    if (value && typeof value === "object" && "secure" in (value as object)) secretKeys.add(key);
    values[key] = value;
  }
  return { stackName, source, values, secretKeys, defaultImages: editionCatalog().common.images };
}

/** Parses a stack file's text; throws StackConfigError naming the file and every faulty key. */
export function parseStackFileText(text: string, file: string, stackName = stackNameOfFile(file)): StackFile {
  let doc: any;
  try {
    doc = YAML.parse(text) ?? {};
  } catch (e) {
    throw new StackConfigError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
  if (typeof doc !== "object" || Array.isArray(doc)) throw new StackConfigError(file, ["the file must be a YAML map with a config: key"]);
  const config = doc.config ?? {};
  if (typeof config !== "object" || Array.isArray(config)) throw new StackConfigError(file, ["config: must be a map of keys to values"]);
  const raw = rawConfigFromEntries(stackName, file, config);
  const secretKeys = [...raw.secretKeys].map((k) => `${CONFIG_NAMESPACE}:${k}`);
  // The Docker provider's keys (docker:host) mean nothing to a stack on Kubernetes: refused, naming each.
  const dockerOnly =
    raw.values.platform === "kubernetes"
      ? Object.keys(config)
          .filter((k) => k.startsWith("docker:"))
          .map((k) => `${k}: Docker-only (the Docker provider's setting); not allowed with lchost:platform 'kubernetes'`)
      : [];
  let parsed: StackConfig;
  try {
    parsed = parseStackConfig(raw);
  } catch (e) {
    if (e instanceof StackConfigError && dockerOnly.length > 0) throw new StackConfigError(file, [...e.problems, ...dockerOnly]);
    throw e;
  }
  if (dockerOnly.length > 0) throw new StackConfigError(file, dockerOnly);
  return { stackName, path: file, config: parsed, allConfig: config, secretKeys };
}

/**
 * Checks a stack's lchost:host / lchost:hosts (and docker:host) against a host inventory, by default the
 * one beside the file's directory (`../fleet/hosts.yaml`, docs/hosts.md); without one nothing is checked.
 * Throws StackConfigError naming the file and each key.
 */
export function checkStackHosts(stack: StackFile, inventory: HostInventory | undefined = findHostInventory(path.dirname(stack.path))): StackFile {
  if (!inventory) return stack;
  const cfg = stack.config;
  if (cfg.role === "operations") return stack;
  const problems = stackHostProblems(
    {
      host: cfg.host,
      hosts: cfg.role === "customer" ? cfg.hosts : undefined,
      balancer: cfg.role === "customer" ? cfg.balancer : undefined,
      galeraArbitrator: cfg.role === "customer" ? cfg.galeraArbitrator : undefined,
      dockerHost: stack.allConfig["docker:host"],
    },
    inventory,
  );
  if (problems.length) throw new StackConfigError(stack.path, problems);
  return stack;
}

/** Reads a stack file; its host keys are checked against the inventory beside its directory when there is one. */
export function loadStackFile(file: string): StackFile {
  if (!fs.existsSync(file)) throw new StackConfigError(file, ["no such stack file"]);
  return checkStackHosts(parseStackFileText(fs.readFileSync(file, "utf8"), file));
}

export function loadStack(stackName: string, dir = stacksDir()): StackFile {
  return loadStackFile(stackFilePath(stackName, dir));
}

/** "org/lchost/shared-dc1" or "shared-dc1" -> "shared-dc1" */
export function stackNameOfReference(ref: string): string {
  const parts = ref.split("/");
  return parts[parts.length - 1];
}
