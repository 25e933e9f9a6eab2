import * as crypto from "crypto";
import { Plan, PlannedResource, planStack } from "../../planner/mockPlanner";
import { isSecretValue, unwrapSecrets } from "../../planner/planValues";
import { sharedValues, stackFile } from "./stackFixtures";
import { sharedOncePerRun } from "./support/planCache";

const cache = new Map<string, Promise<Plan>>();

/**
 * Plans a stack from config values, once per jest run for the same name and values (support/planCache.ts:
 * a dozen files plan the same HA stack), and once per file in memory. Every caller gets the plan as JSON
 * read back, so no test can change another's copy by accident (within a file, copy before you edit).
 */
export function planValues(name: string, values: Record<string, unknown>): Promise<Plan> {
  const key = JSON.stringify([name, values]);
  if (!cache.has(key)) {
    const id = crypto.createHash("sha256").update(key).digest("hex").slice(0, 32);
    cache.set(
      key,
      sharedOncePerRun(`plan-${id}`, () => planUncached(name, values)),
    );
  }
  return cache.get(key)!;
}

async function planUncached(name: string, values: Record<string, unknown>): Promise<Plan> {
  const stack = stackFile(name, values);
  if (stack.config.role === "customer" && stack.config.sharedServer) {
    const shared = await planStack(stackFile(stack.config.sharedServer, sharedValues()));
    return planStack(stack, { [stack.config.sharedServer]: shared.outputs });
  }
  return planStack(stack);
}

export function containers(plan: Plan): PlannedResource[] {
  return plan.resources.filter((r) => r.type === "docker:index/container:Container");
}

export function container(plan: Plan, containerName: string): PlannedResource {
  const c = containers(plan).find((r) => unwrapSecrets(r.inputs.name) === containerName);
  if (!c)
    throw new Error(
      `no container named ${containerName}; have ${containers(plan)
        .map((r) => r.inputs.name)
        .join(", ")}`,
    );
  return c;
}

/** The env of a container as a map; secret values stay wrapped. */
export function env(c: PlannedResource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of (c.inputs.envs as unknown[]) ?? []) {
    const secret = isSecretValue(e);
    const text = String(unwrapSecrets(e));
    const i = text.indexOf("=");
    out[text.slice(0, i)] = secret ? { $secret: true, value: text.slice(i + 1) } : text.slice(i + 1);
  }
  return out;
}

export function upload(c: PlannedResource, file: string): { content: unknown; secret: boolean } {
  const ups = (c.inputs.uploads as any[]) ?? [];
  for (const u of ups) {
    const plain = unwrapSecrets(u) as any;
    if (plain.file === file) return { content: plain.content, secret: isSecretValue(u) || isSecretValue(u.content) };
  }
  throw new Error(`no upload ${file} in ${c.name}`);
}
