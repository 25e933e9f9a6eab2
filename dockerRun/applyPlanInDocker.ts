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

const named = (plan: Plan | undefined, type: string) =>
  (plan?.resources ?? []).filter((r) => r.type === type).map((r) => ({ r, name: String(unwrapSecrets(r.inputs.name)) }));
const specKey = (inputs: Record<string, unknown>) => JSON.stringify(containerSpec(inputs));

async function exists(docker: DockerEngine, kind: "containers" | "networks" | "volumes", name: string): Promise<any | undefined> {
  const r = await docker.request("GET", `/${kind}/${encodeURIComponent(name)}${kind === "containers" ? "/json" : ""}`);
  if (r.status === 404) return undefined;
  if (r.status >= 300) throw new Error(`docker GET /${kind}/${name}: ${r.status} ${r.body?.message ?? ""}`);
  return r.body;
}

/**
 * Starts, beside what `previous` deployed and without touching it, the containers of `plan` that can run
 * at the same time: a name `previous` does not use, no host port `previous` publishes, and every container
 * it depends on is itself started here or runs unchanged. Networks and volumes they need are created.
 * Answers the names started; applyPlanInDocker(plan, previous, …, staged) then keeps them.
 */
export async function stagePlanInDocker(plan: Plan, previous: Plan | undefined, docker = new DockerEngine(), timeoutMs = 180_000): Promise<string[]> {
  const containers = named(plan, TYPE.container);
  const before = new Map(named(previous, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));
  const hostPorts = (inputs: Record<string, unknown>) =>
    Object.values((containerSpec(inputs).body.HostConfig as any)?.PortBindings ?? {}).flatMap((b: any) =>
      b.map((x: any) => String(x.HostPort)).filter(Boolean),
    );
  const usedPorts = new Set(named(previous, TYPE.container).flatMap(({ r }) => hostPorts(r.inputs)));
  const byUrn = new Map(containers.map((c) => [c.r.urn, c]));
  const stageable = new Set<string>();
  // in plan order (dependencies come first), so a dependency's verdict is known
  for (const { r, name } of containers) {
    if (before.has(name) || hostPorts(r.inputs).some((p) => usedPorts.has(p))) continue;
    if ((await exists(docker, "containers", name)) !== undefined) continue; // someone else's
    const deps = [...dependencyUrns(plan, r.urn)].map((u) => byUrn.get(u)).filter((d): d is NonNullable<typeof d> => Boolean(d));
    if (deps.every((d) => stageable.has(d.name) || before.get(d.name) === specKey(d.r.inputs))) stageable.add(name);
  }
  if (stageable.size === 0) return [];
  await createMissingNetworksAndVolumes(plan, docker);
  const keep = new Set(containers.map((c) => c.name).filter((n) => !stageable.has(n)));
  const started: string[] = [];
  await startPlannedContainers(plan, docker, { timeoutMs, keep, onCreated: (c) => started.push(c) });
  return started;
}

/** The URNs a resource depends on, directly or through a component's children. */
function dependencyUrns(plan: Plan, urn: string): Set<string> {
  const r = plan.resources.find((x) => x.urn === urn);
  const out = new Set<string>(r?.dependsOn ?? []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const x of plan.resources) {
      if (x.parent && out.has(x.parent) && !out.has(x.urn)) {
        out.add(x.urn);
        grew = true;
      }
    }
  }
  return out;
}

export async function applyPlanInDocker(
  plan: Plan,
  previous: Plan | undefined,
  docker = new DockerEngine(),
  timeoutMs = 180_000,
  staged: ReadonlySet<string> = new Set(),
): Promise<AppliedPlan> {
  const out: AppliedPlan = { created: [], removed: [], kept: [], networksRemoved: [] };
  const wanted = new Map(named(plan, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));
  const before = new Map(named(previous, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));

  // keep what runs exactly as planned; remove the rest of what the previous deployment (or anyone) left under a planned name
  const keep = new Set<string>();
  for (const [name, key] of wanted) {
    const info = await exists(docker, "containers", name);
    const done = info?.State?.Status === "exited" && info?.State?.ExitCode === 0; // a staged job that ran
    if (info && before.get(name) === key && info.State?.Running) keep.add(name);
    else if (info && staged.has(name) && (info.State?.Running || done)) keep.add(name);
  }
  const remove = [...before.keys()].filter((n) => !keep.has(n)).reverse();
  for (const n of wanted.keys()) if (!keep.has(n) && !remove.includes(n)) remove.push(n);
  // all at once: nothing is created before every one of them is gone
  const results = await Promise.all(remove.map(async (n) => ({ n, r: await docker.request("DELETE", `/containers/${encodeURIComponent(n)}?force=1&v=1`) })));
  for (const { n, r } of results) {
    if (r.status < 300) out.removed.push(n);
    else if (r.status !== 404) throw new Error(`docker DELETE /containers/${n}: ${r.status} ${r.body?.message ?? ""}`);
  }
  const plannedNetworks = new Set(named(plan, TYPE.network).map((x) => x.name));
  for (const { name } of named(previous, TYPE.network)) {
    if (plannedNetworks.has(name)) continue;
    const r = await docker.request("DELETE", `/networks/${encodeURIComponent(name)}`);
    if (r.status < 300) out.networksRemoved.push(name);
  }

  await createMissingNetworksAndVolumes(plan, docker);
  await startPlannedContainers(plan, docker, { timeoutMs, keep, onCreated: (c) => out.created.push(c) });
  out.kept = [...keep];
  return out;
}

/** Creates the plan's networks and volumes that the engine does not have yet (existing ones are kept as they are). */
async function createMissingNetworksAndVolumes(plan: Plan, docker: DockerEngine): Promise<void> {
  const labelsOf = (r: { inputs: Record<string, unknown> }) =>
    Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
  for (const { r, name } of named(plan, TYPE.network)) {
    if (await exists(docker, "networks", name)) continue;
    await docker.ok("POST", "/networks/create", {
      Name: name,
      Driver: unwrapSecrets(r.inputs.driver) ?? "bridge",
      Internal: Boolean(r.inputs.internal),
      Labels: labelsOf(r),
      CheckDuplicate: true,
    });
  }
  for (const { r, name } of named(plan, TYPE.volume)) {
    if (await exists(docker, "volumes", name)) continue;
    await docker.ok("POST", "/volumes/create", { Name: name, Labels: labelsOf(r) });
  }
}
