/**
 * A deployment target made of local processes on loopback, to prove the migration engine against real
 * servers until the sandbox (`lchost sandbox`) offers the same through `startSandbox`: MariaDB servers
 * (`mariadbd`, a single server or a 3-node Galera cluster with the repo's rendered my.cnf), a schema on a
 * shared MariaDB for Datacenter, License Central lines and FSB emulators in this process, and the
 * customer's entry point as a real HAProxy running the repo's rendered haproxy.cfg (TLS, health checks,
 * admin socket), reloaded gracefully with -sf. Every process is stopped by its PID; the data of former
 * deployments stays on disk (or as a renamed schema) until `cleanup()`.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { DEFAULT_HEALTH, renderHaproxyConfig } from "../components/render/haproxyConfig";
import { renderGaleraNodeConfig } from "../components/render/mariadbConfig";
import { schemaOwnerSql } from "../components/render/databaseSql";
import { editionFacts, monthlyQuotas } from "../editions/catalog";
import { buildFsbApp, FsbApp } from "../fsb-emulator/src/app";
import { parseFsbConfig } from "../fsb-emulator/src/config";
import { createLogger as createFsbLogger } from "../fsb-emulator/src/logger";
import { buildLcApps, LcApps } from "../license-central/src/app";
import { parseLcConfig } from "../license-central/src/config";
import { createLogger as createLcLogger } from "../license-central/src/logger";
import { customerNames, tenantDatabaseName } from "../model/naming";
import { findMariadbBinary, freePort, startMariadb, startThrowawayMariadb, stopMariadbPid } from "../sandbox/mariadbProcess";
import type { DbConnection } from "./databaseCopy";
import type { DeploymentTarget, DeploymentView, LineEndpoint, PreparedDatabase } from "./deploymentTarget";
import { databaseKind, DatabaseKind, DeploymentShape } from "./migrationPlan";
import { waitUntilReady } from "./maintenanceClient";

export interface SharedServerEndpoints {
  /** Root (or the provisioning account) on the shared MariaDB of Datacenter tenants. */
  db: { host: string; port: number; user: string; password: string };
  /** The shared FSB and this customer's token there (its firm code is the customer name). */
  fsbUrl: string;
  fsbToken: string;
}

export interface LocalTargetOptions {
  customer: string;
  baseDir: string;
  shared: SharedServerEndpoints;
  initial: DeploymentShape;
  maintenancePollMs?: number;
  /** FSB emulators' sign latency (a dedicated box). */
  signLatencyMs?: number;
}

interface DbDeployment {
  kind: DatabaseKind;
  /** License Central's own account, per node. */
  appNodes: DbConnection[];
  /** Root on the schema, per node (dump, restore, verification). */
  rootNodes: DbConnection[];
  pids: number[];
  dirs: string[];
  description: string;
  /** What to keep and name when this database is retired. */
  retainAs: Retained;
}

type Retained = { kind: "datadir"; path: string; label: string } | { kind: "schema"; name: string; label: string };

interface LineRuntime {
  endpoint: LineEndpoint;
  lc: LcApps;
  fsb?: FsbApp;
}

interface Generation {
  shape: DeploymentShape;
  db: DbDeployment;
  lines: LineRuntime[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rootQuery(conn: Omit<DbConnection, "database"> & { database?: string }, sql: string, params: unknown[] = []): Promise<any> {
  const c = await mysql.createConnection({ host: conn.host, port: conn.port, user: conn.user, password: conn.password, database: conn.database, multipleStatements: true, connectTimeout: 5000 });
  try {
    const [rows] = await c.query(sql, params);
    return rows;
  } finally {
    await c.end();
  }
}

/** Sends one command to HAProxy's admin socket and returns the answer. */
export function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let out = "";
    sock.on("connect", () => sock.write(`${command}\n`));
    sock.on("data", (d) => (out += d.toString()));
    sock.on("end", () => resolve(out));
    sock.on("error", reject);
    sock.setTimeout(5000, () => sock.destroy(new Error(`haproxy admin socket: no answer to '${command}'`)));
  });
}

