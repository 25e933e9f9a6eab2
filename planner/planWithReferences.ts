import * as crypto from "crypto";
import * as path from "path";
import { loadStack, loadStackFile, StackFile, stackFilePath, stackNameOfReference } from "../model/stackFile";
import { StackConfigError } from "../model/stackConfig";
import { Plan, PlanOptions, PLACEHOLDER_SECRET, planStack, ReferencedOutputs } from "./mockPlanner";
import { loadFleet, resolveStacksDir } from "../model/fleet";
import { ENTRY_CERTIFICATE_OUTPUT, WEBHOOK_SECRET_OUTPUT } from "../program/deployStack";

/**
 * What an operations stack reads of the stacks it watches: each notified customer's webhook secret (its
 * secret output) and the certificate of every watched HTTPS entry (a customer's gateway, a tenants' shared
 * server's entry point). Offline that is what those stacks' own plans output: the placeholder of the secret
 * config key, or the value the planner was given for that key (as the customer's own plan would use it), and
 * the mock runtime's placeholder certificate; a materialized plan (run for real) without a given secret gets
 * a random one per customer. (A materialized plan cannot know a deployed stack's certificate: only a real
 * `pulumi up` reads it; the sandbox trusts its own CA instead.)
 */
export function operationsReferences(stack: StackFile, options: PlanOptions = {}): ReferencedOutputs {
  if (stack.config.role !== "operations") return {};
  const refs: ReferencedOutputs = {};
  for (const c of loadFleet(resolveStacksDir(stack.config.fleet.stacksDir)).customers) {
    const entryStack = c.sharedServer ?? c.stack;
    refs[entryStack] = {
      ...refs[entryStack],
      [ENTRY_CERTIFICATE_OUTPUT]: `-----BEGIN CERTIFICATE-----\n(planned ${entryStack} entry)\n-----END CERTIFICATE-----\n`,
    };
    if (!c.notifications?.webhook) continue;
    const given = options.configSecrets?.[c.notifications.webhook.secretKey];
    const value = given ?? (options.materialize ? crypto.randomBytes(24).toString("hex") : PLACEHOLDER_SECRET);
    refs[c.stack] = { ...refs[c.stack], [WEBHOOK_SECRET_OUTPUT]: { $secret: true, value } };
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
  /** Entry certificates of the stacks this planner planned, by stack name: an operations stack planned later trusts these. */
  private readonly entryCertificates = new Map<string, unknown>();

  constructor(private readonly options: PlanOptions = {}) {}

  async plan(stack: StackFile): Promise<Plan> {
    const plan = await this.planOne(stack);
    const cert = plan.outputs[ENTRY_CERTIFICATE_OUTPUT];
    if (cert !== undefined) this.entryCertificates.set(stack.stackName, cert);
    return plan;
  }

  private async planOne(stack: StackFile): Promise<Plan> {
    const refs: ReferencedOutputs = {};
    const cfg = stack.config;
    if (cfg.role === "shared-server") {
      // Its tenants planned later by this planner reference this very plan (as they would the deployed stack).
      const own = planStack(stack, {}, { ...this.options, configSecrets: undefined });
      this.sharedPlans.set(path.resolve(stack.path), own);
      return own;
    }
    if (cfg.role === "operations") {
      // what a real up reads from the deployed stacks: offline placeholders, or the certificate of a stack
      // this planner planned (materialized: the one that stack's deployment really serves)
      const opsRefs = operationsReferences(stack, this.options);
      for (const [name, cert] of this.entryCertificates) if (opsRefs[name]) opsRefs[name] = { ...opsRefs[name], [ENTRY_CERTIFICATE_OUTPUT]: cert };
      return planStack(stack, opsRefs, this.options);
    }
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
