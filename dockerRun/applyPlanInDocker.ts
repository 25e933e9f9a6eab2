import { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { containerSpec, ContainerSpec } from "./containerSpec";
import { DockerEngine } from "./dockerEngine";
import { tarArchive } from "./tarArchive";
import { PlanEngines } from "./planEngines";
import { startPlannedContainers, TYPE } from "./runPlanInDocker";

/**
 * Brings the engine from what `previous` deployed to what `plan` describes, as an update does: containers
 * no longer planned or planned differently are removed (a container is stopped before its replacement
 * starts: the same name, the same database volume), new and changed ones are created in dependency order,
 * unchanged running ones are kept; networks are created or, when no longer planned, removed; volumes are
 * created when missing and never removed (the stacks retain them on delete).
 *
 * An HTTPS entry point (HAProxy, `lchost.role: https-entry-point`) whose container differs only in its
 * files and labels is switched in place: the new files are uploaded and HAProxy reloads them gracefully
 * (its master process, `-W`, on SIGUSR2: requests in flight finish, the published port stays open), so an
 * edition change moves the gateway to the new lines without restarting the entry.
 */
export interface AppliedPlan {
  created: string[];
  removed: string[];
  kept: string[];
  /** Entry points switched in place (files uploaded, HAProxy reloaded). */
  reloaded: string[];
  networksRemoved: string[];
  /** With `deferRemoval`: containers and networks of `previous` no longer planned, left running for removeLeftovers(). */
  leftovers: { containers: string[]; networks: string[] };
}

export interface ApplyOptions {
  timeoutMs?: number;
  /** Containers started beforehand by stagePlanInDocker (kept when running, or a job that exited 0). */
  staged?: ReadonlySet<string>;
  /**
   * Containers that no longer belong to the plan stay running (the old side of an edition change stays
   * whole until maintenance ends); removeLeftovers() removes them after the window. Only with a staged
   * plan: nothing then needs the names they hold.
   */
  deferRemoval?: boolean;
  /** Plans whose containers may still run (the side left running by a deferred removal): their containers are kept when they match. */
  alsoRunning?: Plan[];
  /** The engine of a Docker provider's `host` (default DockerEngine.forHost): where a per-host plan's resources go. */
  engineFor?: (dockerHost: string) => DockerEngine;
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
export async function stagePlanInDocker(
  plan: Plan,
  previous: Plan | undefined,
  docker = new DockerEngine(),
  timeoutMs = 180_000,
  onCreatedVolume?: (volume: string) => void,
  engineFor?: (dockerHost: string) => DockerEngine,
): Promise<string[]> {
  // a plan spread over hosts: each name on the engine of its provider (`docker` for the rest)
  const engines = new PlanEngines([plan, previous], docker, engineFor);
  const on = (type: string, name: string) => engines.named(type, name);
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
    if ((await exists(on(TYPE.container, name), "containers", name)) !== undefined) continue; // someone else's
    const deps = [...dependencyUrns(plan, r.urn)].map((u) => byUrn.get(u)).filter((d): d is NonNullable<typeof d> => Boolean(d));
    if (deps.every((d) => stageable.has(d.name) || before.get(d.name) === specKey(d.r.inputs))) stageable.add(name);
  }
  if (stageable.size === 0) return [];
  await createMissingNetworksAndVolumes(plan, engines, onCreatedVolume);
  // named volumes the staged containers mount that the engine creates on first use (an FSB's keys, filled from
  // the image and owned by its user): new ones belong to the staging too, whether it succeeds or not
  const mountedAnew: Array<{ volume: string; engine: DockerEngine }> = [];
  for (const { r, name } of containers) {
    if (!stageable.has(name)) continue;
    const engine = engines.of(r); // such a volume is made by the engine of the container that mounts it
    for (const m of ((containerSpec(r.inputs).body.HostConfig as any)?.Mounts ?? []) as Array<{ Type: string; Source: string }>) {
      if (
        m.Type === "volume" &&
        !mountedAnew.some((v) => v.volume === m.Source && v.engine === engine) &&
        (await exists(engine, "volumes", m.Source)) === undefined
      )
        mountedAnew.push({ volume: m.Source, engine });
    }
  }
  const keep = new Set(containers.map((c) => c.name).filter((n) => !stageable.has(n)));
  const started: string[] = [];
  try {
    await startPlannedContainers(plan, docker, { timeoutMs, keep, engines, onCreated: (c) => started.push(c) });
  } finally {
    for (const v of mountedAnew) if ((await exists(v.engine, "volumes", v.volume)) !== undefined) onCreatedVolume?.(v.volume);
  }
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

export async function applyPlanInDocker(plan: Plan, previous: Plan | undefined, docker = new DockerEngine(), options: ApplyOptions = {}): Promise<AppliedPlan> {
  // a plan spread over hosts: each name on the engine of its provider in the plan that has it (`docker` for the rest)
  const engines = new PlanEngines([plan, previous, ...(options.alsoRunning ?? [])], docker, options.engineFor);
  const on = (type: string, name: string) => engines.named(type, name);
  const { timeoutMs = 180_000, staged = new Set<string>(), deferRemoval = false } = options;
  const out: AppliedPlan = { created: [], removed: [], kept: [], reloaded: [], networksRemoved: [], leftovers: { containers: [], networks: [] } };
  const wantedSpecs = new Map(named(plan, TYPE.container).map(({ r, name }) => [name, containerSpec(r.inputs)]));
  const wanted = new Map([...wantedSpecs].map(([name, spec]) => [name, JSON.stringify(spec)]));
  const before = new Map(named(previous, TYPE.container).map(({ r, name }) => [name, specKey(r.inputs)]));
  const beforeSpecs = new Map(named(previous, TYPE.container).map(({ r, name }) => [name, containerSpec(r.inputs)]));
  // what a side left running by a deferred removal runs (a rollback switches back to it)
  const running = new Map(before);
  for (const p of options.alsoRunning ?? []) for (const { r, name } of named(p, TYPE.container)) if (!running.has(name)) running.set(name, specKey(r.inputs));

  // keep what runs exactly as planned; switch entry points in place; remove the rest of what the previous deployment (or anyone) left under a planned name
  const keep = new Set<string>();
  const reload: string[] = [];
  for (const [name, key] of wanted) {
    const info = await exists(on(TYPE.container, name), "containers", name);
    const done = info?.State?.Status === "exited" && info?.State?.ExitCode === 0; // a staged job that ran
    if (info && running.get(name) === key && (info.State?.Running || done)) keep.add(name);
    else if (info && staged.has(name) && (info.State?.Running || done)) keep.add(name);
    else if (info?.State?.Running && beforeSpecs.has(name) && switchableInPlace(beforeSpecs.get(name)!, wantedSpecs.get(name)!)) reload.push(name);
  }
  const notPlanned = [...before.keys()].filter((n) => !wanted.has(n));
  const remove = [...before.keys()].filter((n) => wanted.has(n) && !keep.has(n) && !reload.includes(n)).reverse();
  if (deferRemoval) out.leftovers.containers = notPlanned;
  else remove.push(...notPlanned.reverse());
  for (const n of wanted.keys()) if (!keep.has(n) && !reload.includes(n) && !remove.includes(n)) remove.push(n);
  // all at once: nothing is created before every one of them is gone
  const results = await Promise.all(
    remove.map(async (n) => ({ n, r: await on(TYPE.container, n).request("DELETE", `/containers/${encodeURIComponent(n)}?force=1&v=1`) })),
  );
  for (const { n, r } of results) {
    if (r.status < 300) out.removed.push(n);
    else if (r.status !== 404) throw new Error(`docker DELETE /containers/${n}: ${r.status} ${r.body?.message ?? ""}`);
  }
  const plannedNetworks = new Set(named(plan, TYPE.network).map((x) => x.name));
  for (const { name } of named(previous, TYPE.network)) {
    if (plannedNetworks.has(name)) continue;
    if (deferRemoval) {
      out.leftovers.networks.push(name);
      continue;
    }
    const r = await on(TYPE.network, name).request("DELETE", `/networks/${encodeURIComponent(name)}`);
    if (r.status < 300) out.networksRemoved.push(name);
  }

  await createMissingNetworksAndVolumes(plan, engines);
  for (const name of reload) {
    await reloadEntryPointInPlace(on(TYPE.container, name), wantedSpecs.get(name)!, timeoutMs);
    out.reloaded.push(name);
    keep.add(name);
  }
  await startPlannedContainers(plan, docker, { timeoutMs, keep, engines, onCreated: (c) => out.created.push(c) });
  out.kept = [...keep].filter((n) => !out.reloaded.includes(n));
  return out;
}

/** Removes what a deferred removal left running (after the maintenance window): containers first, then networks. */
export async function removeLeftovers(docker: DockerEngine, leftovers: AppliedPlan["leftovers"], engines?: PlanEngines): Promise<string[]> {
  const removed: string[] = [];
  const on = (type: string, name: string) => engines?.named(type, name) ?? docker;
  const results = await Promise.all(
    leftovers.containers.map(async (n) => ({ n, r: await on(TYPE.container, n).request("DELETE", `/containers/${encodeURIComponent(n)}?force=1&v=1`) })),
  );
  for (const { n, r } of results) {
    if (r.status < 300) removed.push(n);
    else if (r.status !== 404) throw new Error(`docker DELETE /containers/${n}: ${r.status} ${r.body?.message ?? ""}`);
  }
  for (const n of leftovers.networks) {
    const r = await on(TYPE.network, n).request("DELETE", `/networks/${encodeURIComponent(n)}`);
    if (r.status < 300) removed.push(`network ${n}`);
  }
  return removed;
}

const ENTRY_POINT_ROLE = "https-entry-point";

/** Same container but for its files and labels (e.g. the edition label): an HAProxy entry point that a reload can switch. */
export function switchableInPlace(from: ContainerSpec, to: ContainerSpec): boolean {
  const role = (s: ContainerSpec) => (s.body.Labels as Record<string, string> | undefined)?.["lchost.role"];
  if (role(from) !== ENTRY_POINT_ROLE || role(to) !== ENTRY_POINT_ROLE || from.name !== to.name) return false;
  const withoutLabels = (s: ContainerSpec) => JSON.stringify({ ...s.body, Labels: undefined, networks: s.extraNetworks });
  return withoutLabels(from) === withoutLabels(to);
}

/**
 * Uploads the entry point's new files into the running container and reloads HAProxy through its master
 * (SIGUSR2): the new worker takes the listening socket over, the old one finishes its requests. Waits until
 * the master logs the new worker's "Loading success."; a configuration that does not load ("Loading
 * failure": the master keeps the old worker serving) is an error here, and a rollback reloads the old files.
 */
export async function reloadEntryPointInPlace(docker: DockerEngine, spec: ContainerSpec, timeoutMs: number): Promise<void> {
  const config = spec.uploads.find((u) => u.file.endsWith("/haproxy.cfg"));
  if (!config) throw new Error(`${spec.name}: no haproxy.cfg among its files; cannot reload it in place`);
  const tar = tarArchive(spec.uploads.map((u) => ({ path: u.file, content: u.content, mode: u.mode, uid: u.uid, gid: u.gid })));
  await docker.ok("PUT", `/containers/${encodeURIComponent(spec.name)}/archive?path=/`, undefined, { data: tar, type: "application/x-tar" });
  const loads = async () => {
    const logs = await docker.request("GET", `/containers/${encodeURIComponent(spec.name)}/logs?stdout=1&stderr=1&tail=200`);
    const text = String(logs.body ?? "");
    return { ok: text.split("Loading success.").length - 1, failed: text.split("Loading failure").length - 1 };
  };
  const before = await loads();
  await docker.ok("POST", `/containers/${encodeURIComponent(spec.name)}/kill?signal=SIGUSR2`);
  const deadline = Date.now() + Math.min(timeoutMs, 30_000);
  for (;;) {
    const now = await loads();
    if (now.failed > before.failed) throw new Error(`${spec.name}: HAProxy did not load the new configuration (the old one keeps serving)`);
    // tail=200 may drop old lines on a chatty entry point: a change in either count means a reload happened
    if (now.ok !== before.ok) return;
    if (Date.now() > deadline) throw new Error(`${spec.name}: HAProxy did not confirm the reload within ${Math.min(timeoutMs, 30_000)} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates the plan's networks and volumes that the engine does not have yet (existing ones are kept as they are). */
export async function createMissingNetworksAndVolumes(
  plan: Plan,
  where: DockerEngine | PlanEngines,
  onCreatedVolume?: (volume: string) => void,
): Promise<void> {
  // one engine, or each resource on the engine of its host's provider (a plan spread over hosts)
  const engines = where instanceof PlanEngines ? where : new PlanEngines(plan, where);
  const labelsOf = (r: { inputs: Record<string, unknown> }) =>
    Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
  for (const { r, name } of named(plan, TYPE.network)) {
    const docker = engines.of(r);
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
    const docker = engines.of(r);
    if (await exists(docker, "volumes", name)) continue;
    await docker.ok("POST", "/volumes/create", { Name: name, Labels: labelsOf(r) });
    onCreatedVolume?.(name);
  }
}
