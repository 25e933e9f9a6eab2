/**
 * The deployment target of a real deployment: Pulumi on Docker. Everything goes through the Docker
 * Engine API of the customer's host (stack output `migration.dockerHost`, i.e. the stack's `docker:host`;
 * default the local socket): admin calls (maintenance, usage) through `exec` into a line container
 * (the admin port is never published), the dump and the restore through `exec` of mariadb-dump / mariadb
 * inside the database container (root over its socket; for a Datacenter tenant the shared server's), and
 * the per-table checksums over a tunnel carried by `exec` into a line, which reaches the database by its
 * container name. The new topology comes from one deployment of the changed stack file by a
 * StackDeployer (PulumiDeployer: `pulumi up`; DockerRunDeployer: the plan applied with dockerRun), so
 * it is a RedeployTarget (see redeployOrder.ts for the order and its downtime).
 */
import * as fs from "fs";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { dockerExec, ExecTunnel } from "../dockerRun/dockerExec";
import { LC_DEFAULTS } from "../license-central/src/env";
import { DB_PORT } from "../components/DatabaseServer";
import type { EditionId } from "../model/catalog";
import type { MigrationOutputs } from "../program/deployStack";
import { DbConnection, MARIADB_DUMP_OPTIONS } from "./databaseCopy";
import type { DeploymentView, LineEndpoint, Redeployment, RedeployTarget, StagedNew } from "./deploymentTarget";
import type { DeploymentShape } from "./migrationPlan";
import { requireOutput, StackDeployer, StackOutputs } from "./stackDeployer";

export interface DockerTargetOptions {
  stackName: string;
  deployer: StackDeployer;
  /** One engine for everything (tests); otherwise the stack's docker:host from its outputs. */
  docker?: DockerEngine;
  log?: (line: string) => void;
}

interface Deployed {
  outputs: StackOutputs;
  m: MigrationOutputs;
  view: DeploymentView;
}

export class DockerTarget implements RedeployTarget {
  readonly name: string;
  readonly order = "redeploy";
  private deployed?: Deployed;
  private readonly tunnels = new Map<string, { containerId: string; tunnel: Promise<ExecTunnel> }>();
  private readonly retained: Array<{ label: string; m: MigrationOutputs; customer: string }> = [];

  readonly stagesGeneration: boolean;

  constructor(private readonly opts: DockerTargetOptions) {
    this.name = `Docker via ${opts.deployer.name}`;
    this.stagesGeneration = opts.deployer.stagesBeforeUpdate;
  }

  private engine(m: MigrationOutputs): DockerEngine {
    return this.opts.docker ?? DockerEngine.forHost(m.dockerHost || undefined);
  }

  /**
   * A tunnel into `container` (by name) to host:port, reused while that name still means the same container.
   * Keyed by the container's id: after a rolled-back attempt, a container of the same name is a new one, and a
   * tunnel whose spare execs ran in the removed one accepted connections that never reached anything (connect
   * ETIMEDOUT in the retry's verify step).
   */
  private async tunnel(m: MigrationOutputs, container: string, host: string, port: number): Promise<ExecTunnel> {
    const engine = this.engine(m);
    const id = String((await engine.ok<{ Id: string }>("GET", `/containers/${encodeURIComponent(container)}/json`)).Id);
    const key = `${m.dockerHost}|${container}|${host}|${port}`;
    const known = this.tunnels.get(key);
    if (known && known.containerId === id) return known.tunnel;
    if (known) await (await known.tunnel.catch(() => undefined))?.close();
    const tunnel = ExecTunnel.open(engine, id, host, port);
    this.tunnels.set(key, { containerId: id, tunnel });
    return tunnel;
  }

