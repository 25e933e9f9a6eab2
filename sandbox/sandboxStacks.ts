/** Which stack files a sandbox runs (a shared server's tenants beside it), and each as a planned stack. */
import * as path from "path";
import { loadStack, loadStackFile, StackFile, stackNameOfReference } from "../model/stackFile";
import type { PlannedStack } from "./sandboxLayout";

export interface StackSelection {
  /** Stack names (files in `stacksDir`) or, with `stackFiles`, paths of stack files. The first is the main one. */
  stacks?: string[];
  stackFiles?: string[];
  /** Datacenter tenants of a shared-server stack to run with it (their stack files sit beside it). */
  tenants?: string[];
  stacksDir?: string;
}

export function resolveStacks(opts: StackSelection): StackFile[] {
  const main = opts.stackFiles?.length
    ? opts.stackFiles.map((f) => loadStackFile(path.resolve(f)))
    : (opts.stacks ?? []).map((s) => loadStack(s, opts.stacksDir));
  if (main.length === 0) throw new Error("startSandbox: give at least one stack (stacks or stackFiles)");
  const out = [...main];
  for (const tenant of opts.tenants ?? []) {
    const shared = main.find((s) => s.config.role === "shared-server");
    if (!shared) throw new Error(`--tenants ${tenant}: tenants run with a shared-server stack (lchost:role: shared-server); none given`);
    const listed = shared.config.role === "shared-server" ? shared.config.tenants : [];
    if (!listed.includes(tenant))
      throw new Error(`--tenants: '${tenant}' is not a tenant of '${shared.stackName}' (lchost:tenants: ${listed.join(", ") || "none"})`);
    out.push(loadStack(tenant, path.dirname(shared.path)));
  }
  return out;
}

export function plannedStackOf(stack: StackFile, plan: PlannedStack["plan"]): PlannedStack {
  const cfg = stack.config;
  // the operations stack (issue 9): its config type lives with its schema; only the role matters here
  if ((cfg as { role: string }).role === "operations") return { name: stack.stackName, role: "operations", plan };
  if (cfg.role === "shared-server") return { name: stack.stackName, role: "shared-server", plan };
  if (cfg.role === "operations") throw new Error(`${stack.stackName}: an operations stack (lchost:role: operations) is not a customer stack the sandbox runs`);
  return {
    name: stack.stackName,
    role: "customer",
    edition: cfg.edition,
    sharedServer: cfg.sharedServer ? stackNameOfReference(cfg.sharedServer) : undefined,
    plan,
  };
}
