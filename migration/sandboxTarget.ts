/**
 * The deployment target of `lchost sandbox` (sandbox/startSandbox.ts): each edition the customer has
 * runs as a sandbox started from the customer's stack file at that time; a Datacenter tenant runs in
 * its shared server's sandbox (started by this target with the shared-server stack file).
 *
 *  - prepareDatabase: writes the changed stack file (the same pure change the plan shows) and starts
 *    only the new edition's database(s): a new sandbox with `startRoles: ["database"]`, or for
 *    Datacenter the tenant's SQL job on the shared server (a schema left from an earlier Datacenter
 *    deployment is renamed `<schema>_retired_<n>` first, never dropped). Each sandbox owns its
 *    database, so Dedicated <-> High Performance copies the data too (verified like any move).
 *  - startLines: the rest of that sandbox (FSBs, lines, its gateway), or the tenant's line.
 *  - switchTraffic: the customer's entry (sandbox/customerEntry.ts, a fixed address of the customer's
 *    own passing TLS through) is reloaded gracefully to the new edition's gateway once that gateway
 *    reports every new line UP. Clients keep their address, CA and client certificate: every sandbox
 *    of the customer gets its server certificate from one CA kept in `<workDir>/ca`, and License
 *    Central's admin token is the same in all of them.
 *  - retireOld: stops the old sandbox (or the tenant's line on the shared server); its data stays
 *    (the sandbox directory, or the schema) and is listed in `<workDir>/retained.json` until cleanup.
 *  - scaleLines: `updateStack` on the running HA sandbox: new lines start, the gateway reloads
 *    gracefully (-sf); lines that go are drained on the gateway first.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { loadStackFile } from "../model/stackFile";
import { CustomerEntry } from "../sandbox/customerEntry";
import { sandboxOctet } from "../sandbox/sandboxAddresses";
import { DATABASE_ROLES, ROLES_AFTER_DATABASE } from "../sandbox/roleOrder";
import { SandboxHandle, SandboxOptions, startSandbox } from "../sandbox/startSandbox";
import type { DbConnection } from "./databaseCopy";
import type { DeploymentView, LineEndpoint, PreparedDatabase, StagedTarget } from "./deploymentTarget";
import type { DeploymentShape } from "./migrationPlan";
import { changeStackFileEdition } from "./stackFileChange";

export interface SandboxTargetOptions {
  /** The customer's stack file as it is now (copied; the target never writes it). */
  stackFile: string;
  /** The shared-server stack file of Datacenter tenants (needed when the customer is or becomes Datacenter). */
  sharedStackFile?: string;
  /** Everything of this target: stack files, CA, the entry, one directory per sandbox, retained.json. */
  workDir: string;
  serviceLogLevel?: string;
  log?: (line: string) => void;
}

interface Deployment {
  shape: DeploymentShape;
  handle: SandboxHandle;
  /** A Datacenter tenant: `handle` is the shared server's sandbox, which outlives the tenant's moves. */
  onShared: boolean;
}

type Retained = { kind: "sandbox"; dir: string; label: string } | { kind: "schema"; schema: string; label: string };

/** What a client needs to reach the customer the way its end users do. */
export interface CustomerEntryInfo {
  url: string;
  address: string;
  port: number;
  /** SNI and Host to send (the customer's published name when the target started). */
  host: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

const RETAINED_FILE = "retained.json";

export class SandboxTarget implements StagedTarget {
  readonly name = "sandbox";
  readonly order = "staged";
  private current_!: Deployment;
  private next?: Deployment;
  private shared?: SandboxHandle;
  private generation = 0;
  private stackText: string;
  private readonly stackPath: string;
  private readonly stack: string;
  private readonly customer: string;
  private readonly entry: CustomerEntry;
  private entryHost = "";
  private readonly adminToken = crypto.randomBytes(24).toString("hex");
  private readonly hostNames: string[];

  private constructor(private readonly opts: SandboxTargetOptions) {
    const file = loadStackFile(path.resolve(opts.stackFile));
    if (file.config.role !== "customer") throw new Error(`${opts.stackFile}: a sandbox target moves one customer; this is a shared-server stack file`);
    this.stack = file.stackName;
    this.customer = file.config.customer;
    this.stackText = fs.readFileSync(opts.stackFile, "utf8");
    for (const d of [opts.workDir, path.join(opts.workDir, "s")]) {
      fs.mkdirSync(d, { recursive: true });
      fs.chmodSync(d, 0o711); // database nodes run as mysql and must reach their directories
    }
    const stacksDir = path.join(opts.workDir, "stacks");
    fs.mkdirSync(stacksDir, { recursive: true });
    this.stackPath = path.join(stacksDir, path.basename(opts.stackFile));
    fs.writeFileSync(this.stackPath, this.stackText);
    let sharedDomain: string | undefined;
    if (opts.sharedStackFile) {
      fs.copyFileSync(opts.sharedStackFile, path.join(stacksDir, path.basename(opts.sharedStackFile)));
      const shared = loadStackFile(path.resolve(opts.sharedStackFile)).config;
      sharedDomain = shared.role === "shared-server" ? shared.domain : undefined;
    }
    // every name the customer may be published under, in every sandbox's server certificate
    this.hostNames = [...new Set([sharedDomain, file.config.domain, "lchost.local"].filter(Boolean).map((d) => `${this.customer}.${d}`))];
    this.entry = new CustomerEntry(this.customer, path.join(opts.workDir, "entry"));
  }