  private async read(outputs: StackOutputs): Promise<Deployed> {
    const stack = this.opts.stackName;
    if (outputs.hosts?.value !== undefined && outputs.migration === undefined)
      throw new Error(
        `stack ${stack} is spread over hosts (lchost:hosts): lchost migrate reaches a stack through one Docker engine and does not migrate a stack on several hosts yet (docs/hosts.md)`,
      );
    const m = requireOutput<MigrationOutputs>(outputs, "migration", stack);
    for (const key of ["adminToken", "databasePassword"]) {
      requireOutput(outputs, key, stack);
      if (!outputs[key].secret) throw new Error(`stack ${stack}: output '${key}' is not a secret; refusing to use a credential that was stored in plain text`);
    }
    const adminToken = String(outputs.adminToken.value);
    const password = String(outputs.databasePassword.value);
    const edition = requireOutput<EditionId>(outputs, "edition", stack);
    const lineCount = requireOutput<number>(outputs, "lines", stack);
    const depot = requireOutput<{ depot: string }>(outputs, "endpoints", stack).depot;
    const entryUrl = depot.replace(/\/depot\/v1$/, "");
    const lines: LineEndpoint[] = [];
    for (const c of m.lineContainers) {
      const t = await this.tunnel(m, c, "127.0.0.1", LC_DEFAULTS.adminPort);
      lines.push({ name: c, publicUrl: entryUrl, adminUrl: `http://127.0.0.1:${t.port}` });
    }
    const nodes: DbConnection[] = [];
    for (const db of m.databaseContainers) {
      // the line reaches the database by its container name on their shared network
      const t = await this.tunnel(m, m.lineContainers[0], db, DB_PORT);
      nodes.push({ host: "127.0.0.1", port: t.port, user: m.databaseUser, password, database: m.databaseSchema });
    }
    const view: DeploymentView = {
      shape: { edition, lines: lineCount },
      entryUrl,
      lines,
      database: nodes[0],
      databaseNodes: nodes,
      galera: m.databaseKind === "cluster",
      adminToken,
    };
    return { outputs, m, view };
  }

  private async currentDeployed(): Promise<Deployed> {
    if (!this.deployed) this.deployed = await this.read(await this.opts.deployer.outputs(this.opts.stackName));
    return this.deployed;
  }

  async current(): Promise<DeploymentView> {
    return (await this.currentDeployed()).view;
  }

  /** The stack outputs' migration block of the current deployment (container names, location). */
  async migrationOutputs(): Promise<MigrationOutputs> {
    return (await this.currentDeployed()).m;
  }

  private of(view: DeploymentView): MigrationOutputs {
    for (const d of [this.deployed, this.previous, this.staged]) if (d?.view === view) return d.m;
    throw new Error("DockerTarget: unknown deployment view");
  }

  private previous?: Deployed;
  /** The new side as stageNew started it (whole: lines and database), until redeploy() switches to it. */
  private staged?: Deployed;

  async dumpDatabase(view: DeploymentView, file: string): Promise<{ bytes: number }> {
    const m = this.of(view);
    const out = fs.createWriteStream(file, { mode: 0o600 });
    await dockerExec(this.engine(m), m.databaseContainers[0], ["mariadb-dump", ...MARIADB_DUMP_OPTIONS, m.databaseSchema], { stdout: out });
    return { bytes: fs.statSync(file).size };
  }

  async restoreDatabase(view: DeploymentView, file: string): Promise<void> {
    const m = this.of(view);
    await dockerExec(this.engine(m), m.databaseContainers[0], ["mariadb", m.databaseSchema], { stdin: fs.createReadStream(file) });
  }

  async stageNew(shape: DeploymentShape): Promise<StagedNew> {
    const t0 = Date.now();
    this.staged = undefined;
    const side = await this.opts.deployer.stage(this.opts.stackName);
    const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    if (!side.started.length) return { description: `nothing can start beside the old deployment (${this.opts.deployer.name} replaces it in the update)` };
    const what = `${side.started.length} container(s) up beside the old deployment in ${took}: ${side.started.join(", ")}`;
    if (!side.outputs) return { description: `${what}; the rest is deployed inside the window` };
    const staged = await this.read(side.outputs);
    if (staged.view.shape.edition !== shape.edition || staged.view.shape.lines !== shape.lines) {
      throw new Error(`the staged stack is ${staged.view.shape.edition} with ${staged.view.shape.lines} line(s), not ${shape.edition} with ${shape.lines}`);
    }
    this.staged = staged;
    return { description: `${what} (the whole new side: the data is copied there before the switch)`, view: staged.view };
  }

  async discardStaged(): Promise<void> {
    this.staged = undefined;
    await this.opts.deployer.discardStaged(this.opts.stackName);
  }

