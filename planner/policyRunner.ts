/**
 * Runs the lchost policy pack in-process on a planned stack, the way the Pulumi engine would call it:
 * each policy gets ResourceValidationArgs per planned resource, then StackValidationArgs with all of
 * them. No gRPC, no CLI — so `lchost plan`, `lchost check`, tests and the fleet bench use the very
 * policy code that `pulumi preview --policy-pack policies` loads.
 *
 * Differences from the engine, on purpose and documented in policies/README.md:
 * - props are the planned inputs with secrets unwrapped (as the engine's are); which values were
 *   secrets is recorded beside them (policies/support/secretInputs.ts), since the SDK drops it;
 * - opts carries `retainOnDelete`, which the engine does not pass to policies;
 * - stack tags are derived from the stack file (policies/support/stackTags.ts).
 */
import {
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Violation } from "../policies/violation";
import { StackFile } from "../model/stackFile";
import { lchostPolicies } from "../policies/pack";
import { STACK_TAGS } from "../policies/support/stackTags";
import { joinPath, recordSecretPaths } from "../policies/support/secretInputs";
import { Plan, PlannedResource, PROJECT } from "./mockPlanner";
import { isSecretValue } from "./planValues";
import { formatSchemaProblem, isKubernetesResource, validatePlanAgainstKubernetesSchemas } from "./kubernetesSchema";

type EnforcementLevel = Violation["enforcementLevel"];

export interface PolicyRunOptions {
  /** The pack's policies; default: the lchost pack. */
  policies?: Policies;
  /** Policy config as `--policy-pack-config` gives it: policy name -> { enforcementLevel?, ...properties }. */
  config?: Record<string, Record<string, unknown>>;
  /** Stack tags; default: derived from the stack file (stackTagsOf). */
  stackTags?: ReadonlyMap<string, string>;
}

/** Thrown by args.notApplicable(), like the engine's NotApplicableError. */
class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** The stack tags the policies read (see policies/support/stackTags.ts), from the stack file's config. */
export function stackTagsOf(stack: StackFile): Map<string, string> {
  const tags = new Map<string, string>();
  const cfg = stack.config;
  if (cfg.role !== "customer") return tags;
  tags.set(STACK_TAGS.customer, cfg.customer);
  tags.set(STACK_TAGS.edition, cfg.edition);
  tags.set(STACK_TAGS.lines, String(cfg.lines));
  if (cfg.expectedVolume.activationsPerMonth !== undefined) tags.set(STACK_TAGS.expectedActivations, String(cfg.expectedVolume.activationsPerMonth));
  if (cfg.expectedVolume.webServiceCallsPerMonth !== undefined)
    tags.set(STACK_TAGS.expectedWebServiceCalls, String(cfg.expectedVolume.webServiceCallsPerMonth));
  if (cfg.hosts) tags.set(STACK_TAGS.hosts, cfg.hosts.map((h) => (typeof h === "string" ? h : h.name)).join(","));
  if (cfg.balancer) tags.set(STACK_TAGS.virtualIp, cfg.balancer.virtualIp);
  return tags;
}

/** Plain props (secrets unwrapped) and the paths of the values that were secrets. */
export function propsOf(inputs: Record<string, unknown>): { props: Record<string, any>; secretPaths: Set<string> } {
  const secretPaths = new Set<string>();
  const walk = (v: unknown, path: string): unknown => {
    if (isSecretValue(v)) {
      secretPaths.add(path);
      return walk(v.value, path);
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, joinPath(path, i)));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = walk(x, joinPath(path, k));
      return out;
    }
    return v;
  };
  const props = walk(inputs, "") as Record<string, any>;
  recordSecretPaths(props, secretPaths);
  return { props, secretPaths };
}

function typeOf(resourceClass: any): string | undefined {
  const t = resourceClass?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

function isTypeOf(type: string, resourceClass: any): boolean {
  const t = typeOf(resourceClass);
  return t !== undefined ? t === type : false;
}

function optionsOf(r: PlannedResource): PolicyResourceOptions & { retainOnDelete: boolean } {
  return {
    protect: r.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: r.additionalSecretOutputs,
    parent: r.parent,
    retainOnDelete: r.retainOnDelete,
  };
}

/** A policy resource as the engine builds it for stack validation (parent and dependencies linked). */
function policyResources(plan: Plan): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const list = plan.resources.map((r) => {
    const { props } = propsOf(r.inputs);
    const res: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: any) => isTypeOf(r.type, cls),
      asType: ((cls: any) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, res);
    return res;
  });
  plan.resources.forEach((r, i) => {
    if (r.parent) list[i].parent = byUrn.get(r.parent);
    list[i].dependencies = r.dependsOn.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
  });
  return list;
}

