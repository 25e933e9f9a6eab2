/**
 * The rolling upgrade's steps on the Docker target (stacks deployed by `lchost up <stack> --target docker`).
 *
 * An image change is applied to the deployment as it runs, not re-planned: the deployed plan (with its
 * secrets, .docker-run/<stack>.json) gets the new image on its License Central line containers only, and
 * dockerRun applies that plan over the old one, so only those containers are replaced — the database, the
 * FSB and the entry keep running (a re-plan would draw new secrets and recreate every container). The
 * stack file's `lchost:image` is set first (write to a temporary file, rename), so `lchost plan` and
 * `pulumi up` describe what runs; a rollback puts the file's former text back and the former image.
 *
 * A customer with several lines (High Availability) is upgraded line by line behind its balancer:
 * `set server … state drain`, wait for the line's sessions to end, replace its container, wait until it is
 * healthy, `state ready`, wait until the balancer sees it UP — only then the next line.
 */
import * as fs from "fs";
import * as path from "path";
import { applyPlanInDocker } from "../../dockerRun/applyPlanInDocker";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { TYPE, waitFor } from "../../dockerRun/runPlanInDocker";
import { adminSocketPath, haproxyServers } from "../../haproxy";
import type { DockerRunDeployer } from "../../migration/dockerRunDeployer";
import { toStackOutputs } from "../../migration/dockerRunDeployer";
import { loadStack, parseStackFileText, stackNameOfReference } from "../../model/stackFile";
import type { Plan } from "../../planner/mockPlanner";
import { unwrapSecrets } from "../../planner/planValues";
import { withConfigKeys } from "../placeStacks";
import { EntryAdmin } from "./entryAdmin";
import { probeActivation } from "./probeActivation";
import type { UpgradeCandidate, UpgradeSteps } from "./rollingUpgrade";

export interface DockerUpgradeOptions {
  stacksDir: string;
  deployer: DockerRunDeployer;
  /** How long a replaced line may take to become healthy, a drain to end, a line to be UP again. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What the upgrade reads of a deployed customer stack's `migration` output. */
interface Deployed {
  plan: Plan;
  /** The plan that holds the entry container: the customer's own, or (a Datacenter tenant) its shared server's. */
  entryPlan: Plan;
  lineContainers: string[];
  entryContainer: string;
  docker: DockerEngine;
}

const nameOf = (r: Plan["resources"][number]) => String(unwrapSecrets(r.inputs.name));

export class DockerUpgradeSteps implements UpgradeSteps {
  private readonly timeoutMs: number;
  /** The stack file's text before the upgrade wrote lchost:image (a rollback writes it back). */
  private readonly formerText = new Map<string, string>();
  /** The entry's 5xx count for the customer's backends when its last deployment step started. */
  private readonly baseline5xx = new Map<string, number>();
  private probes = 0;

  constructor(private readonly opts: DockerUpgradeOptions) {
    this.timeoutMs = opts.timeoutMs ?? 90_000;
  }

  log(line: string): void {
    this.opts.log?.(line);
  }

  deployed(stack: string): Deployed {
    const plan = this.opts.deployer.deployedPlan(stack);
    if (!plan) throw new Error(`${stack} was not deployed on Docker by lchost`);
    const m = toStackOutputs(plan.outputs).migration?.value as { lineContainers?: string[]; entryContainer?: string } | undefined;
    if (!m?.lineContainers?.length || !m.entryContainer) throw new Error(`${stack}: its deployment names no License Central line (is it a customer stack?)`);
    const file = loadStack(stack, this.opts.stacksDir);
    const docker = DockerEngine.forHost(file.allConfig["docker:host"] as string | undefined);
    let entryPlan = plan;
    if (!plan.resources.some((x) => x.type === TYPE.container && nameOf(x) === m.entryContainer)) {
      const shared = file.config.role === "customer" && file.config.sharedServer ? stackNameOfReference(file.config.sharedServer) : undefined;
      const sharedPlan = shared ? this.opts.deployer.deployedPlan(shared) : undefined;
      if (!sharedPlan)
        throw new Error(
          `${stack}: the deployment of its entry ${m.entryContainer} is not known${shared ? ` (shared server ${shared} not deployed on Docker by lchost)` : ""}`,
        );
      entryPlan = sharedPlan;
    }
    return { plan, entryPlan, lineContainers: m.lineContainers, entryContainer: m.entryContainer, docker };
  }

