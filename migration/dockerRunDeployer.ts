/**
 * Deploys a stack file with the real Pulumi program planned offline (materialized secrets) and the plan
 * applied on the Docker engine through dockerRun, the way the Docker provider would: what is no longer
 * planned or planned differently is removed, new and changed containers are created, volumes are never
 * removed. It stands in for `pulumi up` on machines without the Pulumi CLI. What it deployed (the plan,
 * secrets included) is its state: kept in memory and, with `stateDir`, in `<stateDir>/<stack>.json`
 * (mode 0600), so a later run migrates what an earlier one deployed. Unlike Pulumi's state, every
 * deployment draws new random secrets, so every container of the stack is recreated.
 */
import * as fs from "fs";
import * as path from "path";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { applyPlanInDocker, AppliedPlan, removeLeftovers, stagePlanInDocker } from "../dockerRun/applyPlanInDocker";
import { requireImages } from "../dockerRun/imagePrecondition";
import { loadStack, stackFilePath, stackNameOfReference } from "../model/stackFile";
import type { Plan } from "../planner/mockPlanner";
import { isSecretValue, unwrapSecrets } from "../planner/planValues";
import { StackPlanner } from "../planner/planWithReferences";
import type { StackDeployer, StackOutputs, StagedSide } from "./stackDeployer";

export interface DockerRunDeployerOptions {
  /** Where the stack files are (the migration writes the changed one there). */
  stacksDir: string;
  /** Values of the stacks' secret config keys (without namespace); placeholders otherwise. */
  configSecrets?: Record<string, string>;
  /** Keeps what was deployed across processes (the plans hold secrets: mode 0600). */
  stateDir?: string;
  /** An engine for every stack; otherwise each stack's docker:host (default: the local socket). */
  docker?: DockerEngine;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export class DockerRunDeployer implements StackDeployer {
  readonly name = "dockerRun (plan applied on the Docker engine)";
  readonly stagesBeforeUpdate = true;
  private readonly planner: StackPlanner;
  private readonly deployed = new Map<string, Plan>();
  /** What stage() started per stack, with the plan (its secrets) and the stack file text it came from. */
  private readonly staged = new Map<string, { plan: Plan; text: string; containers: string[]; volumes: string[] }>();
  /** The deployment the last up() replaced: its plan and text (a rollback deploys exactly it again) and what of it still runs. */
  private readonly replaced = new Map<string, { plan: Plan; text?: string; leftovers: AppliedPlan["leftovers"]; stagedVolumes: string[] }>();
  /** What the last up() did, per stack (for tests and the log). */
  readonly lastApplied = new Map<string, AppliedPlan>();

  constructor(private readonly opts: DockerRunDeployerOptions) {
    this.planner = new StackPlanner({ materialize: true, configSecrets: opts.configSecrets });
  }

  private engineFor(stackName: string): DockerEngine {
    if (this.opts.docker) return this.opts.docker;
    const stack = loadStack(stackName, this.opts.stacksDir);
    return DockerEngine.forHost(stack.allConfig["docker:host"] as string | undefined);
  }

  private statePath(stackName: string): string | undefined {
    return this.opts.stateDir ? path.join(this.opts.stateDir, `${stackName}.json`) : undefined;
  }

  /** The plan deployed last for the stack (memory, then the state file). */
  deployedPlan(stackName: string): Plan | undefined {
    const known = this.deployed.get(stackName);
    if (known) return known;
    const file = this.statePath(stackName);
    if (!file || !fs.existsSync(file)) return undefined;
    const plan = JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
    this.deployed.set(stackName, plan);
    return plan;
  }

  private remember(stackName: string, plan: Plan): void {
    this.deployed.set(stackName, plan);
    const file = this.statePath(stackName);
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(plan), { mode: 0o600 });
  }

  /**
   * Records `plan` as what runs for the stack, with the stack file text it stands for: for a change applied
   * to the deployed plan itself (lchost fleet upgrade: the same plan with another License Central image).
   */
  recordDeployed(stackName: string, plan: Plan, stackFileText: string, configSecrets = this.opts.configSecrets): void {
    this.remember(stackName, { ...plan, stackFileText, ...(configSecrets ? { configSecrets } : {}) } as DeployedPlan);
  }

  /** Plans the stack file as it is on disk (a tenant against its shared server as deployed). */
  private async planStack(stackName: string): Promise<{ plan: Plan; text: string }> {
    const stack = loadStack(stackName, this.opts.stacksDir);
    if (stack.config.role === "customer" && stack.config.sharedServer) {
      // a tenant is planned against its shared server as deployed (its provisioner password, FSB tokens)
      const sharedName = stackNameOfReference(stack.config.sharedServer);
      const shared = this.deployedPlan(sharedName);
      if (!shared) throw new Error(`${stackName}: its shared server '${sharedName}' was not deployed by this deployer (deploy it first)`);
      this.planner.adopt(stackFilePath(sharedName, this.opts.stacksDir), shared);
    }
    return { plan: await this.planner.plan(stack), text: fs.readFileSync(stack.path, "utf8") };
  }

