import { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { containerSpec } from "./containerSpec";
import { DockerEngine } from "./dockerEngine";
import { startPlannedContainers, TYPE } from "./runPlanInDocker";

/**
 * Brings the engine from what `previous` deployed to what `plan` describes, as an update does: containers
 * no longer planned or planned differently are removed (a container is stopped before its replacement
 * starts: the same name, the same database volume), new and changed ones are created in dependency order,
 * unchanged running ones are kept; networks are created or, when no longer planned, removed; volumes are
 * created when missing and never removed (the stacks retain them on delete).
 */
export interface AppliedPlan {
  created: string[];
  removed: string[];
  kept: string[];
  networksRemoved: string[];
}

const named = (plan: Plan | undefined, type: string) => (plan?.resources ?? []).filter((r) => r.type === type).map((r) => ({ r, name: String(unwrapSecrets(r.inputs.name)) }));
const specKey = (inputs: Record<string, unknown>) => JSON.stringify(containerSpec(inputs));

async function exists(docker: DockerEngine, kind: "containers" | "networks" | "volumes", name: string): Promise<any | undefined> {
  const r = await docker.request("GET", `/${kind}/${encodeURIComponent(name)}${kind === "containers" ? "/json" : ""}`);
  if (r.status === 404) return undefined;
  if (r.status >= 300) throw new Error(`docker GET /${kind}/${name}: ${r.status} ${r.body?.message ?? ""}`);
  return r.body;
}

export async function applyPlanInDocker(plan: Plan, previous: Plan | undefined, docker = new DockerEngine(), timeoutMs = 180_000): Promise<AppliedPlan> {
  const out: AppliedPlan = { created: [], removed: [], kept: [], networksRemoved: [] };
  const wanted = new Map(named(plan, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));
  const before = new Map(named(previous, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));

  // keep what runs exactly as planned; remove the rest of what the previous deployment (or anyone) left under a planned name
  const keep = new Set<string>();
  for (const [name, key] of wanted) {
    const info = await exists(docker, "containers", name);
    if (info && before.get(name) === key && info.State?.Running) keep.add(name);
  }
  const remove = [...before.keys()].filter((n) => !keep.has(n)).reverse();
  for (const n of wanted.keys()) if (!keep.has(n) && !remove.includes(n)) remove.push(n);
  for (const n of remove) {
    const r = await docker.request("DELETE", `/containers/${encodeURIComponent(n)}?force=1&v=1`);
    if (r.status < 300) out.removed.push(n);
    else if (r.status !== 404) throw new Error(`docker DELETE /containers/${n}: ${r.status} ${r.body?.message ?? ""}`);
  }
  const plannedNetworks = new Set(named(plan, TYPE.network).map((x) => x.name));
  for (const { name } of named(previous, TYPE.network)) {
    if (plannedNetworks.has(name)) continue;
    const r = await docker.request("DELETE", `/networks/${encodeURIComponent(name)}`);
    if (r.status < 300) out.networksRemoved.push(name);
  }

  for (const { r, name } of named(plan, TYPE.network)) {
    if (await exists(docker, "networks", name)) continue;
    const labels = Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
    await docker.ok("POST", "/networks/create", { Name: name, Driver: unwrapSecrets(r.inputs.driver) ?? "bridge", Internal: Boolean(r.inputs.internal), Labels: labels, CheckDuplicate: true });
  }
  for (const { r, name } of named(plan, TYPE.volume)) {
    if (await exists(docker, "volumes", name)) continue;
    const labels = Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
    await docker.ok("POST", "/volumes/create", { Name: name, Labels: labels });
  }
  await startPlannedContainers(plan, docker, { timeoutMs, keep, onCreated: (c) => out.created.push(c) });
  out.kept = [...keep];
  return out;
}