/** The URN of a stack's root resource (pulumi:pulumi:Stack). */
export function stackUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

function isResourcePolicy(p: any): p is ResourceValidationPolicy {
  return typeof p.validateResource === "function" || Array.isArray(p.validateResource);
}

function isStackPolicy(p: any): p is StackValidationPolicy {
  return typeof p.validateStack === "function";
}

/**
 * Runs policies on a plan; returns every violation (advisory ones too). Plain function, so the fleet
 * bench can time the policies' share of a plan.
 */
export async function runPoliciesOnPlan(
  plan: Plan,
  stackTags: ReadonlyMap<string, string>,
  options: Omit<PolicyRunOptions, "stackTags"> = {},
): Promise<Violation[]> {
  const policies = options.policies ?? lchostPolicies;
  const violations: Violation[] = [];
  const levelOf = (p: { name: string; enforcementLevel?: string }): EnforcementLevel =>
    (options.config?.[p.name]?.enforcementLevel as EnforcementLevel) ?? (p.enforcementLevel as EnforcementLevel) ?? "mandatory";
  const configOf = (name: string) => () => {
    const { enforcementLevel, ...rest } = options.config?.[name] ?? {};
    return rest as any;
  };
  const resources = policyResources(plan);
  for (const p of policies) {
    let level = levelOf(p);
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const report = (resource: string | undefined) => (message: string, urn?: string) => {
      violations.push({ policy: p.name, enforcementLevel: level, resource: urn ?? resource, message });
    };
    if (isResourcePolicy(p) && p.validateResource) {
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const res of resources) {
        for (const validate of validations) {
          // The engine's fast path: a typed validation never sees other types.
          const only = typeOf(validate);
          if (only && only !== res.type) continue;
          const args: ResourceValidationArgs = {
            type: res.type,
            props: res.props,
            urn: res.urn,
            name: res.name,
            opts: res.opts,
            stackTags,
            isType: res.isType,
            asType: res.asType as ResourceValidationArgs["asType"],
            getConfig: configOf(p.name),
            notApplicable: throwNotApplicable,
          };
          try {
            await validate(args, (message: string) => report(res.urn)(message));
          } catch (e) {
            if (!(e instanceof NotApplicable)) throw new Error(`policy '${p.name}' failed on ${res.urn}: ${(e as Error).message}`);
          }
        }
      }
    }
    if (isStackPolicy(p)) {
      const args: StackValidationArgs = { resources, stackTags, getConfig: configOf(p.name), notApplicable: throwNotApplicable };
      try {
        // A stack-wide violation names the stack itself, so every violation has a resource.
        await p.validateStack(args, (message: string, urn?: string) => report(stackUrn(plan.stack))(message, urn));
      } catch (e) {
        if (!(e instanceof NotApplicable)) throw new Error(`policy '${p.name}' failed on stack ${plan.stack}: ${(e as Error).message}`);
      }
    }
  }
  return violations;
}

/** The policy runner `lchost plan` installs (planner/policyCheck.ts). */
export async function runPolicies(stack: StackFile, plan: Plan, options: PolicyRunOptions = {}): Promise<Violation[]> {
  const violations = await runPoliciesOnPlan(plan, options.stackTags ?? stackTagsOf(stack), options);
  return [...violations, ...kubernetesSchemaViolations(plan)];
}

/** The name under which an object that fails the offline Kubernetes schema validation is reported. */
export const KUBERNETES_SCHEMA_CHECK = "kubernetes-objects-match-schema";

/** Every planned Kubernetes object against the Kubernetes API schemas (planner/kubernetesSchema.ts): one violation per faulty field. */
export function kubernetesSchemaViolations(plan: Plan): Violation[] {
  if (!plan.resources.some(isKubernetesResource)) return [];
  return validatePlanAgainstKubernetesSchemas(plan).map((p) => ({
    policy: KUBERNETES_SCHEMA_CHECK,
    enforcementLevel: "mandatory",
    resource: p.urn,
    message: formatSchemaProblem(p),
  }));
}
