/** Reading a plan's containers in the plans project's tests (by logical name, as the components name them). */
import type { Plan, PlannedResource } from "../../../planner/mockPlanner";
import { isSecretValue, unwrapSecrets } from "../../../planner/planValues";

export const CONTAINER = "docker:index/container:Container";

export function container(plan: Plan, name: string): PlannedResource {
  const r = plan.resources.find((x) => x.type === CONTAINER && x.name === name);
  if (!r) throw new Error(`no container ${name}`);
  return r;
}

/** An upload as the Docker provider takes it (mode and numeric owner where given). */
export interface PlannedUpload {
  file: string;
  content: string;
  permissions?: string;
  owner?: string;
  group?: string;
}

export const uploadList = (plan: Plan, name: string): PlannedUpload[] => unwrapSecrets(container(plan, name).inputs.uploads) as PlannedUpload[];

/** A container's uploads: file -> content. */
export const uploads = (plan: Plan, name: string): Record<string, string> => Object.fromEntries(uploadList(plan, name).map((u) => [u.file, u.content]));

/** True when a secret is anywhere in the value. */
export const holdsSecret = (v: unknown): boolean =>
  isSecretValue(v) || (Array.isArray(v) ? v.some(holdsSecret) : v !== null && typeof v === "object" && Object.values(v).some(holdsSecret));