  async redeploy(shape: DeploymentShape): Promise<Redeployment> {
    const before = await this.currentDeployed();
    const staged = this.staged;
    this.staged = undefined;
    const started = Date.now();
    const outputs = await this.opts.deployer.up(this.opts.stackName);
    // switched to the staged side: the same plan, so the same view (tunnels, credentials)
    const after = staged && JSON.stringify(outputs) === JSON.stringify(staged.outputs) ? staged : await this.read(outputs);
    if (after.view.shape.edition !== shape.edition || after.view.shape.lines !== shape.lines) {
      throw new Error(`the deployed stack is ${after.view.shape.edition} with ${after.view.shape.lines} line(s), not ${shape.edition} with ${shape.lines}`);
    }
    this.previous = before;
    this.deployed = after;
    const dataInPlace = before.m.databaseLocation === after.m.databaseLocation;
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    return {
      view: after.view,
      dataInPlace,
      description:
        after === staged
          ? `the entry point serves the new side (${after.m.lineContainers.join(", ")}) after ${took}; the old side stays until maintenance ends`
          : `${after.m.databaseContainers.length} database container(s), ${after.m.lineContainers.length} line(s) up in ${took}; data ${dataInPlace ? "in place" : `moves from ${before.m.databaseLocation} to ${after.m.databaseLocation}`}`,
    };
  }

  async redeployOld(shape: DeploymentShape): Promise<DeploymentView> {
    this.staged = undefined;
    await this.opts.deployer.discardStaged(this.opts.stackName);
    const again = await this.read(await this.opts.deployer.up(this.opts.stackName));
    if (again.view.shape.edition !== shape.edition) throw new Error(`deploying the old stack file gave ${again.view.shape.edition}, not ${shape.edition}`);
    this.previous = undefined;
    this.deployed = again;
    return again.view;
  }

  async retireOld(): Promise<{ retained: string[]; removed: string[] }> {
    const prev = this.previous;
    this.previous = undefined;
    const removed = await this.opts.deployer.removeReplaced(this.opts.stackName);
    const now = this.deployed!.m;
    if (!prev || prev.m.databaseLocation === now.databaseLocation) return { retained: [], removed };
    const customer = String(prev.outputs.customer?.value ?? this.opts.stackName);
    const label =
      prev.m.databaseKind === "shared-tenant"
        ? `schema ${prev.m.databaseSchema} on ${prev.m.databaseContainers[0]}`
        : `volume(s) ${volumesOf(prev.m).join(", ")}`;
    this.retained.push({ label, m: prev.m, customer });
    return { retained: [label], removed };
  }

  /**
   * Removes data of former deployments that the current one does not use: what this run retired, and any
   * database volume labelled with the customer (lchost.owner) that no current node mounts. A tenant schema
   * left on a shared server by an earlier run is not found this way (drop it there by hand).
   */
  async cleanup(): Promise<string[]> {
    const current = await this.currentDeployed();
    const now = current.m;
    const removed: string[] = [];
    const customer = String(current.outputs.customer?.value ?? "");
    const inUse = new Set(now.databaseKind === "shared-tenant" ? [] : volumesOf(now));
    const filter = encodeURIComponent(JSON.stringify({ label: [`lchost.owner=${customer}`, "lchost.data=database"] }));
    const labelled = ((await this.engine(now).ok("GET", `/volumes?filters=${filter}`)) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? [];
    for (const v of labelled) {
      if (inUse.has(v.Name) || !customer) continue;
      await this.engine(now).ok("DELETE", `/volumes/${encodeURIComponent(v.Name)}`);
      removed.push(`volume ${v.Name}`);
    }
    for (const r of this.retained.splice(0)) {
      if (r.m.databaseLocation === now.databaseLocation) continue;
      const docker = this.engine(r.m);
      if (r.m.databaseKind === "shared-tenant") {
        await dockerExec(docker, r.m.databaseContainers[0], ["mariadb", "-e", `DROP DATABASE IF EXISTS \`${r.m.databaseSchema}\``]);
        removed.push(r.label);
      }
    }
    return removed;
  }

  /** Closes the local tunnels (nothing runs on the Docker host after this). */
  async close(): Promise<void> {
    for (const t of this.tunnels.values()) await (await t.tunnel.catch(() => undefined))?.close();
    this.tunnels.clear();
  }
}

/** The database volumes of a deployment with its own server(s): node 1's, then the other nodes'. */
function volumesOf(m: MigrationOutputs): string[] {
  const first = m.databaseLocation.replace(/^volume:/, "");
  return m.databaseContainers.map((_, i) => (i === 0 ? first : `${first}-${i + 1}`));
}