  /** The image of each line container in the deployed plan. */
  lineImages(d: Deployed): string[] {
    return d.lineContainers.map((line) => {
      const r = d.plan.resources.find((x) => x.type === TYPE.container && nameOf(x) === line);
      if (!r) throw new Error(`the deployed plan has no container ${line}`);
      return String(unwrapSecrets(r.inputs.image));
    });
  }

  async currentImage(c: UpgradeCandidate): Promise<string> {
    const images = [...new Set(this.lineImages(this.deployed(c.stack)))];
    return images.join(" + "); // one image, unless an earlier run stopped half way through an HA customer
  }

  async deploy(c: UpgradeCandidate, image: string): Promise<void> {
    const file = loadStack(c.stack, this.opts.stacksDir).path;
    const text = fs.readFileSync(file, "utf8");
    this.formerText.set(c.stack, text);
    const next = withConfigKeys(text, [["lchost:image", image]], c.stack);
    parseStackFileText(next, file, c.stack); // still a valid stack file before it replaces the old one
    await this.remember5xx(c.stack);
    writeAtomically(file, next);
    await this.replaceLines(c.stack, image, next);
  }

  async rollback(c: UpgradeCandidate, previousImage: string): Promise<void> {
    const file = loadStack(c.stack, this.opts.stacksDir).path;
    const former = this.formerText.get(c.stack);
    if (former !== undefined) writeAtomically(file, former);
    await this.remember5xx(c.stack);
    // an HA customer upgraded half way ran "old + new": each line goes back to the image it ran
    await this.replaceLines(c.stack, previousImage.split(" + ")[0], former ?? fs.readFileSync(file, "utf8"));
  }

  private async remember5xx(stack: string): Promise<void> {
    const d = this.deployed(stack);
    this.baseline5xx.set(stack, await this.entryAdmin(d).responses5xx(this.customerBackends(d).backends));
  }

  private entryConfig(d: Deployed): string {
    const r = d.entryPlan.resources.find((x) => x.type === TYPE.container && nameOf(x) === d.entryContainer);
    const cfg = ((unwrapSecrets(r?.inputs.uploads) as Array<{ file: string; content: string }> | undefined) ?? []).find((u) => u.file.endsWith("/haproxy.cfg"));
    if (!cfg) throw new Error(`the deployed plan has no haproxy.cfg for ${d.entryContainer}`);
    return String(unwrapSecrets(cfg.content));
  }

  private entryAdmin(d: Deployed): EntryAdmin {
    const socket = adminSocketPath(this.entryConfig(d));
    if (!socket) throw new Error(`${d.entryContainer}: its haproxy.cfg has no admin socket`);
    return new EntryAdmin(d.docker, d.entryContainer, socket);
  }

  /** The entry's server lines that point at the customer's lines, and the backends holding them. */
  private customerBackends(d: Deployed): { servers: Array<{ backend: string; server: string; line: string }>; backends: string[] } {
    const servers = haproxyServers(this.entryConfig(d))
      .filter((s) => d.lineContainers.includes(s.address))
      .map((s) => ({ backend: s.backend, server: s.server, line: s.address }));
    if (!servers.length) throw new Error(`${d.entryContainer}: no server of its haproxy.cfg points at ${d.lineContainers.join(", ")}`);
    return { servers, backends: [...new Set(servers.map((s) => s.backend))] };
  }