  /** Starts the customer's current edition (a Datacenter tenant with its shared server) and its entry. */
  static async start(opts: SandboxTargetOptions): Promise<SandboxTarget> {
    const t = new SandboxTarget(opts);
    try {
      const cfg = loadStackFile(path.resolve(opts.stackFile)).config;
      if (cfg.role !== "customer") throw new Error("unreachable");
      const shape: DeploymentShape = { edition: cfg.edition, lines: cfg.lines };
      const datacenter = shape.edition === "datacenter";
      if (datacenter && !opts.sharedStackFile) throw new Error(`${opts.stackFile}: a Datacenter tenant runs on its shared server; give sharedStackFile`);
      if (opts.sharedStackFile) t.shared = await t.startShared(datacenter);
      t.current_ = datacenter ? { shape, handle: t.shared!, onShared: true } : { shape, handle: await t.startOwn(), onShared: false };
      const gw = t.gateway(t.current_);
      t.entryHost = gw.host;
      await t.entry.pointTo(gw);
      return t;
    } catch (e) {
      await t.stop();
      throw e;
    }
  }

  private sandboxOptions(name: string): SandboxOptions {
    return {
      name,
      dir: path.join(this.opts.workDir, "s", name), // short: HAProxy admin socket paths may not exceed 97 characters
      allowLoopback: true,
      certificateAuthorityDir: path.join(this.opts.workDir, "ca"),
      extraDnsNames: this.hostNames,
      adminTokens: { [this.stack]: this.adminToken },
      serviceLogLevel: this.opts.serviceLogLevel,
      log: this.opts.log,
    };
  }

  /** A sandbox name whose address block no running sandbox of this target uses. */
  private freshName(base: string): string {
    const used = new Set([this.shared, this.current_?.handle, this.next?.handle].filter(Boolean).map((h) => sandboxOctet(h!.name)));
    let name = base;
    while (used.has(sandboxOctet(name))) name += "x";
    return name;
  }

  private async startShared(withTenant: boolean): Promise<SandboxHandle> {
    const sharedCopy = path.join(this.opts.workDir, "stacks", path.basename(this.opts.sharedStackFile!));
    const name = this.freshName(`${loadStackFile(sharedCopy).stackName}-${this.stack}`);
    return startSandbox({ ...this.sandboxOptions(name), stackFiles: [sharedCopy, ...(withTenant ? [this.stackPath] : [])] });
  }

  private async startOwn(startRoles?: SandboxOptions["startRoles"]): Promise<SandboxHandle> {
    const name = this.freshName(`${this.stack}-g${++this.generation}`);
    return startSandbox({ ...this.sandboxOptions(name), stackFiles: [this.stackPath], startRoles });
  }

  private gateway(d: Deployment): { address: string; port: number; host: string; process: string } {
    const gw = d.handle.endpoints[this.stack]?.gateway;
    if (!gw) throw new Error(`sandbox ${d.handle.name}: ${this.stack} has no HTTPS entry point`);
    return gw;
  }

  private databases(d: Deployment): { nodes: DbConnection[]; galera: boolean } {
    const cred = d.handle.credentials[this.stack]?.database;
    if (!cred) throw new Error(`sandbox ${d.handle.name}: no database credentials for ${this.stack}`);
    const own = d.handle.endpoints[this.stack]?.databases ?? [];
    const dbs = own.length ? own : Object.values(d.handle.endpoints).flatMap((e) => (e.role === "shared-server" ? e.databases : []));
    return {
      nodes: dbs.map((x) => ({ host: x.host, port: x.port, user: cred.user, password: cred.password, database: cred.name })),
      galera: dbs.some((x) => x.galeraNode !== undefined),
    };
  }

  private lines(d: Deployment): LineEndpoint[] {
    return (d.handle.endpoints[this.stack]?.lines ?? []).map((l) => ({ name: l.process, publicUrl: l.url, adminUrl: l.adminUrl }));
  }

