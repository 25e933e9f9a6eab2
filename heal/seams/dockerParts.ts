/**
 * PartControl for Docker deployments (`lchost up --target docker`), through the Engine API
 * (dockerRun/dockerEngine.ts): parts are the customer's containers (lc-<customer>[-g<N>]-line-2 …, the
 * gateway lc-<customer>-gateway); status from inspect (Running, Health, RestartCount). `recreate` removes the
 * container and creates it again from the spec in the plan `lchost up` stored in its state directory
 * (dockerRun/stateDir.ts), exactly as `lchost up` created it, and waits until it is healthy.
 */
import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../../planner/mockPlanner";
import { containerSpec, ContainerSpec } from "../../dockerRun/containerSpec";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { TYPE, waitFor } from "../../dockerRun/runPlanInDocker";
import { tarArchive } from "../../dockerRun/tarArchive";
import type { PartControl, PartRef, PartStatus } from "../playbook";

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The part a container name stands for, or undefined (a customer's name may contain hyphens: the match is exact). */
export function dockerPartOf(customer: string, container: string): PartRef | undefined {
  const name = container.replace(/^\//, "");
  if (name === `lc-${customer}-gateway`) return { customer, role: "gateway" };
  const m = new RegExp(`^lc-${esc(customer)}(?:-g\\d+)?-(line|fsb|db)(?:-(\\d+))?$`).exec(name);
  if (!m) return undefined;
  const role = m[1] === "db" ? "database" : (m[1] as "line" | "fsb");
  // the database's first node is lc-<c>-db; lines and FSBs always carry their number
  return { customer, role, index: m[2] ? Number(m[2]) : 1 };
}

const same = (a: PartRef, b: PartRef) => a.role === b.role && (a.role === "gateway" || (a.index ?? 1) === (b.index ?? 1));

export interface DockerPartControlOptions {
  docker: DockerEngine;
  /** Where `lchost up --target docker` stored each stack's plan (`<stateDir>/<stack>.json`). */
  stateDir: string;
  /** How long a recreated container may take to become healthy. */
  readyTimeoutMs?: number;
}

export class DockerPartControl implements PartControl {
  constructor(private readonly o: DockerPartControlOptions) {}

  private async containersOf(customer: string): Promise<Array<{ name: string; part: PartRef }>> {
    const list = await this.o.docker.ok<Array<{ Names: string[] }>>(
      "GET",
      `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: [`lc-${customer}-`] }))}`,
    );
    return list.flatMap((c) => {
      const name = c.Names[0].replace(/^\//, "");
      const part = dockerPartOf(customer, name);
      return part ? [{ name, part }] : [];
    });
  }

  private async containerOf(part: PartRef): Promise<string> {
    const found = (await this.containersOf(part.customer)).filter((c) => same(c.part, part));
    if (found.length === 0) throw new Error(`no container of ${part.customer} for ${part.role}${part.index !== undefined ? ` ${part.index}` : ""}`);
    return found[0].name;
  }

  async list(customer: string): Promise<PartStatus[]> {
    const out: PartStatus[] = [];
    for (const c of await this.containersOf(customer)) {
      const info = await this.o.docker.ok("GET", `/containers/${encodeURIComponent(c.name)}/json`);
      const h = info.State?.Health?.Status;
      out.push({
        ...c.part,
        running: info.State?.Running === true && info.State?.Restarting !== true,
        healthy: h === "healthy" ? true : h === "unhealthy" ? false : undefined,
        restarts: Number(info.RestartCount ?? 0),
      });
    }
    return out;
  }

  async restart(part: PartRef): Promise<void> {
    const name = await this.containerOf(part);
    await this.o.docker.ok("POST", `/containers/${encodeURIComponent(name)}/restart?t=10`);
    await waitFor(this.o.docker, name, "healthy", this.o.readyTimeoutMs ?? 120_000);
  }

  /** The planned spec of the part's container, from the stored plans (the part's container name decides). */
  plannedSpec(part: PartRef): ContainerSpec {
    let files: string[] = [];
    try {
      files = fs.readdirSync(this.o.stateDir).filter((f) => f.endsWith(".json"));
    } catch (e) {
      throw new Error(`no deployment state in ${this.o.stateDir} (${(e as NodeJS.ErrnoException).code})`);
    }
    for (const f of files) {
      let plan: Plan;
      try {
        plan = JSON.parse(fs.readFileSync(path.join(this.o.stateDir, f), "utf8")) as Plan;
      } catch {
        continue;
      }
      for (const r of plan.resources ?? []) {
        if (r.type !== TYPE.container) continue;
        const spec = containerSpec(r.inputs);
        const p = dockerPartOf(part.customer, spec.name);
        if (p && same(p, part)) return spec;
      }
    }
    throw new Error(
      `no stored plan in ${this.o.stateDir} has a container for ${part.customer} ${part.role}${part.index !== undefined ? ` ${part.index}` : ""}`,
    );
  }

  async recreate(part: PartRef): Promise<void> {
    const spec = this.plannedSpec(part); // before anything is removed: no plan, nothing touched
    const d = this.o.docker;
    const del = await d.request("DELETE", `/containers/${encodeURIComponent(spec.name)}?force=1`);
    if (del.status >= 300 && del.status !== 404) throw new Error(`docker DELETE /containers/${spec.name}: ${del.status} ${del.body?.message ?? ""}`);
    await d.ok("POST", `/containers/create?name=${encodeURIComponent(spec.name)}`, spec.body);
    for (const n of spec.extraNetworks) await d.ok("POST", `/networks/${n.name}/connect`, { Container: spec.name, EndpointConfig: { Aliases: n.aliases } });
    if (spec.uploads.length > 0) {
      const tar = tarArchive(spec.uploads.map((u) => ({ path: u.file, content: u.content, mode: u.mode, uid: u.uid, gid: u.gid })));
      await d.ok("PUT", `/containers/${spec.name}/archive?path=/`, undefined, { data: tar, type: "application/x-tar" });
    }
    await d.ok("POST", `/containers/${spec.name}/start`);
    await waitFor(d, spec.name, "healthy", this.o.readyTimeoutMs ?? 120_000);
  }
}
