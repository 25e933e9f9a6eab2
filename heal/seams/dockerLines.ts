/**
 * The extra-lines capability (heal/seams/lines.ts) for Docker deployments (`lchost up --target docker`): brings a
 * running High Availability deployment to the lines its stack file says now, without touching anything else.
 *
 * The stack is planned again with the secrets of the plan it runs (planner `previous`: as Pulumi's state keeps a
 * RandomPassword's result) and the secret config values it was deployed with, so every container the change
 * does not concern plans exactly as it runs. Then, in this order (the way `lchost migrate` and the sandbox scale
 * lines):
 *   1. new lines and their FSBs are created and started, and waited for until healthy — nothing routes to them yet;
 *   2. lines that go are drained on the gateway (`set server … state drain` until no session is left, at most
 *      `drainTimeoutMs`);
 *   3. the gateway switches to the new haproxy.cfg in place (files uploaded, HAProxy's master reloads gracefully:
 *      requests in flight finish on the old worker, the published port stays open);
 *   4. the containers of the lines that went are removed;
 *   5. the deployment's state records what runs now.
 * Lines that stay keep running with the environment they started with (their quota variables included: the
 * month's usage is counted in the customer's one database; a line restarted later, or the next `lchost up`,
 * picks the new limit up) — the state records them as they run, so the next `lchost up` shows the difference.
 *
 * Refused before anything is changed, naming the container: a deployment this runtime did not make (no state), a
 * change that would touch any other container (a database node, a job, the gateway beyond its files) — that is
 * an `lchost up`, not a line change; so is a stack spread over hosts (one engine only here). A failure in step 1
 * removes what it started; a failure at the switch (steps 2-3: the gateway keeps its former configuration) sets the
 * drained lines ready again and removes the started ones; the state is written only at the end. The stack file is
 * written back by the caller (heal/extraLinesApplier.ts), whose undo applies the former file the same way.
 */
import * as fs from "fs";
import * as path from "path";
import { createMissingNetworksAndVolumes, reloadEntryPointInPlace, switchableInPlace } from "../../dockerRun/applyPlanInDocker";
import { containerSpec, ContainerSpec } from "../../dockerRun/containerSpec";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { startPlannedContainers } from "../../dockerRun/runPlanInDocker";
import { EntryAdmin } from "../../fleet/upgrade/entryAdmin";
import { adminSocketPath } from "../../haproxy/parseConfig";
import { loadStackFile } from "../../model/stackFile";
import type { DeployedPlan } from "../../migration/dockerRunDeployer";
import type { Plan } from "../../planner/mockPlanner";
import { lineServers } from "./balancerLines";
import { lineIndex } from "./lineDatabase";
import type { LineControl, LinesApplied } from "./lines";
import { StackDirIndex } from "../stackDirIndex";

const CONTAINER = "docker:index/container:Container";
const LINE_ROLES = new Set(["license-central", "fsb"]);

export interface DockerLineControlOptions {
  /** Where `lchost up --target docker` keeps each stack's deployed plan (dockerRun/stateDir.ts). */
  stateDir: string;
  /** Where the stack files are (stackFileOf searches it). */
  stacksDir: string;
  /** An engine for every stack; otherwise each stack's docker:host. */
  docker?: DockerEngine;
  drainTimeoutMs?: number;
  /** Per container: created → healthy. */
  readyTimeoutMs?: number;
}

type Spec = ContainerSpec;
const role = (s: Spec) => (s.body.Labels as Record<string, string> | undefined)?.["lchost.role"];
const containersOf = (plan: Plan) =>
  new Map(
    plan.resources
      .filter((r) => r.type === CONTAINER)
      .map((r) => {
        const spec = containerSpec(r.inputs);
        return [spec.name, { r, spec, key: JSON.stringify(spec) }] as const;
      }),
  );

type Containers = ReturnType<typeof containersOf>;
type LineChange = { added: string[]; removed: string[]; gateway?: string; staleLines: string[]; refused?: string };

/** What changes between the running plan and the new one, or why it is not a line change. Pure. */
export function lineChange(running: Plan, wanted: Plan): LineChange {
  return changeBetween(containersOf(running), containersOf(wanted));
}