  private view(d: Deployment): DeploymentView {
    const db = this.databases(d);
    return {
      shape: d.shape,
      entryUrl: this.entry.url,
      lines: this.lines(d),
      database: db.nodes[0],
      databaseNodes: db.nodes,
      galera: db.galera,
      adminToken: this.adminToken,
    };
  }

  /** How clients reach the customer: the stable entry, with the sandboxes' CA and client certificate. */
  entryInfo(): CustomerEntryInfo {
    const tls = this.current_.handle.tls;
    return {
      url: this.entry.url,
      address: this.entry.address,
      port: this.entry.port,
      host: this.entryHost,
      caCert: tls.caCert,
      clientCert: tls.clientCert,
      clientKey: tls.clientKey,
    };
  }

  /** The sandbox serving the customer now, and the one being prepared (for tests that break it). */
  deployments(): { current: SandboxHandle; next?: SandboxHandle } {
    return { current: this.current_.handle, next: this.next?.handle };
  }

  async current(): Promise<DeploymentView> {
    return this.view(this.current_);
  }

  private nextStackText(shape: DeploymentShape): string {
    const change = changeStackFileEdition(this.stackText, this.stackPath, { edition: shape.edition, lines: shape.lines });
    if (change.problems.length) throw new Error(`the stack file after the change is invalid: ${change.problems.join("; ")}`);
    return change.text;
  }

  async prepareDatabase(shape: DeploymentShape): Promise<PreparedDatabase> {
    if (this.next) throw new Error("a new deployment is already being prepared");
    fs.writeFileSync(this.stackPath, this.nextStackText(shape));
    if (shape.edition === "datacenter") {
      if (!this.shared) throw new Error(`${this.stack} moves to Datacenter: the target was started without the shared-server stack file`);
      await this.retireTenantSchema();
      if (!this.shared.endpoints[this.stack]) await this.shared.updateStack(this.stackPath, { startRoles: [] });
      this.next = { shape, handle: this.shared, onShared: true };
      await this.shared.startStack(this.stack, ["sql-job"]); // the tenant's schema and user, as the stack's SQL job makes them
    } else {
      this.next = { shape, handle: await this.startOwn([...DATABASE_ROLES]), onShared: false };
    }
    const db = this.databases(this.next);
    const where = this.next.onShared ? `schema ${db.nodes[0].database} on ${this.shared!.name}` : `sandbox ${this.next.handle.name}`;
    return {
      database: db.nodes[0],
      databaseNodes: db.nodes,
      galera: db.galera,
      reused: false,
      description: `${where} (${db.nodes.map((n) => `${n.host}:${n.port}`).join(", ")})`,
    };
  }

  /** A schema left on the shared server by an earlier Datacenter deployment is kept under another name. */
  private async retireTenantSchema(): Promise<void> {
    const dbProcess = this.shared!.endpoints[this.sharedStackName()]?.databases[0]?.process;
    const schema = this.shared!.credentials[this.stack]?.database?.name;
    if (!dbProcess || !schema) return;
    if (!this.shared!.sqlAsRoot(dbProcess, `SHOW DATABASES LIKE '${schema.replace(/_/g, "\\_")}'`).trim()) return;
    const keep = `${schema}_retired_${++this.generation}`;
    const tables = this.shared!.sqlAsRoot(dbProcess, `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${schema}'`)
      .split("\n")
      .filter(Boolean);
    this.shared!.sqlAsRoot(
      dbProcess,
      [
        `CREATE DATABASE \`${keep}\``,
        ...(tables.length ? [`RENAME TABLE ${tables.map((t) => `\`${schema}\`.\`${t}\` TO \`${keep}\`.\`${t}\``).join(", ")}`] : []),
        `DROP DATABASE \`${schema}\``,
      ].join("; "),
    );
    const retained = this.readRetained();
    for (const r of retained)
      if (r.kind === "schema" && r.schema === schema) Object.assign(r, { schema: keep, label: `schema ${keep} on ${this.shared!.name}` });
    this.writeRetained(retained);
  }

  private sharedStackName(): string {
    return Object.entries(this.shared!.endpoints).find(([, e]) => e.role === "shared-server")![0];
  }

  async startLines(): Promise<LineEndpoint[]> {
    if (!this.next) throw new Error("prepareDatabase first");
    await this.next.handle.startStack(this.stack, this.next.onShared ? ["license-central"] : [...ROLES_AFTER_DATABASE]);
    return this.lines(this.next);
  }

