/**
 * The deployment-target adapter for `startSandbox` (sandbox/startSandbox.ts): each deployment of the
 * customer is one sandbox started from a stack file; the new edition is a second sandbox from the changed
 * stack file, its database filled from the dump; retiring stops the old sandbox and keeps its directory
 * (the data) until cleanup. The entry point moves with the sandbox (each has its own loopback block), so
 * "switch" here means the new sandbox's gateway becomes the customer's entry. Not yet exercised by a test
 * (the engine is proven on LocalProcessTarget); HA line scaling is not offered by the sandbox handle.
 */
import * as fs from "fs";
import * as path from "path";
import { startSandbox, SandboxHandle } from "../sandbox/startSandbox";
import type { DbConnection } from "./databaseCopy";
import type { DeploymentTarget, DeploymentView, LineEndpoint, PreparedDatabase } from "./deploymentTarget";
import type { DeploymentShape } from "./migrationPlan";

export interface SandboxTargetOptions {
  stack: string;
  /** Directory for the changed stack files of the new deployments. */
  workDir: string;
  /** Datacenter: the shared-server stack file to run with the tenant. */
  sharedStackFile?: string;
  log?: (line: string) => void;
}

export class SandboxTarget implements DeploymentTarget {
  readonly name = "sandbox";
  /** The changed stack file's text; the engine's caller sets it from the plan before running. */
  nextStackFileText?: string;
  private next?: { handle: SandboxHandle; shape: DeploymentShape };
  private generation = 1;
  private readonly retained: string[] = [];

  constructor(
    private readonly opts: SandboxTargetOptions,
    private handle: SandboxHandle,
    private shape: DeploymentShape,
  ) {}

  static async start(opts: SandboxTargetOptions & { stackFile: string; shape: DeploymentShape }): Promise<SandboxTarget> {
    const handle = await startSandbox({ stackFiles: [...(opts.sharedStackFile ? [opts.sharedStackFile] : []), opts.stackFile], name: `${opts.stack}-mig1`, allowLoopback: true, log: opts.log });
    return new SandboxTarget(opts, handle, opts.shape);
  }

  private database(h: SandboxHandle): { nodes: DbConnection[]; galera: boolean } {
    const cred = h.credentials[this.opts.stack]?.database;
    if (!cred) throw new Error(`sandbox ${h.name}: no database credentials for ${this.opts.stack}`);
    const own = h.endpoints[this.opts.stack]?.databases ?? [];
    const dbs = own.length ? own : Object.values(h.endpoints).flatMap((e) => (e.role === "shared-server" ? e.databases : []));
    return { nodes: dbs.map((d) => ({ host: d.host, port: d.port, user: cred.user, password: cred.password, database: cred.name })), galera: dbs.some((d) => d.galeraNode !== undefined) };
  }

  private lines(h: SandboxHandle): LineEndpoint[] {
    return (h.endpoints[this.opts.stack]?.lines ?? []).map((l) => ({ name: l.process, publicUrl: l.url, adminUrl: l.adminUrl }));
  }

  private view(h: SandboxHandle, shape: DeploymentShape): DeploymentView {
    const db = this.database(h);
    const ep = h.endpoints[this.opts.stack];
    return {
      shape,
      entryUrl: ep?.gateway?.url ?? "",
      lines: this.lines(h),
      database: db.nodes[0],
      databaseNodes: db.nodes,
      galera: db.galera,
      adminToken: h.credentials[this.opts.stack]?.adminToken ?? "",
    };
  }

  async current(): Promise<DeploymentView> {
    return this.view(this.handle, this.shape);
  }

  async prepareDatabase(shape: DeploymentShape): Promise<PreparedDatabase> {
    if (!this.nextStackFileText) throw new Error("SandboxTarget: set nextStackFileText (the plan's stack file) before migrating");
    const gen = ++this.generation;
    fs.mkdirSync(this.opts.workDir, { recursive: true });
    const file = path.join(this.opts.workDir, `Pulumi.${this.opts.stack}.yaml`);
    fs.writeFileSync(file, this.nextStackFileText);
    const shared = shape.edition === "datacenter" && this.opts.sharedStackFile ? [this.opts.sharedStackFile] : [];
    const handle = await startSandbox({ stackFiles: [...shared, file], name: `${this.opts.stack}-mig${gen}`, allowLoopback: true, log: this.opts.log });
    this.next = { handle, shape };
    const db = this.database(handle);
    return { database: db.nodes[0], databaseNodes: db.nodes, galera: db.galera, reused: false, description: `sandbox ${handle.name} (${handle.dir})` };
  }

  async startLines(): Promise<LineEndpoint[]> {
    if (!this.next) throw new Error("prepareDatabase first");
    return this.lines(this.next.handle); // the sandbox started them with the database
  }

  async switchTraffic(): Promise<void> {
    if (!this.next) throw new Error("nothing prepared to switch to");
    this.opts.log?.(`the customer's entry point is now ${this.next.handle.endpoints[this.opts.stack]?.gateway?.url ?? "(none)"}`);
  }

  async retireOld(): Promise<{ retained: string[] }> {
    if (!this.next) throw new Error("nothing to retire for");
    const old = this.handle;
    this.handle = this.next.handle;
    this.shape = this.next.shape;
    this.next = undefined;
    await old.stop(); // its directory, with the database's data, stays
    this.retained.push(old.dir);
    return { retained: [old.dir] };
  }

  async abandonNew(): Promise<void> {
    const n = this.next;
    this.next = undefined;
    if (n) await n.handle.stop();
  }

  async scaleLines(): Promise<void> {
    throw new Error("the sandbox handle cannot add or remove single lines yet; scale HA lines on the local-process target or through Pulumi");
  }

  async cleanup(): Promise<string[]> {
    const removed = this.retained.splice(0);
    for (const d of removed) fs.rmSync(d, { recursive: true, force: true });
    return removed;
  }

  async stop(): Promise<void> {
    await this.next?.handle.stop();
    await this.handle.stop();
  }
}