export class LocalProcessTarget implements DeploymentTarget {
  readonly name = "local processes";
  private current_?: Generation;
  private next?: Generation;
  private generation = 0;
  private readonly retained: Retained[] = [];
  private haproxy: { pid: number; child: ChildProcess; config: string }[] = [];
  readonly entryPort: number;
  readonly entryCaPem: string;
  private readonly certPath: string;
  private readonly socketPath: string;
  readonly adminToken = `admin-${crypto.randomBytes(8).toString("hex")}`;
  readonly wsToken = `ws-${crypto.randomBytes(8).toString("hex")}`;
  private readonly fsbToken = `fsb-${crypto.randomBytes(8).toString("hex")}`;
  private readonly dbPassword = crypto.randomBytes(12).toString("hex");

  private constructor(
    private readonly opts: LocalTargetOptions,
    entryPort: number,
  ) {
    this.entryPort = entryPort;
    fs.mkdirSync(opts.baseDir, { recursive: true });
    this.certPath = path.join(opts.baseDir, "entry.pem");
    this.socketPath = path.join(opts.baseDir, "entry.sock");
    const key = path.join(opts.baseDir, "entry.key");
    const crt = path.join(opts.baseDir, "entry.crt");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    this.entryCaPem = fs.readFileSync(crt, "utf8");
    fs.writeFileSync(this.certPath, this.entryCaPem + fs.readFileSync(key, "utf8"));
  }

  /** Deploys the initial edition (same code path as a migration's new side) and returns the target. */
  static async create(opts: LocalTargetOptions): Promise<LocalProcessTarget> {
    const t = new LocalProcessTarget(opts, await freePort());
    const db = await t.prepareDatabase(opts.initial);
    const lines = await t.startLines(opts.initial, db);
    await waitUntilReady(lines);
    await t.switchTraffic(lines);
    await t.retireOld();
    return t;
  }

  get entryUrl(): string {
    return `https://127.0.0.1:${this.entryPort}`;
  }

  /** PIDs of every process this target runs (MariaDB, HAProxy), by role; for tests that kill one. */
  processes(): Array<{ name: string; pid: number }> {
    const out: Array<{ name: string; pid: number }> = [];
    for (const [label, g] of [["current", this.current_], ["new", this.next]] as const) g?.db.pids.forEach((pid, i) => out.push({ name: `${label}-db-${i + 1}`, pid }));
    for (const h of this.haproxy) out.push({ name: "entry-haproxy", pid: h.pid });
    return out;
  }

  async current(): Promise<DeploymentView> {
    const g = this.requireCurrent();
    return this.view(g);
  }

  private requireCurrent(): Generation {
    if (!this.current_) throw new Error("no deployment is running");
    return this.current_;
  }

  private view(g: Generation): DeploymentView {
    return {
      shape: g.shape,
      entryUrl: this.entryUrl,
      lines: g.lines.map((l) => l.endpoint),
      database: g.db.rootNodes[0],
      databaseNodes: g.db.rootNodes,
      galera: g.db.kind === "cluster",
      adminToken: this.adminToken,
    };
  }

  async prepareDatabase(shape: DeploymentShape): Promise<PreparedDatabase> {
    const kind = databaseKind(shape.edition);
    const gen = ++this.generation;
    let db: DbDeployment;
    if (this.current_ && this.current_.db.kind === kind) {
      db = this.current_.db; // Dedicated <-> High Performance: the same server keeps serving
      this.next = { shape, db, lines: [] };
      return { database: db.rootNodes[0], databaseNodes: db.rootNodes, galera: kind === "cluster", reused: true, description: `reusing ${db.description}` };
    }
    if (kind === "shared-tenant") db = await this.prepareTenantSchema(gen);
    else if (kind === "single") db = await this.startSingleServer(gen);
    else db = await this.startGaleraCluster(gen);
    this.next = { shape, db, lines: [] };
    return { database: db.rootNodes[0], databaseNodes: db.rootNodes, galera: kind === "cluster", reused: false, description: db.description };
  }

