import { Plan, PlannedResource } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { containerSpec } from "./containerSpec";
import { DockerEngine } from "./dockerEngine";
import { openExec } from "./dockerExec";
import { PlanEngines } from "./planEngines";
import { tarArchive } from "./tarArchive";

/**
 * Creates what a plan's Docker resources describe on a real Docker engine — networks, volumes, containers
 * with their env, entrypoints, uploads, health checks, limits and ports — in dependency order, waiting
 * for each dependency to be healthy (or a job to exit 0). It stands in for `pulumi up` with the Docker
 * provider where no Pulumi CLI exists, so the containers the components define are proven to work.
 * A plan spread over hosts (one Docker provider per host, docs/hosts.md) goes to several engines: each resource
 * to the engine of its provider (PlanEngines), everything else to the default one.
 */
export interface DockerDeployment {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Removes containers and networks; volumes too unless keepVolumes. */
  remove(options?: { keepVolumes?: boolean }): Promise<void>;
}

export const TYPE = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  container: "docker:index/container:Container",
};

function descendants(plan: Plan, urns: string[]): Set<string> {
  const out = new Set(urns);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of plan.resources) {
      if (r.parent && out.has(r.parent) && !out.has(r.urn)) {
        out.add(r.urn);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * Runs the container's own health check command once (what the engine runs every `interval`): Docker 20.10
 * knows no start interval, so a container would wait a whole 5 s interval before its first check.
 */
async function probeHealth(docker: DockerEngine, name: string, test: string[] | undefined, timeoutMs: number): Promise<boolean> {
  if (!test?.length || test[0] === "NONE") return false;
  const cmd = test[0] === "CMD-SHELL" ? ["/bin/sh", "-c", test[1]] : test[0] === "CMD" ? test.slice(1) : test;
  const ex = await openExec(docker, name, cmd).catch(() => undefined);
  if (!ex) return false;
  ex.stdout.resume();
  ex.stderr.resume();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
  const code = await Promise.race([ex.exitCode.catch(() => -1), timedOut]);
  clearTimeout(timer);
  if (code === -1) ex.destroy();
  return code === 0;
}

export async function waitFor(docker: DockerEngine, name: string, want: "healthy" | "exited0", timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await docker.ok("GET", `/containers/${name}/json`);
    const state = info.State;
    if (want === "healthy" && (state.Health?.Status === "healthy" || (!state.Health && state.Running))) return;
    // ready as soon as its own health check passes (the engine would say healthy at its next interval)
    if (want === "healthy" && state.Running && state.Health?.Status === "starting" && (await probeHealth(docker, name, info.Config?.Healthcheck?.Test, 3000)))
      return;
    if (want === "exited0" && state.Status === "exited") {
      if (state.ExitCode === 0) return;
      const logs = await docker.request("GET", `/containers/${name}/logs?stdout=1&stderr=1&tail=20`);
      throw new Error(`job ${name} exited with ${state.ExitCode}: ${stripStreamHeaders(String(logs.body))}`);
    }
    if (Date.now() > deadline) {
      const logs = await docker.request("GET", `/containers/${name}/logs?stdout=1&stderr=1&tail=30`);
      throw new Error(
        `${name} not ${want} after ${timeoutMs} ms (state ${state.Status}, health ${state.Health?.Status}): ${stripStreamHeaders(String(logs.body))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500)); // a probe is a process in the container: not more often on a loaded host
  }
}

/**
 * Creates and starts the plan's containers in order (a container after those it depends on are healthy,
 * a job run to exit 0), except those in `keep` (already running as planned); waits until all are ready.
 */
export async function startPlannedContainers(
  plan: Plan,
  defaultEngine: DockerEngine,
  opts: { timeoutMs: number; keep?: Set<string>; onCreated?: (container: string) => void; engines?: PlanEngines },
): Promise<void> {
  const name = (r: PlannedResource) => String(unwrapSecrets(r.inputs.name));
  const engines = opts.engines ?? new PlanEngines(plan, defaultEngine);
  const engineOf = (container: string) => engines.named(TYPE.container, container);
  const containers = plan.resources.filter((x) => x.type === TYPE.container);
  const started = new Map<string, "healthy" | "exited0">();
  for (const r of containers) {
    const deps = descendants(plan, r.dependsOn);
    for (const d of containers.filter((c) => deps.has(c.urn))) {
      const want = started.get(name(d));
      if (want) await waitFor(engineOf(name(d)), name(d), want, opts.timeoutMs);
    }
    const spec = containerSpec(r.inputs);
    if (opts.keep?.has(spec.name)) continue;
    const docker = engines.of(r);
    await docker.ok("POST", `/containers/create?name=${encodeURIComponent(spec.name)}`, spec.body);
    opts.onCreated?.(spec.name);
    for (const n of spec.extraNetworks)
      await docker.ok("POST", `/networks/${n.name}/connect`, { Container: spec.name, EndpointConfig: { Aliases: n.aliases } });
    if (spec.uploads.length > 0) {
      const tar = tarArchive(spec.uploads.map((u) => ({ path: u.file, content: u.content, mode: u.mode, uid: u.uid, gid: u.gid })));
      await docker.ok("PUT", `/containers/${spec.name}/archive?path=/`, undefined, { data: tar, type: "application/x-tar" });
    }
    await docker.ok("POST", `/containers/${spec.name}/start`);
    started.set(spec.name, spec.job ? "exited0" : "healthy");
    if (spec.job) await waitFor(docker, spec.name, "exited0", opts.timeoutMs);
  }
  for (const [c, want] of started) await waitFor(engineOf(c), c, want, opts.timeoutMs);
}

export interface RunPlanOptions {
  /** The engine of a Docker provider's `host` (default DockerEngine.forHost): where a per-host plan's resources go. */
  engineFor?: (dockerHost: string) => DockerEngine;
}

export async function runPlanInDocker(plan: Plan, docker = new DockerEngine(), timeoutMs = 180_000, options: RunPlanOptions = {}): Promise<DockerDeployment> {
  const engines = new PlanEngines(plan, docker, options.engineFor);
  const created = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };
  const deployment: DockerDeployment = {
    ...created,
    async remove(options = {}) {
      for (const c of [...created.containers].reverse()) await engines.named(TYPE.container, c).request("DELETE", `/containers/${c}?force=1&v=1`);
      for (const n of created.networks) await engines.named(TYPE.network, n).request("DELETE", `/networks/${n}`);
      if (!options.keepVolumes) for (const v of created.volumes) await engines.named(TYPE.volume, v).request("DELETE", `/volumes/${v}`);
    },
  };
  const name = (r: PlannedResource) => String(unwrapSecrets(r.inputs.name));
  try {
    for (const r of plan.resources.filter((x) => x.type === TYPE.network)) {
      const labels = Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
      await engines.of(r).ok("POST", "/networks/create", {
        Name: name(r),
        Driver: unwrapSecrets(r.inputs.driver) ?? "bridge",
        Internal: Boolean(r.inputs.internal),
        Labels: labels,
        CheckDuplicate: true,
      });
      created.networks.push(name(r));
    }
    for (const r of plan.resources.filter((x) => x.type === TYPE.volume)) {
      const labels = Object.fromEntries(((unwrapSecrets(r.inputs.labels) as any[]) ?? []).map((l) => [l.label, l.value]));
      await engines.of(r).ok("POST", "/volumes/create", { Name: name(r), Labels: labels });
      created.volumes.push(name(r));
    }
    await startPlannedContainers(plan, docker, { timeoutMs, engines, onCreated: (c) => created.containers.push(c) });
    return deployment;
  } catch (e) {
    await deployment.remove().catch(() => undefined);
    throw e;
  }
}

/** The Engine API's multiplexed log stream carries 8-byte frame headers (bytes 0-8): drop them from text shown to people. */
function stripStreamHeaders(text: string): string {
  // eslint-disable-next-line no-control-regex -- these control bytes are exactly what is removed
  return text.replace(/[\x00-\x08]/g, "");
}