  async stage(stackName: string): Promise<StagedSide> {
    await this.discardStaged(stackName);
    const { plan, text } = await this.planStack(stackName);
    // recorded before starting: a failure half way leaves containers and volumes that discardStaged must find
    const entry = { plan, text, containers: [] as string[], volumes: [] as string[] };
    this.staged.set(stackName, entry);
    const before = this.deployedPlan(stackName);
    const engine = this.engineFor(stackName);
    await requireImages(plan, engine); // before anything is created: the engine answers and has every image
    const named = (p: Plan | undefined) => new Set(plannedNames(p, TYPE_CONTAINER));
    entry.containers = [...named(plan)].filter((n) => !named(before).has(n)); // what may get started (removing a name never created is a no-op)
    entry.containers = await stagePlanInDocker(plan, before, engine, this.opts.timeoutMs, (v) => entry.volumes.push(v));
    this.opts.log?.(
      `${stackName}: started ${entry.containers.length} container(s) beside the running deployment${entry.containers.length ? `: ${entry.containers.join(", ")}` : ""}`,
    );
    // the new side is whole when every line and database container of its outputs runs: it can take the data before the switch
    const outputs = toStackOutputs(plan.outputs);
    const m = outputs.migration?.value as { lineContainers?: string[]; databaseContainers?: string[] } | undefined;
    const own = (c: string) => entry.containers.includes(c) || (!named(before).has(c) && m?.databaseContainers?.includes(c));
    const whole = Boolean(m?.lineContainers?.every((c) => entry.containers.includes(c)) && m?.databaseContainers?.every(own));
    return { started: entry.containers, ...(whole ? { outputs } : {}) };
  }

  async discardStaged(stackName: string): Promise<string[]> {
    const entry = this.staged.get(stackName);
    this.staged.delete(stackName);
    if (!entry) return [];
    const engine = this.engineFor(stackName);
    const removed: string[] = [];
    for (const c of [...entry.containers].reverse()) {
      const r = await engine.request("DELETE", `/containers/${encodeURIComponent(c)}?force=1&v=1`);
      if (r.status < 300) removed.push(c);
    }
    // volumes the staging created hold nothing but a partial copy (a cluster's would not bootstrap again)
    for (const v of entry.volumes) {
      const r = await engine.request("DELETE", `/volumes/${encodeURIComponent(v)}`);
      if (r.status < 300) removed.push(`volume ${v}`);
    }
    return removed;
  }

  async up(stackName: string): Promise<StackOutputs> {
    const staged = this.staged.get(stackName);
    this.staged.delete(stackName);
    const onDisk = fs.readFileSync(loadStack(stackName, this.opts.stacksDir).path, "utf8");
    const replaced = this.replaced.get(stackName);
    let plan: Plan;
    let text: string;
    let keep = new Set<string>();
    let rollback = false;
    if (staged && staged.text === onDisk) {
      ({ plan, text } = staged);
      keep = new Set(staged.containers);
    } else if (replaced && replaced.text === onDisk) {
      // the file of the deployment this one replaced (a rollback): that very plan again, its secrets and its running containers
      plan = replaced.plan;
      text = onDisk;
      rollback = true;
    } else {
      // the file changed since it was staged: start over from the file as it is
      for (const c of staged?.containers ?? []) await this.engineFor(stackName).request("DELETE", `/containers/${encodeURIComponent(c)}?force=1&v=1`);
      ({ plan, text } = await this.planStack(stackName));
    }
    const engine = this.engineFor(stackName);
    await requireImages(plan, engine); // before anything is created: the engine answers and has every image
    const previous = this.deployedPlan(stackName);
    const applied = await applyPlanInDocker(plan, previous, engine, {
      timeoutMs: this.opts.timeoutMs,
      staged: keep,
      // a staged update leaves the old side running until removeReplaced() (after the maintenance window)
      deferRemoval: keep.size > 0,
      alsoRunning: replaced && replaced.leftovers.containers.length ? [replaced.plan] : [],
    });
    this.lastApplied.set(stackName, applied);
    this.opts.log?.(
      `${stackName}: removed ${applied.removed.length}, created ${applied.created.length}, kept ${applied.kept.length}, reloaded ${applied.reloaded.length} container(s)` +
        (applied.leftovers.containers.length ? `; ${applied.leftovers.containers.length} of the former deployment left running until it is retired` : ""),
    );
    if (rollback) {
      // the volumes staged for the side rolled back hold a partial copy: gone, so that the next attempt starts clean
      for (const v of replaced!.stagedVolumes) await engine.request("DELETE", `/volumes/${encodeURIComponent(v)}`);
    }
    if (previous) {
      this.replaced.set(stackName, {
        plan: previous,
        text: (previous as DeployedPlan).stackFileText,
        leftovers: applied.leftovers,
        stagedVolumes: staged && keep.size ? staged.volumes : [],
      });
    } else this.replaced.delete(stackName);
    this.recordDeployed(stackName, plan, text);
    return toStackOutputs(plan.outputs);
  }