  /** Replaces every line not yet on `image`, one at a time; with several lines each is drained first. */
  private async replaceLines(stack: string, image: string, stackFileText: string): Promise<void> {
    const d = this.deployed(stack);
    const admin = this.entryAdmin(d);
    const { servers } = this.customerBackends(d);
    const several = d.lineContainers.length > 1;
    let current = d.plan;
    for (const line of d.lineContainers) {
      const r = current.resources.find((x) => x.type === TYPE.container && nameOf(x) === line)!;
      if (String(unwrapSecrets(r.inputs.image)) === image) continue;
      const next: Plan = {
        ...current,
        resources: current.resources.map((x) => (x === r ? { ...x, inputs: { ...x.inputs, image } } : x)),
      };
      // the balancer's own server line for it (routes `track` it: a drain there takes the line out of every route)
      const own = servers.filter((s) => s.line === line);
      const checked = own.slice(0, 1);
      if (several) {
        for (const s of checked) await admin.setState(s.backend, s.server, "drain");
        await admin.waitSessionsEnded(own, this.timeoutMs);
        this.log(`${stack}: ${line} drained on ${d.entryContainer}`);
      }
      const applied = await applyPlanInDocker(next, current, d.docker, { timeoutMs: this.timeoutMs });
      const unexpected = applied.created.filter((n) => n !== line);
      if (unexpected.length) this.log(`${stack}: also recreated ${unexpected.join(", ")}`);
      current = next;
      this.opts.deployer.recordDeployed(stack, current, stackFileText);
      await waitFor(d.docker, line, "healthy", this.timeoutMs);
      const info = await d.docker.ok("GET", `/containers/${encodeURIComponent(line)}/json`);
      const addresses = Object.values((info.NetworkSettings?.Networks ?? {}) as Record<string, { IPAddress?: string }>)
        .map((n) => n.IPAddress ?? "")
        .filter(Boolean);
      if (several) for (const s of checked) await admin.setState(s.backend, s.server, "ready");
      // the entry must have resolved and checked the new container before it counts as back
      await admin.waitUp(own, this.timeoutMs, addresses);
      this.log(`${stack}: ${line} on ${image}, healthy${several ? " and back in the balancer" : " and UP on its entry"}`);
    }
    this.opts.deployer.recordDeployed(stack, current, stackFileText);
  }

  /**
   * Ready, reachable, no more errors: every line container runs its planned image and is healthy; the
   * entry sees every line UP; one activation through the entry (a fresh ticket from the admin API)
   * answers 201; and the entry counted no 5xx response for the customer's backends since the
   * deployment step began (the probe's own answer included).
   */
  async verify(c: UpgradeCandidate): Promise<void> {
    const d = this.deployed(c.stack);
    const images = this.lineImages(d);
    for (const [i, line] of d.lineContainers.entries()) {
      await waitFor(d.docker, line, "healthy", this.timeoutMs);
      const info = await d.docker.ok("GET", `/containers/${encodeURIComponent(line)}/json`);
      if (info.Config?.Image !== images[i]) throw new Error(`${line} runs ${info.Config?.Image}, not ${images[i]}`);
    }
    const admin = this.entryAdmin(d);
    const { servers, backends } = this.customerBackends(d);
    await admin.waitUp(servers, Math.min(this.timeoutMs, 30_000));
    const outputs = toStackOutputs(d.plan.outputs);
    const depot = String((outputs.endpoints?.value as { depot?: string } | undefined)?.depot ?? "");
    const adminToken = String(outputs.adminToken?.value ?? "");
    if (!depot || !adminToken) throw new Error(`${c.stack}: its deployment has no depot endpoint or admin token`);
    const probe = await probeActivation({
      docker: d.docker,
      line: d.lineContainers[0],
      adminToken,
      depotUrl: depot,
      label: `lchost-upgrade-${c.stack}-${Date.now()}-${++this.probes}`,
      timeoutMs: 20_000,
    });
    if (probe.status !== 201) throw new Error(`the activation through ${new URL(depot).host} answered ${probe.status}`);
    const now = await admin.responses5xx(backends);
    const before = this.baseline5xx.get(c.stack) ?? now;
    if (now > before) throw new Error(`${d.entryContainer} answered ${now - before} 5xx response(s) for ${c.stack} since the deployment began`);
  }
}

/** Write to a temporary file beside it, then rename over it: a reader sees the old text or the new, never half. */
export function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: fs.statSync(file).mode & 0o777 });
  fs.renameSync(tmp, file);
}
