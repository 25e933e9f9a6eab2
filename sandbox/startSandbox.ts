/**
 * `startSandbox(...)`: runs a stack's topology on this machine as local processes, from exactly the
 * files and settings its components render (see containerTranslation.ts for what is rewritten), and
 * returns a handle to inspect, break and stop it. Used by `lchost sandbox`, the e2e tests and the bench.
 */
import { execFileSync, spawnSync } from "child_process";
import { haproxyAdminCommand } from "../haproxy/adminSocket";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { packageRoot } from "../model/packageRoot";
import { loadStack, loadStackFile, StackFile, stackNameOfReference } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { sha512Crypt } from "../components/render/sha512Crypt";
import { probeMariadb } from "./mariadbProcess";
import { ContainerRole, SandboxProcessSpec } from "./containerTranslation";
import { freshSecrets, randomAlphanumeric } from "./placeholderSecrets";
import { checkPrerequisites, prerequisitesFor } from "./prerequisites";
import { haproxyServers } from "../haproxy/parseConfig";
import { parseShowStat, sessionCounts } from "../haproxy/showStat";
import { killGroup, killLeftovers, LocalProcess, PidRecord } from "./processSupervisor";
import { CertificateFiles, issueCertificate, makeCertificateAuthority, makeRevocationList, makeSandboxCertificates } from "./sandboxCertificates";
import { extendAddresses } from "./sandboxAddresses";
import { LC_ENV } from "../license-central/src/env";
import {
  buildSandboxLayout,
  LayoutOptions,
  PlannedStack,
  sandboxAddresses,
  sandboxContainers,
  SandboxLayout,
  SandboxSecrets,
  SandboxTls,
  StackCredentials,
  StackEndpoints,
} from "./sandboxLayout";

export interface SandboxOptions {
  /** Stack names (files in `stacksDir`) or, with `stackFiles`, paths of stack files. The first is the main one. */
  stacks?: string[];
  stackFiles?: string[];
  /** Datacenter tenants of a shared-server stack to run with it (their stack files sit beside it). */
  tenants?: string[];
  stacksDir?: string;
  /** Names the sandbox's directory and address block; default: the stacks' names joined by '+'. */
  name?: string;
  /** Default `<repo>/.sandbox/<name>`; wiped at start. */
  dir?: string;
  /** Also bind every entry point's TLS frontend on these addresses (e.g. a veth end of a test namespace). */
  extraBindAddresses?: string[];
  /** Add 127.0.0.0/8 to every web-service allow list, so this machine may call them. */
  allowLoopback?: boolean;
  /** LOG_LEVEL of the two services (default: theirs). */
  serviceLogLevel?: string;
  readyTimeoutMs?: number;
  /** Delete the sandbox directory after stop() (tests). */
  removeOnStop?: boolean;
  /**
   * Start only the processes of these roles now (default: all); `startStack` starts the others later.
   * A migration starts a new edition's database first and its lines only after the data is in.
   */
  startRoles?: ContainerRole[];
  /**
   * A directory holding (or receiving) the CA and client certificate to use instead of throw-away ones,
   * so several sandboxes of one customer (one per edition) are trusted by the same clients. The server
   * certificate is still issued per sandbox, for its names plus `extraDnsNames`.
   */
  certificateAuthorityDir?: string;
  extraDnsNames?: string[];
  /** Per stack: License Central's admin token instead of a fresh one (kept across a customer's sandboxes). */
  adminTokens?: Record<string, string>;
  log?: (line: string) => void;
}

export interface SandboxProcessInfo {
  name: string;
  stack: string;
  role: SandboxProcessSpec["role"];
  address: string;
  ports: number[];
  pid: number | undefined;
  running: boolean;
  logFile: string;
}