function changeBetween(before: Containers, after: Containers): LineChange {
  const added = [...after.keys()].filter((n) => !before.has(n));
  const removed = [...before.keys()].filter((n) => !after.has(n));
  const staleLines: string[] = [];
  let gateway: string | undefined;
  for (const n of [...added, ...removed]) {
    const s = (after.get(n) ?? before.get(n))!.spec;
    if (!LINE_ROLES.has(role(s) ?? ""))
      return { added, removed, staleLines, refused: `${n} (${role(s) ?? "no role"}) would be ${added.includes(n) ? "created" : "removed"}` };
  }
  for (const [n, a] of after) {
    const b = before.get(n);
    if (!b || b.key === a.key) continue;
    if (role(a.spec) === "license-central") staleLines.push(n);
    else if (switchableInPlace(b.spec, a.spec)) gateway = n;
    else return { added, removed, staleLines, refused: `${n} (${role(a.spec) ?? "no role"}) would change` };
  }
  return { added, removed, gateway, staleLines };
}

export class DockerLineControl implements LineControl {
  readonly runtime = "docker";
  private readonly index: StackDirIndex;

  constructor(private readonly o: DockerLineControlOptions) {
    this.index = new StackDirIndex(o.stacksDir);
  }

  /** The stack file of a customer that `lchost up --target docker` deployed from `stacksDir`. */
  stackFileOf(customer: string): string | undefined {
    return this.index
      .stacks()
      .find(
        ({ stack }) =>
          stack.config.role === "customer" && stack.config.customer === customer && fs.existsSync(path.join(this.o.stateDir, `${stack.stackName}.json`)),
      )?.file;
  }