  private async prepareTenantSchema(gen: number): Promise<DbDeployment> {
    const s = this.opts.shared.db;
    const schema = tenantDatabaseName(this.opts.customer);
    const exists = (await rootQuery(s, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [schema])).length > 0;
    if (exists) {
      // data of an earlier Datacenter deployment: kept under another name until cleanup, never dropped here
      const keep = `${schema}_retired_${gen}`;
      const tables = (await rootQuery(s, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [schema])) as Array<{ t: string }>;
      await rootQuery(s, `CREATE DATABASE \`${keep}\``);
      if (tables.length) await rootQuery(s, `RENAME TABLE ${tables.map(({ t }) => `\`${schema}\`.\`${t}\` TO \`${keep}\`.\`${t}\``).join(", ")}`);
      await rootQuery(s, `DROP DATABASE \`${schema}\``); // empty now
      for (const r of this.retained) if (r.kind === "schema" && r.name === schema) Object.assign(r, { name: keep, label: `schema ${keep} on the shared server` });
    }
    await rootQuery(s, schemaOwnerSql({ schema, user: schema, password: this.dbPassword }));
    const app = { host: s.host, port: s.port, user: schema, password: this.dbPassword, database: schema };
    return {
      kind: "shared-tenant",
      appNodes: [app],
      rootNodes: [{ ...s, database: schema }],
      pids: [],
      dirs: [],
      description: `schema ${schema} on the shared MariaDB (127.0.0.1:${s.port})`,
      retainAs: { kind: "schema", name: schema, label: `schema ${schema} on the shared server` },
    };
  }

  private async ownSchema(root: DbConnection[]): Promise<DbConnection[]> {
    const n = customerNames(this.opts.customer);
    await rootQuery({ ...root[0], database: undefined }, schemaOwnerSql({ schema: n.schema, user: n.dbUser, password: this.dbPassword }));
    return root.map((r) => ({ ...r, user: n.dbUser, password: this.dbPassword, database: n.schema }));
  }

  private async startSingleServer(gen: number): Promise<DbDeployment> {
    const dir = path.join(this.opts.baseDir, `db-${gen}`);
    const m = await startThrowawayMariadb({ baseDir: dir });
    const root = [{ host: m.host, port: m.port, user: m.user, password: m.password, database: customerNames(this.opts.customer).schema }];
    let appNodes: DbConnection[];
    try {
      appNodes = await this.ownSchema(root);
    } catch (e) {
      await stopMariadbPid(m.pid, 5000);
      throw e;
    }
    return {
      kind: "single",
      appNodes,
      rootNodes: root,
      pids: [m.pid],
      dirs: [dir],
      description: `own MariaDB server 127.0.0.1:${m.port} (datadir ${dir}/data)`,
      retainAs: { kind: "datadir", path: dir, label: `datadir ${dir}` },
    };
  }

  private async startGaleraCluster(gen: number): Promise<DbDeployment> {
    const dir = path.join(this.opts.baseDir, `galera-${gen}`);
    const ports = [];
    for (let i = 0; i < 3; i++) ports.push({ port: await freePort(), gcomm: await freePort(), ist: await freePort(), sst: await freePort() });
    const cluster = ports.map((p) => `127.0.0.1:${p.gcomm}`);
    const runAsRoot = process.getuid?.() === 0;
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      const nd = path.join(dir, `node${i + 1}`);
      fs.mkdirSync(path.join(nd, "data"), { recursive: true });
      const cnf = renderGaleraNodeConfig({
        port: ports[i].port,
        bindAddress: "127.0.0.1",
        datadir: path.join(nd, "data"),
        socket: path.join(nd, "mysqld.sock"),
        pidFile: path.join(nd, "mysqld.pid"),
        serverId: i + 1,
        innodbBufferPoolMb: 64,
        clusterName: `lc-${this.opts.customer}-${gen}`,
        nodeName: `node${i + 1}`,
        nodeAddress: "127.0.0.1",
        clusterAddresses: cluster,
        gcommPort: ports[i].gcomm,
        istPort: ports[i].ist,
        sstPort: ports[i].sst,
        listenAddress: "127.0.0.1",
      });
      fs.writeFileSync(path.join(nd, "my.cnf"), cnf + (runAsRoot ? "user = mysql\n" : "") + "innodb_log_file_size = 48M\n");
      files.push(path.join(nd, "my.cnf"));
    }
    if (runAsRoot) {
      // rsync SST runs its daemon unprivileged: as root, the nodes run as mysql (as in the containers) and own their folders
      for (let d = dir; d !== path.dirname(d) && d.startsWith(os.tmpdir()) && d !== os.tmpdir(); d = path.dirname(d)) fs.chmodSync(d, 0o755);
      spawnSync("chown", ["-R", "mysql:mysql", dir]);
    }
    const install = spawnSync(
      findMariadbBinary("mariadb-install-db"),
      [`--defaults-file=${files[0]}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...(runAsRoot ? ["--user=mysql"] : [])],
      { encoding: "utf8" },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
    const pids: number[] = [];
    try {
      const first = await startMariadb({ defaultsFile: files[0], extraArgs: ["--wsrep-new-cluster"] });
      pids.push(first.pid);
      const others = await Promise.all(files.slice(1).map((f) => startMariadb({ defaultsFile: f, readyTimeoutMs: 90_000 })));
      pids.push(...others.map((o) => o.pid));
      const root = ports.map((p) => ({ host: "127.0.0.1", port: p.port, user: "root", password: "", database: customerNames(this.opts.customer).schema }));
      const deadline = Date.now() + 60_000;
      for (;;) {
        const states = await Promise.all(root.map((r) => rootQuery({ ...r, database: undefined }, "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_local_state_comment')").catch(() => [])));
        const synced = states.every((s: any[]) => s.some((v) => v.Variable_name === "wsrep_cluster_size" && v.Value === "3") && s.some((v) => v.Value === "Synced"));
        if (synced) break;
        if (Date.now() > deadline) throw new Error(`Galera cluster in ${dir} not synced with 3 nodes after 60 s`);
        await sleep(250);
      }
      return {
        kind: "cluster",
        appNodes: await this.ownSchema(root),
        rootNodes: root,
        pids,
        dirs: [dir],
        description: `3-node Galera cluster 127.0.0.1:${ports.map((p) => p.port).join(",")} (datadirs under ${dir})`,
        retainAs: { kind: "datadir", path: dir, label: `Galera datadirs ${dir}` },
      };
    } catch (e) {
      for (const pid of pids) await stopMariadbPid(pid, 5000);
      throw e;
    }
  }

  private async startLine(shape: DeploymentShape, db: DbDeployment, index: number): Promise<LineRuntime> {
    const facts = editionFacts(shape.edition);
    const name = `line-${this.generation}-${index}`;
    const logDir = path.join(this.opts.baseDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    let fsb: FsbApp | undefined;
    let fsbUrl = this.opts.shared.fsbUrl;
    let fsbToken = this.opts.shared.fsbToken;
    if (facts.includes.dedicatedFsb) {
      const dataDir = path.join(this.opts.baseDir, `fsb-${name}`);
      fsb = buildFsbApp(
        parseFsbConfig({ FSB_DATA_DIR: dataDir, FSB_FIRM_TOKENS: `${this.opts.customer}=${this.fsbToken}`, FSB_SIGN_LATENCY_MS: String(this.opts.signLatencyMs ?? 0), LOG_LEVEL: "warn" }),
        { logger: createFsbLogger("warn", fs.createWriteStream(path.join(logDir, `fsb-${name}.log`))) },
      );
      await fsb.app.listen({ port: 0, host: "127.0.0.1" });
      fsbUrl = `http://127.0.0.1:${(fsb.app.server.address() as net.AddressInfo).port}`;
      fsbToken = this.fsbToken;
    }
    const node = db.appNodes[(index - 1) % db.appNodes.length]; // HA: each line on another cluster node
    const quotas = monthlyQuotas(shape.edition, shape.lines);
    const config = parseLcConfig({
      LC_PORT: "0",
      LC_ADMIN_PORT: "0",
      LC_HOST: "127.0.0.1",
      LC_ADMIN_TOKEN: this.adminToken,
      LC_EDITION: shape.edition,
      LC_WEB_SERVICES: String(facts.includes.webServices),
      ...(facts.includes.webServices ? { LC_WS_TOKEN: this.wsToken } : {}),
      LC_QUOTA_ACTIVATIONS_PER_MONTH: String(quotas.activationsPerMonth),
      LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH: String(quotas.webServiceCallsPerMonth),
      QUOTA_MODE: "soft",
      DB_HOST: node.host,
      DB_PORT: String(node.port),
      DB_NAME: node.database,
      DB_USER: node.user,
      DB_PASSWORD: node.password,
      FSB_URL: fsbUrl,
      FSB_FIRM_CODE: this.opts.customer,
      FSB_TOKEN: fsbToken,
      LOG_LEVEL: "warn",
    });
    const lc = buildLcApps(config, { logger: createLcLogger("warn", fs.createWriteStream(path.join(logDir, `${name}.log`))), maintenancePollMs: this.opts.maintenancePollMs });
    await lc.migrate();
    await lc.publicApp.listen({ port: 0, host: "127.0.0.1" });
    await lc.adminApp.listen({ port: 0, host: "127.0.0.1" });
    const p = (lc.publicApp.server.address() as net.AddressInfo).port;
    const a = (lc.adminApp.server.address() as net.AddressInfo).port;
    return { endpoint: { name, publicUrl: `http://127.0.0.1:${p}`, adminUrl: `http://127.0.0.1:${a}` }, lc, fsb };
  }

  async startLines(shape: DeploymentShape, _db: PreparedDatabase): Promise<LineEndpoint[]> {
    if (!this.next) throw new Error("prepareDatabase first");
    for (let i = 1; i <= shape.lines; i++) this.next.lines.push(await this.startLine(shape, this.next.db, i));
    return this.next.lines.map((l) => l.endpoint);
  }

  private async stopLine(l: LineRuntime): Promise<void> {
    await l.lc.close();
    if (l.fsb) await l.fsb.app.close();
  }

  /** Writes haproxy.cfg for these lines and starts HAProxy; a running one hands over gracefully (-sf). */
  private async reloadEntry(lines: LineEndpoint[], edition: DeploymentShape["edition"]): Promise<void> {
    const cfgText = renderHaproxyConfig({
      bind: { address: "127.0.0.1", port: this.entryPort },
      certificatePath: this.certPath,
      webServices: editionFacts(edition).includes.webServices,
      webServiceToken: editionFacts(edition).includes.webServices ? this.wsToken : undefined,
      backends: [{ name: "lines", servers: lines.map((l) => ({ name: l.name, address: "127.0.0.1", port: Number(new URL(l.publicUrl).port) })) }],
      health: DEFAULT_HEALTH,
      adminSocketPath: this.socketPath,
    });
    const cfg = path.join(this.opts.baseDir, `entry-${Date.now()}.cfg`);
    fs.writeFileSync(cfg, cfgText);
    const check = spawnSync("haproxy", ["-c", "-q", "-f", cfg], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`haproxy -c ${cfg}: ${check.stderr || check.stdout}`);
    const old = this.haproxy.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
    const log = fs.openSync(path.join(this.opts.baseDir, "entry-haproxy.log"), "a");
    const child = spawn("haproxy", ["-db", "-f", cfg, ...(old.length ? ["-sf", ...old.map((h) => String(h.pid))] : [])], { stdio: ["ignore", log, log], detached: true });
    fs.closeSync(log);
    child.unref();
    if (!child.pid) throw new Error("haproxy did not start");
    this.haproxy.push({ pid: child.pid, child, config: cfg });
    // ready when the admin socket answers from the new process and every server is UP
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}); see ${this.opts.baseDir}/entry-haproxy.log`);
      const info = await haproxyCommand(this.socketPath, "show info").catch(() => "");
      if (new RegExp(`^Pid: ${child.pid}$`, "m").test(info)) {
        const stat = await haproxyCommand(this.socketPath, "show stat").catch(() => "");
        const rows = stat.split("\n").filter((r) => r.startsWith("lines,") && !/,(BACKEND|FRONTEND),/.test(r));
        if (rows.length === lines.length && rows.every((r) => r.split(",")[17] === "UP")) return;
      }
      if (Date.now() > deadline) throw new Error("the entry HAProxy did not report every line UP within 15 s");
      await sleep(50);
    }
  }

  async switchTraffic(lines: LineEndpoint[]): Promise<void> {
    if (!this.next) throw new Error("nothing prepared to switch to");
    await this.reloadEntry(lines, this.next.shape.edition);
  }

  async retireOld(): Promise<{ retained: string[] }> {
    if (!this.next) throw new Error("nothing to retire for");
    const old = this.current_;
    this.current_ = this.next;
    this.next = undefined;
    const retained: string[] = [];
    if (old) {
      for (const l of old.lines) await this.stopLine(l);
      if (old.db !== this.current_.db) {
        for (const pid of old.db.pids) await stopMariadbPid(pid); // clean shutdown; the data stays on disk
        this.retained.push(old.db.retainAs);
        retained.push(old.db.retainAs.label);
      }
    }
    return { retained };
  }

  async abandonNew(): Promise<void> {
    const g = this.next;
    this.next = undefined;
    if (!g) return;
    for (const l of g.lines) await this.stopLine(l).catch(() => undefined);
    if (this.current_ && g.db === this.current_.db) return;
    // the new database never became the customer's: stop it and remove the half-filled copy
    for (const pid of g.db.pids) await stopMariadbPid(pid, 5000);
    for (const d of g.db.dirs) fs.rmSync(d, { recursive: true, force: true });
    if (g.db.kind === "shared-tenant") await rootQuery(this.opts.shared.db, `DROP DATABASE IF EXISTS \`${g.db.rootNodes[0].database}\``);
  }

  async scaleLines(target: number, log: (s: string) => void): Promise<void> {
    const g = this.requireCurrent();
    if (g.shape.edition !== "high-availability") throw new Error("only High Availability has more than one line");
    while (g.lines.length < target) {
      const line = await this.startLine({ ...g.shape, lines: target }, g.db, g.lines.length + 1);
      await waitUntilReady([line.endpoint]);
      g.lines.push(line);
      await this.reloadEntry(g.lines.map((l) => l.endpoint), g.shape.edition);
      log(`${line.endpoint.name} started and added to HAProxy (graceful reload)`);
    }
    while (g.lines.length > target) {
      const line = g.lines[g.lines.length - 1];
      const name = line.endpoint.name;
      const answer = await haproxyCommand(this.socketPath, `set server lines/${name} state drain`);
      if (answer.trim()) throw new Error(`haproxy: set server lines/${name} state drain: ${answer.trim()}`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const stat = await haproxyCommand(this.socketPath, "show stat");
        const row = stat.split("\n").find((r) => r.startsWith(`lines,${name},`));
        const cur = row ? Number(row.split(",")[4]) : 0;
        const m = await fetch(`${line.endpoint.adminUrl}/admin/v1/maintenance`, { headers: { authorization: `Bearer ${this.adminToken}` } }).then((r) => r.json() as Promise<any>);
        if (cur === 0 && m.line.inFlightRequests === 0) break;
        if (Date.now() > deadline) throw new Error(`${name} still has ${cur} connection(s) after 30 s of draining`);
        await sleep(50);
      }
      g.lines.pop();
      await this.reloadEntry(g.lines.map((l) => l.endpoint), g.shape.edition);
      await this.stopLine(line);
      log(`${name} drained, removed from HAProxy and stopped`);
    }
    g.shape = { ...g.shape, lines: target };
  }

  async cleanup(): Promise<string[]> {
    const removed: string[] = [];
    for (const r of this.retained.splice(0)) {
      if (r.kind === "datadir") fs.rmSync(r.path, { recursive: true, force: true });
      else await rootQuery(this.opts.shared.db, `DROP DATABASE IF EXISTS \`${r.name}\``);
      removed.push(r.label);
    }
    return removed;
  }

  /** What is kept from former deployments. */
  retainedData(): string[] {
    return this.retained.map((r) => r.label);
  }

  /** Stops everything this target started (by PID); data directories stay for inspection unless removed by the caller. */
  async stop(): Promise<void> {
    for (const g of [this.next, this.current_]) {
      if (!g) continue;
      for (const l of g.lines) await this.stopLine(l).catch(() => undefined);
      for (const pid of g.db.pids) await stopMariadbPid(pid, 10_000);
    }
    for (const h of this.haproxy) {
      if (h.child.exitCode === null && h.child.signalCode === null) {
        try {
          process.kill(h.pid, "SIGTERM");
        } catch {
          /* gone */
        }
      }
    }
    const deadline = Date.now() + 5000;
    while (this.haproxy.some((h) => h.child.exitCode === null && h.child.signalCode === null) && Date.now() < deadline) await sleep(50);
    for (const h of this.haproxy) if (h.child.exitCode === null && h.child.signalCode === null) process.kill(h.pid, "SIGKILL");
  }
}