  async switchTraffic(lines: LineEndpoint[]): Promise<void> {
    if (!this.next) throw new Error("nothing prepared to switch to");
    const gw = this.gateway(this.next);
    const servers = (this.next.handle.endpoints[this.stack]?.lines ?? []).filter((l) => lines.some((x) => x.name === l.process)).map((l) => l.haproxyServer!);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await this.next.handle.serverStates(gw.process);
      if (servers.every((s) => states[s] === "UP")) break;
      if (Date.now() > deadline) throw new Error(`${gw.process}: ${servers.filter((s) => states[s] !== "UP").join(", ")} not UP after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.entry.pointTo(gw);
    this.opts.log?.(`${this.entry.url} now passes through to ${gw.process} (${gw.address}:${gw.port})`);
  }

  async retireOld(): Promise<{ retained: string[] }> {
    if (!this.next) throw new Error("nothing to retire for");
    const old = this.current_;
    this.current_ = this.next;
    this.next = undefined;
    this.stackText = fs.readFileSync(this.stackPath, "utf8");
    let kept: Retained;
    if (old.onShared) {
      await old.handle.stopStack(this.stack); // the tenant's line; its schema stays on the shared server
      const schema = old.handle.credentials[this.stack]!.database!.name;
      kept = { kind: "schema", schema, label: `schema ${schema} on ${old.handle.name}` };
    } else {
      await old.handle.stop(); // its directory holds the database's data
      kept = { kind: "sandbox", dir: old.handle.dir, label: `sandbox ${old.handle.name} (${old.handle.dir})` };
    }
    this.writeRetained([...this.readRetained(), kept]);
    return { retained: [kept.label] };
  }

  async abandonNew(): Promise<void> {
    const n = this.next;
    this.next = undefined;
    fs.writeFileSync(this.stackPath, this.stackText);
    if (!n) return;
    if (n.onShared) {
      await n.handle.stopStack(this.stack);
      const dbProcess = n.handle.endpoints[this.sharedStackName()].databases[0].process;
      n.handle.sqlAsRoot(dbProcess, `DROP DATABASE IF EXISTS \`${n.handle.credentials[this.stack]!.database!.name}\``); // the half-filled copy
    } else {
      await n.handle.stop();
      fs.rmSync(n.handle.dir, { recursive: true, force: true });
    }
  }

  async scaleLines(lines: number, log: (s: string) => void): Promise<void> {
    const d = this.current_;
    if (d.shape.edition !== "high-availability" || d.onShared) throw new Error("only High Availability has more than one line");
    const text = this.nextStackText({ edition: "high-availability", lines });
    fs.writeFileSync(this.stackPath, text);
    const r = await d.handle.updateStack(this.stackPath);
    for (const a of r.added.filter((n) => d.handle.process(n).role === "license-central"))
      log(`${a} started and added to ${r.reloaded.join(", ")} (graceful reload)`);
    const removedLines = r.removed.filter((n) => /line/.test(n));
    if (r.removed.length) log(`${removedLines.join(", ")} drained on the gateway, removed by a graceful reload; stopped ${r.removed.join(", ")}`);
    this.stackText = text;
    d.shape = { ...d.shape, lines };
  }

  private readRetained(): Retained[] {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.opts.workDir, RETAINED_FILE), "utf8"));
    } catch {
      return [];
    }
  }

  private writeRetained(r: Retained[]): void {
    fs.writeFileSync(path.join(this.opts.workDir, RETAINED_FILE), JSON.stringify(r, null, 2));
  }

  /** What is kept from former deployments. */
  retainedData(): string[] {
    return this.readRetained().map((r) => r.label);
  }

  async cleanup(): Promise<string[]> {
    const removed = await removeRetained(this.opts.workDir, (schema) => {
      if (!this.shared) return false;
      this.shared.sqlAsRoot(this.shared.endpoints[this.sharedStackName()].databases[0].process, `DROP DATABASE IF EXISTS \`${schema}\``);
      return true;
    });
    return removed;
  }

  /** The target's processes belong to the process that started it: close() stops them (stop()). */
  close(): Promise<void> {
    return this.stop();
  }

  /** Stops every process of every sandbox and the entry, by PID; the directories stay. */
  async stop(): Promise<void> {
    await this.next?.handle.stop();
    if (this.current_ && !this.current_.onShared) await this.current_.handle.stop();
    await this.shared?.stop();
    await this.entry.stop();
  }
}

/**
 * Removes what `<workDir>/retained.json` lists: sandbox directories, and schemas through `dropSchema`
 * (false when the shared server does not run: the schema then goes with that sandbox's directory).
 */
export async function removeRetained(workDir: string, dropSchema: (schema: string) => boolean = () => false): Promise<string[]> {
  const file = path.join(workDir, RETAINED_FILE);
  let retained: Retained[] = [];
  try {
    retained = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const r of retained) {
    if (r.kind === "sandbox") fs.rmSync(r.dir, { recursive: true, force: true });
    else if (!dropSchema(r.schema)) continue;
    removed.push(r.label);
  }
  fs.writeFileSync(
    file,
    JSON.stringify(
      retained.filter((r) => !removed.includes(r.label)),
      null,
      2,
    ),
  );
  return removed;
}
