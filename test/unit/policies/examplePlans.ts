/**
 * The example stacks (stacks/*.yaml) planned once per test file, and helpers that change ONE thing
 * in a copy of a plan or a stack file, so every violation test starts from a compliant fixture.
 */
import * as fs from "fs";
import { Policy } from "@pulumi/policy";
import { Violation } from "../../../policies/violation";
import { loadStack, StackFile, stacksDir } from "../../../model/stackFile";
import { Plan, PlannedResource } from "../../../planner/mockPlanner";
import { StackPlanner } from "../../../planner/planWithReferences";
import { runPoliciesOnPlan, stackTagsOf } from "../../../planner/policyRunner";
import { sharedOncePerRun } from "../support/planCache";

export const EXAMPLE_STACKS = fs
  .readdirSync(stacksDir())
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

export interface PlannedExample {
  stack: StackFile;
  plan: Plan;
}

let planned: Promise<Map<string, PlannedExample>> | undefined;

/**
 * Every example stack, planned with the real program under the mock runtime: once per `jest` run, not
 * once per test file. The unit project's global setup (support/planCache.ts) names a fresh folder for the
 * run; the first test file to need the plans writes them there and the others read them. Eight policy
 * files re-planned the same 13 stacks (~8 s each on a loaded machine). A file run without that folder
 * plans for itself.
 */
export function examplePlans(): Promise<Map<string, PlannedExample>> {
  planned ??= (async () => {
    const plans = await sharedOncePerRun("example-plans", planAllExamples);
    return new Map(EXAMPLE_STACKS.map((name) => [name, { stack: loadStack(name), plan: plans[name] }]));
  })();
  return planned;
}

async function planAllExamples(): Promise<Record<string, Plan>> {
  const planner = new StackPlanner();
  const out: Record<string, Plan> = {};
  for (const name of EXAMPLE_STACKS) out[name] = await planner.plan(loadStack(name));
  return out;
}

export async function example(name: string): Promise<PlannedExample> {
  const e = (await examplePlans()).get(name);
  if (!e) throw new Error(`no example stack '${name}'`);
  return e;
}

/** A deep copy of a plan in which `change` edited the inputs of the one resource `pick` selects. */
export function withResource(plan: Plan, pick: (r: PlannedResource) => boolean, change: (inputs: any, r: PlannedResource) => void): Plan {
  const copy: Plan = JSON.parse(JSON.stringify(plan));
  const matches = copy.resources.filter(pick);
  if (matches.length !== 1) throw new Error(`fixture: expected exactly one resource to change, found ${matches.length}`);
  change(matches[0].inputs, matches[0]);
  return copy;
}

/** A deep copy of a plan without the resources `drop` selects (at least one). */
export function withoutResources(plan: Plan, drop: (r: PlannedResource) => boolean): Plan {
  const copy: Plan = JSON.parse(JSON.stringify(plan));
  const before = copy.resources.length;
  copy.resources = copy.resources.filter((r) => !drop(r));
  if (copy.resources.length === before) throw new Error("fixture: nothing dropped");
  return copy;
}

export const container = (name: string) => (r: PlannedResource) => r.type === "docker:index/container:Container" && r.name === name;
export const volume = (name: string) => (r: PlannedResource) => r.type === "docker:index/volume:Volume" && r.name === name;

/** Env "K=V" entries: set K to value (plain, or wrapped as a secret like the planner keeps them). */
export function setEnv(inputs: any, key: string, value: unknown): void {
  const i = inputs.envs.findIndex((e: any) => (typeof e === "string" ? e : e?.value)?.startsWith(`${key}=`));
  if (i < 0) throw new Error(`fixture: no env ${key}`);
  inputs.envs[i] = typeof value === "string" ? `${key}=${value}` : value;
}

export function uploadIndex(inputs: any, suffix: string): number {
  const i = inputs.uploads.findIndex((u: any) => u.file.endsWith(suffix));
  if (i < 0) throw new Error(`fixture: no upload ${suffix}`);
  return i;
}

/** The content of an upload, secret or not. */
export function uploadText(inputs: any, suffix: string): string {
  const c = inputs.uploads[uploadIndex(inputs, suffix)].content;
  return typeof c === "string" ? c : c.value;
}

/** Replaces an upload's content, keeping it secret if it was. */
export function editUpload(inputs: any, suffix: string, edit: (text: string) => string): void {
  const u = inputs.uploads[uploadIndex(inputs, suffix)];
  if (typeof u.content === "string") u.content = edit(u.content);
  else u.content = { $secret: true, value: edit(u.content.value) };
}

/** Runs ONE policy on a plan, with the stack's tags unless others are given. */
export function check(
  policy: Policy,
  e: { stack: StackFile; plan: Plan },
  opts: { tags?: ReadonlyMap<string, string>; config?: Record<string, unknown> } = {},
): Promise<Violation[]> {
  return runPoliciesOnPlan(e.plan, opts.tags ?? stackTagsOf(e.stack), {
    policies: [policy as any],
    config: opts.config ? { [policy.name]: opts.config } : undefined,
  });
}

/** Violations of one policy on every example stack, known findings left out: {} when all pass. */
export async function checkAllExamples(policy: Policy): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, e] of await examplePlans()) {
    const v = await check(policy, e);
    if (v.length > 0) out[name] = v.map((x) => x.message);
  }
  return out;
}