export interface SandboxHandle {
  name: string;
  dir: string;
  /** `<dir>/sandbox.json` (mode 0600): endpoints and credentials. */
  endpointsFile: string;
  endpoints: Record<string, StackEndpoints>;
  credentials: Record<string, StackCredentials>;
  tls: SandboxLayout["tls"];
  notes: string[];
  processes(): SandboxProcessInfo[];
  process(name: string): SandboxProcessInfo;
  /** Sends a signal to one process (default SIGKILL). */
  kill(name: string, signal?: NodeJS.Signals): void;
  /** Stops the process if it still runs, starts it again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /**
   * Starts the processes of one stack (default roles: all) that do not run, in dependency order, and
   * waits until each is ready; one-shot jobs run again. Returns the names started.
   */
  startStack(stack: string, roles?: ContainerRole[]): Promise<string[]>;
  /** Stops the running processes of one stack (entry points first, databases last); their files stay. */
  stopStack(stack: string): Promise<string[]>;
  /**
   * Brings a running sandbox to a changed (or added) stack file: plans it again, keeps the addresses and
   * secrets of what exists, starts what is new (only roles in `startRoles`, default all), drains servers
   * that go away on the entry points, reloads every entry point whose haproxy.cfg changed gracefully
   * (`-sf`: requests in flight finish on the old process) and stops what is gone.
   */
  updateStack(stackFile: string, opts?: { startRoles?: ContainerRole[]; drainTimeoutMs?: number }): Promise<{ added: string[]; removed: string[]; reloaded: string[] }>;
  waitReady(name: string, timeoutMs?: number): Promise<void>;
  /** Runs SQL as the database's root (unix socket, as the OS root) and returns the tab-separated rows. */
  sqlAsRoot(databaseProcess: string, sql: string): string;
  /** A command on an entry point's HAProxy admin socket. */
  haproxyCommand(entryProcess: string, command: string): Promise<string>;
  /** `backend/server` -> status (UP, DOWN, MAINT, …) from `show stat`. */
  serverStates(entryProcess: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resolveStacks(opts: SandboxOptions): StackFile[] {
  const main = opts.stackFiles?.length ? opts.stackFiles.map((f) => loadStackFile(path.resolve(f))) : (opts.stacks ?? []).map((s) => loadStack(s, opts.stacksDir));
  if (main.length === 0) throw new Error("startSandbox: give at least one stack (stacks or stackFiles)");
  const out = [...main];
  for (const tenant of opts.tenants ?? []) {
    const shared = main.find((s) => s.config.role === "shared-server");
    if (!shared) throw new Error(`--tenants ${tenant}: tenants run with a shared-server stack (lchost:role: shared-server); none given`);
    const listed = shared.config.role === "shared-server" ? shared.config.tenants : [];
    if (!listed.includes(tenant)) throw new Error(`--tenants: '${tenant}' is not a tenant of '${shared.stackName}' (lchost:tenants: ${listed.join(", ") || "none"})`);
    out.push(loadStack(tenant, path.dirname(shared.path)));
  }
  return out;
}

function plannedStackOf(stack: StackFile, plan: PlannedStack["plan"]): PlannedStack {
  const cfg = stack.config;
  if (cfg.role === "shared-server") return { name: stack.stackName, role: "shared-server", plan };
  return { name: stack.stackName, role: "customer", edition: cfg.edition, sharedServer: cfg.sharedServer ? stackNameOfReference(cfg.sharedServer) : undefined, plan };
}

function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}


/** Moved to haproxy/showStat.ts; re-exported for the sandbox's importers. */
export { parseShowStat, sessionCounts };

export async function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  const log = opts.log ?? (() => undefined);
  const stacks = resolveStacks(opts);
  const name = opts.name ?? stacks.map((s) => s.stackName).join("+");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(name)) throw new Error(`sandbox name '${name}' may only hold letters, digits, '_', '.', '+', '-'`);
  const root = packageRoot();
  const dir = path.resolve(opts.dir ?? path.join(root, ".sandbox", name));
  const services = {
    fsbEmulator: path.join(root, "dist", "fsb-emulator", "src", "main.js"),
    licenseCentral: path.join(root, "dist", "license-central", "src", "main.js"),
  };
  for (const f of Object.values(services)) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: build the services first (npx tsc -p tsconfig.json, or npm run build:services)`);
  }

  // 1. Plan every stack (a tenant with its shared server's outputs) and swap placeholders for fresh secrets.
  const planner = new StackPlanner();
  const planned: PlannedStack[] = [];
  for (const s of stacks) planned.push(plannedStackOf(s, await planner.plan(s)));
  const secrets: SandboxSecrets = { substitutions: new Map(), basicAuth: new Map() };
  for (const p of planned) {
    const own = freshSecrets(p.plan);
    const shared = p.sharedServer ? secrets.substitutions.get(p.sharedServer) : undefined;
    if (p.sharedServer && !shared) {
      // the tenant's shared server is not part of this sandbox: its values stay consistent within the tenant
    }
    secrets.substitutions.set(p.name, new Map([...(shared ?? new Map()), ...own]));
    const password = randomAlphanumeric(20);
    secrets.basicAuth.set(p.name, { password, hash: sha512Crypt(password, randomAlphanumeric(16)) });
  }
  const containers = sandboxContainers(planned, secrets);
  const addresses = sandboxAddresses(name, containers);
  const all = [...containers.values()].flat();
  const roles = all.map((c) => c.labels?.find((l) => l.label === "lchost.role")?.value);
  const galera = all.some((c) => c.uploads?.some((u) => /wsrep_on\s*=\s*ON/.test(u.content)));
  const bins = checkPrerequisites(
    prerequisitesFor({ database: roles.includes("database"), galera, entryPoint: roles.includes("https-entry-point"), sqlJob: roles.includes("sql-job") }),
  );

  // 2. A fresh directory, throw-away certificates, the layout.
  const leftovers = await killLeftovers(dir);
  if (leftovers.length) log(`stopped processes a previous run of this sandbox left behind: ${leftovers.join(", ")}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711); // database nodes run as mysql and must reach their own directory
  const entryAddresses = all.filter((c) => c.labels?.some((l) => l.value === "https-entry-point")).map((c) => addresses.get(c.name)!);
  const dnsNames = [
    ...new Set(
      planned.flatMap((p) => p.plan.resources.filter((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert").flatMap((r) => (r.inputs.dnsNames as string[]) ?? [])),
    ),
  ];
  const certOpts = { dnsNames: [...new Set([...(dnsNames.length ? dnsNames : ["lchost-sandbox"]), ...(opts.extraDnsNames ?? [])])], ipAddresses: [...entryAddresses, ...(opts.extraBindAddresses ?? [])] };
  const certs = opts.certificateAuthorityDir ? certificatesFromAuthority(opts.certificateAuthorityDir, path.join(dir, "tls"), certOpts) : makeSandboxCertificates(path.join(dir, "tls"), certOpts);
  const tlsMaterial: SandboxTls = { caCertPath: certs.caCert, caCertPem: fs.readFileSync(certs.caCert, "utf8"), caCrlPem: fs.readFileSync(certs.crl, "utf8"), serverPem: fs.readFileSync(certs.serverPem, "utf8"), clientCertPath: certs.clientCert, clientKeyPath: certs.clientKey };
  const layoutOptions: LayoutOptions = {
    sandboxName: name,
    sandboxDir: dir,
    nodeBinary: process.execPath,
    services,
    haproxyBinary: bins.get("haproxy") ?? "haproxy",
    pathEnv: [process.env.PATH ?? "", "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].filter(Boolean).join(":"),
    extraBindAddresses: opts.extraBindAddresses,
    allowLoopback: opts.allowLoopback,
  };
  const layout = buildSandboxLayout(planned, containers, addresses, secrets, tlsMaterial, layoutOptions);
  const applyOverrides = (l: SandboxLayout) => {
    for (const p of l.processes) {
      if (opts.serviceLogLevel && (p.role === "fsb" || p.role === "license-central")) p.env.LOG_LEVEL = opts.serviceLogLevel;
      const token = opts.adminTokens?.[p.stack];
      if (token && p.role === "license-central") p.env[LC_ENV.adminToken] = token;
    }
    for (const [stack, token] of Object.entries(opts.adminTokens ?? {})) if (l.credentials[stack]?.adminToken) l.credentials[stack].adminToken = token;
  };
  applyOverrides(layout);
  writeFiles(layout);
  const endpointsFile = path.join(dir, "sandbox.json");
  const pids = new PidRecord(dir);
  const procs = new Map<string, LocalProcess>();
  for (const spec of layout.processes) procs.set(spec.name, new LocalProcess(spec, dir, (p) => pids.add(p)));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;

  const get = (n: string): LocalProcess => {
    const p = procs.get(n);
    if (!p) throw new Error(`no sandbox process '${n}'; processes: ${[...procs.keys()].join(", ")}`);
    return p;
  };

  const sqlAsRoot = (n: string, sql: string): string => {
    const spec = get(n).spec;
    if (!spec.socket) throw new Error(`${n} is not a database`);
    const r = spawnSync(bins.get("mariadb") ?? "mariadb", [`--socket=${spec.socket}`, "-uroot", "-N", "-B", "-e", sql], { encoding: "utf8", timeout: 30_000 });
    if (r.status !== 0) throw new Error(`SQL on ${n} failed: ${r.stderr || r.error?.message}`);
    return r.stdout;
  };

  async function waitReady(n: string, timeoutMs = readyTimeoutMs): Promise<void> {
    const p = get(n);
    const s = p.spec;
    const deadline = Date.now() + timeoutMs;
    const failed = (why: string) => new Error(`${n} (${s.role}) ${why}; log ${p.logFile}:\n${p.tail()}`);
    if (s.oneShot) {
      const e = await p.waitExit(timeoutMs);
      if (!e) throw failed(`did not finish within ${timeoutMs} ms`);
      if (e.code !== 0) throw failed(`exited with ${e.signal ?? `code ${e.code}`}`);
      return;
    }
    for (;;) {
      if (!p.running) throw failed(`exited with ${p.exit?.signal ?? `code ${p.exit?.code}`}`);
      if (await isReady(s)) return;
      if (Date.now() > deadline) throw failed(`was not ready within ${timeoutMs} ms`);
      await sleep(150);
    }
  }

  async function isReady(s: SandboxProcessSpec): Promise<boolean> {
    switch (s.role) {
      case "database": {
        if (!(await probeMariadb({ host: s.address, port: 3306 }, 500))) return false;
        if (!s.galera) return true;
        try {
          return /Synced/.test(sqlAsRoot(s.name, "SHOW STATUS LIKE 'wsrep_local_state_comment'"));
        } catch {
          return false;
        }
      }
      case "fsb":
        return (await httpStatus(`http://${s.address}:${s.ports[0]}/healthz`)) === 200;
      case "license-central":
        return (await httpStatus(`http://${s.address}:${s.ports[0]}/readyz`)) === 200;
      case "https-entry-point": {
        if (s.monitorPort && (await httpStatus(`http://${s.address}:${s.monitorPort}/haproxy-health`)) !== 200) return false;
        if (!s.adminSocket) return true;
        // ready when every server whose License Central runs is UP
        try {
          const states = parseShowStat(await haproxyAdminCommand(s.adminSocket, "show stat"));
          const lines = layout.processes.filter((x) => x.role === "license-central" && procs.get(x.name)?.running);
          const want = Object.values(layout.endpoints).flatMap((e) => e.lines).filter((l) => l.haproxyServer && lines.some((x) => x.name === l.process));
          return want.every((l) => !(l.haproxyServer! in states) || states[l.haproxyServer!] === "UP");
        } catch {
          return false;
        }
      }
      default:
        return true;
    }
  }

  /** HAProxy processes replaced by a graceful reload that may still finish their connections. */
  const retiring: LocalProcess[] = [];
  const stopAll = async () => {
    await Promise.all(retiring.map((p) => p.stop(5000)));
    const running = [...procs.values()].reverse();
    // entry points and lines first, databases last (they shut down cleanly on SIGTERM)
    for (const role of ["https-entry-point", "license-central", "fsb", "sql-job", "database"]) {
      await Promise.all(running.filter((p) => p.spec.role === role).map((p) => p.stop(role === "database" ? 30_000 : 10_000)));
    }
    pids.clear();
  };

  // 3. Start in dependency order: databases (Galera node 1 founds the cluster, the others join one by
  //    one), FSBs, SQL jobs, License Central lines, entry points.
  async function startProcesses(want: (p: SandboxProcessSpec) => boolean): Promise<string[]> {
    const started: string[] = [];
    const byRole = (role: string) => layout.processes.filter((p) => p.role === role && want(p) && !get(p.name).running);
    const dbs = byRole("database").sort((a, b) => (a.galera?.nodeIndex ?? 0) - (b.galera?.nodeIndex ?? 0));
    const founders = dbs.filter((d) => !d.galera || d.galera.nodeIndex === 1);
    for (const db of founders) get(db.name).start();
    for (const db of founders) await waitReady(db.name);
    for (const db of dbs.filter((d) => d.galera && d.galera.nodeIndex > 1)) {
      log(`joining ${db.name} to the Galera cluster`);
      get(db.name).start();
      await waitReady(db.name);
    }
    started.push(...dbs.map((d) => d.name));
    for (const role of ["fsb", "sql-job", "license-central", "https-entry-point"]) {
      const specs = byRole(role);
      for (const s of specs) get(s.name).start();
      await Promise.all(specs.map((s) => waitReady(s.name)));
      if (specs.length) log(`${role}: ${specs.map((s) => s.name).join(", ")} ready`);
      started.push(...specs.map((s) => s.name));
    }
    return started;
  }
  try {
    await startProcesses((p) => !opts.startRoles || opts.startRoles.includes(p.role));
  } catch (e) {
    await stopAll();
    throw e;
  }

  const info = (p: LocalProcess): SandboxProcessInfo => ({
    name: p.spec.name,
    stack: p.spec.stack,
    role: p.spec.role,
    address: p.spec.address,
    ports: p.spec.ports,
    pid: p.pid,
    running: p.running,
    logFile: p.logFile,
  });
  const summary = {
    sandbox: name,
    dir,
    startedAt: new Date().toISOString(),
    endpoints: layout.endpoints,
    credentials: layout.credentials,
    tls: layout.tls,
    processes: [...procs.values()].map(info),
    notes: layout.notes,
  };
  const writeSummary = () => {
    fs.writeFileSync(endpointsFile, JSON.stringify({ ...summary, endpoints: layout.endpoints, credentials: layout.credentials, processes: [...procs.values()].map(info) }, null, 2), { mode: 0o600 });
    fs.chmodSync(endpointsFile, 0o600);
  };
  writeSummary();

  async function stopStack(stack: string): Promise<string[]> {
    const mine = [...procs.values()].filter((p) => p.spec.stack === stack && p.running);
    for (const role of ["https-entry-point", "license-central", "fsb", "sql-job", "database"]) {
      await Promise.all(mine.filter((p) => p.spec.role === role).map((p) => p.stop(role === "database" ? 30_000 : 10_000)));
    }
    return mine.map((p) => p.spec.name);
  }

  /** Sets the servers to drain on an entry point and waits until none holds a connection. */
  async function drainServers(entry: SandboxProcessSpec, servers: string[], timeoutMs: number): Promise<void> {
    for (const srv of servers) {
      const answer = await haproxyAdminCommand(entry.adminSocket!, `set server ${srv} state drain`);
      if (answer.trim()) throw new Error(`${entry.name}: set server ${srv} state drain: ${answer.trim()}`);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = sessionCounts(await haproxyAdminCommand(entry.adminSocket!, "show stat"));
      const left = servers.filter((srv) => (busy[srv] ?? 0) > 0);
      if (left.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${entry.name}: ${left.join(", ")} still serve requests after ${timeoutMs} ms of draining`);
      await sleep(50);
    }
  }

  /** Starts a new HAProxy with the (already written) config, telling the old one to finish and go (-sf). */
  async function reloadEntryPoint(spec: SandboxProcessSpec): Promise<void> {
    const old = get(spec.name);
    const fresh = new LocalProcess(spec, dir, (p) => pids.add(p));
    const check = spawnSync(spec.command, ["-c", "-q", ...spec.args.filter((a) => a !== "-db")], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`${spec.name}: the new haproxy.cfg is refused: ${check.stderr || check.stdout}`);
    fresh.start(old.running ? ["-sf", String(old.pid)] : []);
    procs.set(spec.name, fresh);
    if (old.running) retiring.push(old);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!fresh.running) throw new Error(`${spec.name}: the reloaded HAProxy exited; log ${fresh.logFile}:\n${fresh.tail()}`);
      const who = await haproxyAdminCommand(spec.adminSocket!, "show info").catch(() => "");
      if (new RegExp(`^Pid: ${fresh.pid}$`, "m").test(who) && (await isReady(spec))) break;
      if (Date.now() > deadline) throw new Error(`${spec.name}: the reloaded HAProxy was not ready within ${readyTimeoutMs} ms`);
      await sleep(50);
    }
    if (old.running) await old.waitExit(30_000);
  }

  async function updateStack(stackFile: string, u: { startRoles?: ContainerRole[]; drainTimeoutMs?: number } = {}) {
    const file = loadStackFile(path.resolve(stackFile));
    const stackName = file.stackName;
    const plannedStack = plannedStackOf(file, await planner.plan(file));
    const at = planned.findIndex((p) => p.name === stackName);
    // what exists keeps its secrets; new placeholders get fresh values (a tenant's include its shared server's)
    const shared = plannedStack.sharedServer ? secrets.substitutions.get(plannedStack.sharedServer) : undefined;
    secrets.substitutions.set(stackName, new Map([...freshSecrets(plannedStack.plan), ...(shared ?? new Map()), ...(secrets.substitutions.get(stackName) ?? new Map())]));
    if (!secrets.basicAuth.has(stackName)) {
      const password = randomAlphanumeric(20);
      secrets.basicAuth.set(stackName, { password, hash: sha512Crypt(password, randomAlphanumeric(16)) });
    }
    if (at >= 0) planned[at] = plannedStack;
    else planned.push(plannedStack);
    const nextContainers = sandboxContainers(planned, secrets);
    const nextAddresses = extendAddresses(name, addresses, [...nextContainers.values()].map((l) => l.map((c) => c.name)));
    const next = buildSandboxLayout(planned, nextContainers, nextAddresses, secrets, tlsMaterial, layoutOptions);
    applyOverrides(next);
    const before = new Map(layout.processes.map((p) => [p.name, p]));
    const after = new Map(next.processes.map((p) => [p.name, p]));
    const added = next.processes.filter((p) => !before.has(p.name));
    const removed = layout.processes.filter((p) => p.stack === stackName && !after.has(p.name));
    const reloaded = next.processes.filter((p) => p.role === "https-entry-point" && before.has(p.name) && before.get(p.name)!.config !== p.config);
    for (const [k, v] of nextAddresses) addresses.set(k, v);
    writeFiles({ ...next, processes: added });
    for (const p of added) procs.set(p.name, new LocalProcess(p, dir, (x) => pids.add(x)));
    layout.processes.splice(0, layout.processes.length, ...next.processes);
    Object.assign(layout.endpoints, next.endpoints);
    Object.assign(layout.credentials, next.credentials);
    // new processes first, so the reloaded entry points find them UP
    await startProcesses((p) => added.some((a) => a.name === p.name) && (!u.startRoles || u.startRoles.includes(p.role)));
    for (const entry of reloaded) {
      const going = haproxyServerNames(before.get(entry.name)!.config ?? "").filter((srv) => !haproxyServerNames(entry.config ?? "").includes(srv));
      if (going.length && get(entry.name).running) {
        log(`${entry.name}: draining ${going.join(", ")}`);
        await drainServers(before.get(entry.name)!, going, u.drainTimeoutMs ?? 30_000);
      }
      writeFiles({ ...next, processes: [entry] });
      await reloadEntryPoint(entry);
      log(`${entry.name}: reloaded gracefully (${haproxyServerNames(entry.config ?? "").length} servers)`);
    }
    for (const role of ["license-central", "fsb", "sql-job", "database"]) {
      await Promise.all(removed.filter((p) => p.role === role).map((p) => get(p.name).stop(role === "database" ? 30_000 : 10_000)));
    }
    for (const p of removed) procs.delete(p.name);
    writeSummary();
    return { added: added.map((p) => p.name), removed: removed.map((p) => p.name), reloaded: reloaded.map((p) => p.name) };
  }

  // If the owner exits without stop() (a crashed test run), take the processes along, by PID.
  const onExit = () => {
    for (const p of procs.values()) {
      if (!p.running) continue;
      try {
        process.kill(p.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
      killGroup(p.pid!);
    }
  };
  process.once("exit", onExit);
  let stopped = false;
  return {
    name,
    dir,
    endpointsFile,
    endpoints: layout.endpoints,
    credentials: layout.credentials,
    tls: layout.tls,
    notes: layout.notes,
    processes: () => [...procs.values()].map(info),
    process: (n) => info(get(n)),
    kill: (n, signal = "SIGKILL") => get(n).kill(signal),
    async restart(n) {
      const p = get(n);
      if (p.running) await p.stop();
      p.start();
      await waitReady(n);
    },
    async startStack(stack, roles) {
      if (!layout.processes.some((p) => p.stack === stack)) throw new Error(`sandbox ${name} runs no stack '${stack}' (stacks: ${planned.map((p) => p.name).join(", ")})`);
      const started = await startProcesses((p) => p.stack === stack && (!roles || roles.includes(p.role)));
      writeSummary();
      return started;
    },
    stopStack,
    updateStack,
    waitReady,
    sqlAsRoot,
    haproxyCommand(n, command) {
      const s = get(n).spec;
      if (!s.adminSocket) throw new Error(`${n} has no HAProxy admin socket`);
      return haproxyAdminCommand(s.adminSocket, command);
    },
    async serverStates(n) {
      const s = get(n).spec;
      if (!s.adminSocket) throw new Error(`${n} has no HAProxy admin socket`);
      return parseShowStat(await haproxyAdminCommand(s.adminSocket, "show stat"));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", onExit);
      await stopAll();
      if (opts.removeOnStop) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeFiles(layout: SandboxLayout): void {
  let mysql: { uid: number; gid: number } | undefined;
  const mysqlIds = () => {
    if (!mysql) {
      const uid = Number(execFileSync("id", ["-u", "mysql"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "mysql"], { encoding: "utf8" }).trim());
      mysql = { uid, gid };
    }
    return mysql;
  };
  for (const p of layout.processes) {
    fs.mkdirSync(p.dir, { recursive: true, mode: p.role === "database" ? 0o711 : 0o700 });
    if (p.adminSocket) fs.mkdirSync(path.dirname(p.adminSocket), { recursive: true, mode: 0o700 });
    for (const f of p.files) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o711 });
      fs.writeFileSync(f.path, f.content, { mode: f.mode });
      fs.chmodSync(f.path, f.mode);
      if (f.owner === "mysql") fs.chownSync(f.path, mysqlIds().uid, mysqlIds().gid);
    }
  }
}

/** A CA and client certificate kept in `caDir` (made on first use), and a server certificate for this sandbox. */
function certificatesFromAuthority(caDir: string, dir: string, opts: { dnsNames: string[]; ipAddresses: string[] }): CertificateFiles {
  const ca = { cert: path.join(caDir, "ca.crt"), key: path.join(caDir, "ca.key") };
  if (!fs.existsSync(ca.cert) || !fs.existsSync(ca.key)) {
    makeCertificateAuthority(caDir, "ca", "lchost sandbox CA");
    issueCertificate(caDir, "client", ca, { commonName: "lchost sandbox client", usage: "client" });
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const server = issueCertificate(dir, "server", ca, { commonName: opts.dnsNames[0] ?? "lchost-sandbox", dnsNames: opts.dnsNames, ipAddresses: opts.ipAddresses, usage: "server" });
  const serverPem = path.join(dir, "server.pem");
  fs.writeFileSync(serverPem, fs.readFileSync(server.cert, "utf8") + fs.readFileSync(server.key, "utf8"), { mode: 0o600 });
  const crl = makeRevocationList(dir, "ca", ca);
  return { dir, caCert: ca.cert, caKey: ca.key, serverPem, clientCert: path.join(caDir, "client.crt"), clientKey: path.join(caDir, "client.key"), crl };
}

/** `backend/server` names of a haproxy.cfg. */
function haproxyServerNames(config: string): string[] {
  return haproxyServers(config).map((x) => `${x.backend}/${x.server}`);
}