  /** Removes what the last staged up() left running of the deployment it replaced (its volumes stay). */
  async removeReplaced(stackName: string): Promise<string[]> {
    const replaced = this.replaced.get(stackName);
    this.replaced.delete(stackName);
    if (!replaced) return [];
    return removeLeftovers(this.engineFor(stackName), replaced.leftovers);
  }

  async outputs(stackName: string): Promise<StackOutputs> {
    const plan = this.deployedPlan(stackName);
    if (!plan) throw new Error(`stack ${stackName} was not deployed by this deployer${this.opts.stateDir ? ` (no state in ${this.opts.stateDir})` : ""}`);
    return toStackOutputs(plan.outputs);
  }

  /**
   * Removes the stack's containers and networks (as `pulumi destroy`); its volumes stay unless named in
   * `removeVolumes` (`lchost destroy --target docker --delete-data`, and tests cleaning up after themselves).
   */
  async destroy(stackName: string, opts: { removeVolumes?: string[] } = {}): Promise<DestroyedStack> {
    const plan = this.deployedPlan(stackName);
    const docker = this.engineFor(stackName); // the stack's docker:host, as up used
    const out: DestroyedStack = { containers: [], networks: [], volumesRemoved: [], volumesKept: [] };
    const remove = async (kind: string, name: string, into: string[]) => {
      const r = await docker.request("DELETE", `/${kind}/${encodeURIComponent(name)}${kind === "containers" ? "?force=1&v=1" : ""}`);
      if (r.status < 300) into.push(name);
      else if (r.status !== 404) throw new Error(`docker DELETE /${kind}/${name}: ${r.status} ${r.body?.message ?? ""}`);
    };
    for (const c of plannedNames(plan, TYPE_CONTAINER).reverse()) await remove("containers", c, out.containers);
    for (const n of plannedNames(plan, TYPE_NETWORK)) await remove("networks", n, out.networks);
    for (const v of opts.removeVolumes ?? []) await remove("volumes", v, out.volumesRemoved);
    out.volumesKept = plannedNames(plan, TYPE_VOLUME).filter((v) => !(opts.removeVolumes ?? []).includes(v));
    this.deployed.delete(stackName);
    const file = this.statePath(stackName);
    if (file) fs.rmSync(file, { force: true });
    return out;
  }

  /** The volumes the stack's deployed plan holds (its database data). */
  deployedVolumes(stackName: string): string[] {
    return plannedNames(this.deployedPlan(stackName), TYPE_VOLUME);
  }
}

/**
 * A deployed plan as the state keeps it: with the stack file text it came from (a rollback recognises it) and the
 * values of the secret config keys it was planned with (a line change plans the stack again with them:
 * heal/seams/dockerLines.ts). The state file holds secrets anyway (the plan's), mode 0600.
 */
export type DeployedPlan = Plan & { stackFileText?: string; configSecrets?: Record<string, string> };

export interface DestroyedStack {
  containers: string[];
  networks: string[];
  volumesRemoved: string[];
  volumesKept: string[];
}

const TYPE_CONTAINER = "docker:index/container:Container";
const TYPE_NETWORK = "docker:index/network:Network";
const TYPE_VOLUME = "docker:index/volume:Volume";

function plannedNames(plan: Plan | undefined, type: string): string[] {
  return (plan?.resources ?? []).filter((r) => r.type === type).map((r) => String(unwrapSecrets((r.inputs as any).name)));
}

/** Plan outputs in the Automation API's shape: top-level secrets marked, values plain. */
export function toStackOutputs(outputs: Record<string, unknown>): StackOutputs {
  const unwrap = (v: unknown): { value: unknown; secret: boolean } => {
    if (isSecretValue(v)) return { value: unwrap(v.value).value, secret: true };
    if (Array.isArray(v)) {
      const items = v.map(unwrap);
      return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (v && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, unwrap(x)] as const);
      return { value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])), secret: entries.some(([, x]) => x.secret) };
    }
    return { value: v, secret: false };
  };
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, unwrap(v)]));
}
