import * as crypto from "crypto";
import * as path from "path";
import { loadStack, loadStackFile, StackFile, stackFilePath, stackNameOfReference } from "../model/stackFile";
import { StackConfigError } from "../model/stackConfig";
import { Plan, PlanOptions, PLACEHOLDER_SECRET, planStack, ReferencedOutputs } from "./mockPlanner";
import { loadFleet, resolveStacksDir } from "../model/fleet";
import { WEBHOOK_SECRET_OUTPUT } from "../program/deployStack";

/**
 * What an operations stack reads of the customer stacks it watches: each notified customer's webhook
 * secret (its secret output). Offline that is what the customer's own plan outputs: the placeholder of its
 * secret config key, or the value the planner was given for that key (as the customer's own plan would
 * use it); a materialized plan (run for real) without one gets a random secret per customer.
 */
export function operationsReferences(stack: StackFile, options: PlanOptions = {}): ReferencedOutputs {
  if (stack.config.role !== "operations") return {};
  const refs: ReferencedOutputs = {};
  for (const c of loadFleet(resolveStacksDir(stack.config.fleet.stacksDir)).customers) {
    if (!c.notifications?.webhook) continue;
    const given = options.configSecrets?.[c.notifications.webhook.secretKey];
    const value = given ?? (options.materialize ? crypto.randomBytes(24).toString("hex") : PLACEHOLDER_SECRET);
    refs[c.stack] = { [WEBHOOK_SECRET_OUTPUT]: { $secret: true, value } };
  }
  return refs;
}

/**
 * Plans a stack and, first, the stacks it references (a Datacenter tenant's shared server), taking
 * their stack files from the same folder. Shared-server plans are cached per process, so a fleet
 * plans each shared server once.
 */
export class StackPlanner {
  private readonly sharedPlans = new Map<string, Promise<Plan>>();

  constructor(private readonly options: PlanOptions = {}) {}

  async plan(stack: StackFile): Promise<Plan> {
    const refs: ReferencedOutputs = {};
    const cfg = stack.config;
    if (cfg.role === "shared-server") {
      // Its tenants planned later by this planner reference this very plan (as they would the deployed stack).
      const own = planStack(stack, {}, { ...this.options, configSecrets: undefined });
      this.sharedPlans.set(path.resolve(stack.path), own);
      return own;
    }
    if (cfg.role === "operations") return planStack(stack, operationsReferences(stack, this.options), this.options);
    if (cfg.role === "customer" && cfg.sharedServer) {
      const dir = path.dirname(stack.path);
      const sharedName = stackNameOfReference(cfg.sharedServer);
      const file = path.resolve(stackFilePath(sharedName, dir));
      let shared = this.sharedPlans.get(file);
      if (!shared) {
        shared = (async () => {
          const sharedStack = loadStackFile(file);
          if (sharedStack.config.role !== "shared-server") {
            throw new Error(`lchost:sharedServer: stack '${sharedName}' (${file}) is not a shared server (lchost:role: shared-server)`);
          }
          return planStack(sharedStack, {}, { ...this.options, configSecrets: undefined });
        })();
        this.sharedPlans.set(file, shared);
      }
      const outputs = (await shared).outputs;
      const tenants = (outputs.tenants as string[] | undefined) ?? [];
      if (!tenants.includes(cfg.customer)) {
        throw new StackConfigError(stack.path, [
          `lchost:sharedServer: tenant '${cfg.customer}' is not listed in lchost:tenants of shared-server stack '${sharedName}' (tenants: ${tenants.join(", ") || "none"})`,
        ]);
      }
      refs[cfg.sharedServer] = outputs;
    }
    return planStack(stack, refs, this.options);
  }

  /** Uses an already deployed shared server's plan (its real secrets) for the tenants planned after this. */
  adopt(stackFilePath: string, plan: Plan): void {
    this.sharedPlans.set(path.resolve(stackFilePath), Promise.resolve(plan));
  }

  planByName(stackName: string, dir?: string): Promise<Plan> {
    return this.plan(loadStack(stackName, dir));
  }
}