  async apply(stackFile: string, log: (line: string) => void): Promise<LinesApplied> {
    const stack = loadStackFile(stackFile);
    // loaded when a line changes, not with the heal service: planning loads Pulumi's SDK (seconds, and memory)
    const { DockerRunDeployer } = await import("../../migration/dockerRunDeployer");
    const { planStack } = await import("../../planner/mockPlanner");
    const deployer = new DockerRunDeployer({ stacksDir: path.dirname(stackFile), stateDir: this.o.stateDir, docker: this.o.docker });
    const running = deployer.deployedPlan(stack.stackName) as DeployedPlan | undefined;
    if (!running) throw new Error(`${stack.stackName}: not deployed by 'lchost up --target docker' (no state in ${this.o.stateDir})`);
    const docker = this.o.docker ?? DockerEngine.forHost(stack.allConfig["docker:host"] as string | undefined);
    const wanted = await planStack(stack, {}, { materialize: true, previous: running, configSecrets: running.configSecrets });
    if (wanted.resources.some((r) => r.type === "pulumi:providers:docker"))
      throw new Error(
        `${stack.stackName}: spread over hosts (lchost:hosts): the line control changes a deployment on one engine only; deploy the lines with 'lchost up'`,
      );
    const before = containersOf(running);
    const after = containersOf(wanted);
    const change = changeBetween(before, after);
    if (change.refused) throw new Error(`${stack.stackName}: not a change of lines only — ${change.refused}; deploy it with 'lchost up --target docker'`);
    const out: LinesApplied = { added: [], removed: [], reloaded: [] };
    const timeoutMs = this.o.readyTimeoutMs ?? 180_000;

    // 1. new lines and FSBs, healthy before anything routes to them
    if (change.added.length) {
      const keep = new Set([...after.keys()].filter((n) => !change.added.includes(n)));
      try {
        await createMissingNetworksAndVolumes(wanted, docker);
        await startPlannedContainers(wanted, docker, { timeoutMs, keep, onCreated: (c) => out.added.push(c) });
      } catch (e) {
        for (const c of out.added) await docker.request("DELETE", `/containers/${encodeURIComponent(c)}?force=1&v=1`);
        throw new Error(`${stack.stackName}: starting ${change.added.join(", ")} failed (removed again, nothing else changed): ${(e as Error).message}`);
      }
      log(`started ${out.added.join(", ")} (healthy before the gateway sends them traffic)`);
    }
    // 2. + 3. drain what goes, then switch the gateway
    if (change.gateway) {
      const gatewayBefore = before.get(change.gateway)!.spec;
      const goingLines = change.removed.filter((n) => role(before.get(n)!.spec) === "license-central").map((n) => lineIndex(n)!);
      try {
        if (goingLines.length) await this.drain(docker, gatewayBefore, goingLines, log);
        await reloadEntryPointInPlace(docker, after.get(change.gateway)!.spec, timeoutMs);
      } catch (e) {
        // the gateway still runs its former configuration (a reload that does not load leaves the old worker
        // serving): the drained lines serve again, the started ones go, and the state stays as it was
        const undo: string[] = [];
        if (goingLines.length)
          await this.setReady(docker, gatewayBefore, goingLines).then(
            () => undo.push(`lines ${goingLines.join(", ")} ready again`),
            (u) => undo.push(`lines ${goingLines.join(", ")} could not be set ready again: ${(u as Error).message}`),
          );
        for (const c of out.added) await docker.request("DELETE", `/containers/${encodeURIComponent(c)}?force=1&v=1`);
        if (out.added.length) undo.push(`removed ${out.added.join(", ")}`);
        throw new Error(`${stack.stackName}: switching ${change.gateway} failed: ${(e as Error).message} (undone: ${undo.join("; ") || "nothing to undo"})`);
      }
      out.reloaded.push(change.gateway);
      log(`reloaded gracefully: ${change.gateway}`);
    }
    // 4. remove what went
    for (const n of change.removed) {
      const r = await docker.request("DELETE", `/containers/${encodeURIComponent(n)}?force=1&v=1`);
      if (r.status < 300 || r.status === 404) out.removed.push(n);
      else throw new Error(`docker DELETE /containers/${n}: ${r.status} ${r.body?.message ?? ""}`);
    }
    if (out.removed.length) log(`drained on the gateway, then removed: ${out.removed.join(", ")}`);
    if (change.staleLines.length)
      log(`${change.staleLines.join(", ")} keep running with the environment they started with (the next 'lchost up' updates them)`);
    // 5. the state: what runs (lines that stayed as they run)
    const stale = new Set(change.staleLines.map((n) => after.get(n)!.r));
    const recorded: Plan = { ...wanted, resources: wanted.resources.map((r) => (stale.has(r) ? before.get(containerSpec(r.inputs).name)!.r : r)) };
    deployer.recordDeployed(stack.stackName, recorded, fs.readFileSync(stackFile, "utf8"), running.configSecrets);
    return out;
  }

  private admin(docker: DockerEngine, gateway: Spec, lines: number[]): EntryAdmin {
    const cfg = gateway.uploads.find((u) => u.file.endsWith("/haproxy.cfg"));
    const socket = cfg && adminSocketPath(cfg.content);
    if (!socket) throw new Error(`${gateway.name}: its haproxy.cfg has no admin socket; cannot drain lines ${lines.join(", ")}`);
    return new EntryAdmin(docker, gateway.name, socket);
  }

  private async setReady(docker: DockerEngine, gateway: Spec, lines: number[]): Promise<void> {
    const admin = this.admin(docker, gateway, lines);
    const stat = await admin.command("show stat");
    for (const s of lines.flatMap((l) => lineServers(stat, l))) await admin.setState(s.backend, s.server, "ready");
  }

  /** Sets the going lines to drain on the running gateway and waits until their sessions ended (at most drainTimeoutMs). */
  private async drain(docker: DockerEngine, gateway: Spec, lines: number[], log: (line: string) => void): Promise<void> {
    const admin = this.admin(docker, gateway, lines);
    const stat = await admin.command("show stat");
    const servers = lines.flatMap((l) => lineServers(stat, l));
    for (const s of servers) await admin.setState(s.backend, s.server, "drain");
    try {
      await admin.waitSessionsEnded(servers, this.o.drainTimeoutMs ?? 30_000);
    } catch (e) {
      log(`${(e as Error).message}; switching anyway (those requests end with the old worker)`);
    }
    log(`drained ${servers.map((s) => `${s.backend}/${s.server}`).join(", ")}`);
  }
}
