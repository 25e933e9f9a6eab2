/**
 * A running sandbox: a stack's topology on this machine as local processes, from exactly the files and
 * settings its components render (see containerTranslation.ts for what is rewritten). `Sandbox.start`
 * plans the stacks, writes the files and starts the processes in role order; the instance inspects,
 * breaks, changes and stops them. Readiness (readiness.ts), role order (roleOrder.ts), credentials
 * (sandboxCredentials.ts), certificates, files and stack selection live in their own modules.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { editionCatalog } from "../model/catalog";
import { packageRoot } from "../model/packageRoot";
import { loadStackFile } from "../model/stackFile";
import { StackPlanner } from "../planner/planWithReferences";
import { ContainerRole, SandboxProcessSpec } from "./containerTranslation";
import { haproxyAdminCommand } from "../haproxy/adminSocket";
import { haproxyServers } from "../haproxy/parseConfig";
import { checkPrerequisites, prerequisitesFor } from "./prerequisites";
import { killGroup, killLeftovers, LocalProcess, PidRecord } from "./processSupervisor";
import { isProcessReady, waitUntilReady } from "./readiness";
import { isOperationsRole, OperationsRole, ROLES_AFTER_DATABASE, STOP_ORDER, stopTimeoutMs } from "./roleOrder";
import { extendAddresses } from "./sandboxAddresses";
import { certificatesFromAuthority, makeSandboxCertificates } from "./sandboxCertificates";
import { addStackSecrets, applyAdminTokens, emptySecrets, updateStackSecrets } from "./sandboxCredentials";
import { freshSandboxDir, sandboxLogDir, writeSandboxFiles } from "./sandboxFiles";
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
import { plannedStackOf, resolveStacks, StackSelection } from "./sandboxStacks";
import { parseShowStat, sessionCounts } from "../haproxy/showStat";
import { OperationsSelection, prepareOperationsStack } from "./ops/operationsStack";
import { SandboxReceiverHandle, startSandboxReceivers } from "./ops/sandboxReceivers";
import { sandboxPortalPasswords } from "./ops/operationsTranslation";
import { HAPROXY_PROMETHEUS_PORT } from "../haproxy/renderConfig";
import { sandboxOctet } from "./sandboxAddresses";

export interface SandboxOptions extends StackSelection {
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
  /**
   * Also run an operations stack (Prometheus, Alertmanager, blackbox exporter, notifier) watching the
   * sandbox's stacks, with the sandbox's webhook receiver and SMTP sink in place of every outside address.
   */
  operations?: OperationsSelection;
  log?: (line: string) => void;
  /**
   * Where containers run instead of their loopback address: an address of their own, optionally in a network
   * namespace (the process is started with `ip netns exec <netns>`). Used by the geo simulation, whose sites
   * are namespaces joined by a WAN emulator (sandbox/geo/).
   */
  placement?: Record<string, { address: string; netns?: string }>;
  /**
   * Places the planned containers `placement` does not name, by name and role (undefined: its loopback address).
   * The sandbox's hosts (sandbox/hosts/) put each part in its host's namespace this way.
   */
  placeContainer?: (container: { name: string; role: string | undefined }) => { address: string; netns?: string } | undefined;
  /** Planned processes never to start (e.g. a Galera node whose place an arbitrator takes). */
  skipProcesses?: string[];
}

/** The operations stack of a sandbox: where to look and what the customers received. */
export interface SandboxOperations {
  stack: string;
  /** The operations stack file the sandbox planned from ("built-in" when none was found). */
  source: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  notifierUrl: string;
  /** Process names by role. */
  processes: { prometheus: string; alertmanager: string; blackbox: string; notifier: string; statusPortal?: string };
  receivers: SandboxReceiverHandle;
  /** The status portal's pages through its HTTPS entry (sandbox CA), when the operations stack plans one. */
  statusPortalUrl?: string;
  /** Each customer's portal password (the user name is the customer's name). */
  statusPortalPasswords: Record<string, string>;
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
  /** Set when the sandbox runs an operations stack (`operations` option). */
  operations?: SandboxOperations;
  processes(): SandboxProcessInfo[];
  process(name: string): SandboxProcessInfo;
  /** Sends a signal to one process (default SIGKILL). */
  kill(name: string, signal?: NodeJS.Signals): void;
  /** Stops the process if it still runs, starts it again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** The live spec of one process: its environment applies at its next start (heal's lost-node repoint). */
  processSpec(name: string): SandboxProcessSpec;
  /** Stops one process (SIGTERM, then SIGKILL after its role's timeout); its files stay. */
  stopProcess(name: string): Promise<void>;
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
  updateStack(
    stackFile: string,
    opts?: { startRoles?: ContainerRole[]; drainTimeoutMs?: number },
  ): Promise<{ added: string[]; removed: string[]; reloaded: string[] }>;
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

/** What `Sandbox.start` prepared before the first process starts. */
interface SandboxParts {
  name: string;
  dir: string;
  planner: StackPlanner;
  planned: PlannedStack[];
  secrets: SandboxSecrets;
  addresses: Map<string, string>;
  /** Containers that run in a network namespace (`placement`, `placeContainer`). */
  netns: Map<string, string>;
  tlsMaterial: SandboxTls;
  layoutOptions: LayoutOptions;
  layout: SandboxLayout;
  binaries: Map<string, string>;
  operations?: SandboxOperations;
}

export class Sandbox implements SandboxHandle {
  readonly name: string;
  readonly dir: string;
  readonly endpointsFile: string;
  private readonly log: (line: string) => void;
  private readonly readyTimeoutMs: number;
  private readonly procs = new Map<string, LocalProcess>();
  private readonly pids: PidRecord;
  /** HAProxy processes replaced by a graceful reload that may still finish their connections. */
  private readonly retiring: LocalProcess[] = [];
  private readonly startedAt = new Date().toISOString();
  private stopped = false;
  private readonly onExit = () => this.killAllNow();

  /** Plans the stacks, writes a fresh sandbox directory and starts the processes (`startRoles`, default all). */
  static async start(opts: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(opts, await Sandbox.prepare(opts));
    try {
      await sandbox.startProcesses((p) => !opts.startRoles || opts.startRoles.includes(p.role));
    } catch (e) {
      await sandbox.stopAll();
      throw e;
    }
    sandbox.writeSummary();
    process.once("exit", sandbox.onExit);
    return sandbox;
  }

  private static async prepare(opts: SandboxOptions): Promise<SandboxParts> {
    const log = opts.log ?? (() => undefined);
    const stacks = resolveStacks(opts);
    const name = opts.name ?? stacks.map((s) => s.stackName).join("+");
    let operations: { stackName: string; source: string; workDir: string } | undefined;
    if (opts.operations) {
      // planned from a copy whose fleet is exactly the sandbox's stacks (sandbox/ops/operationsStack.ts)
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-sandbox-ops-"));
      try {
        const prepared = prepareOperationsStack(
          stacks.map((s) => s.path),
          opts.operations,
          workDir,
          opts.stacksDir,
        );
        stacks.push(loadStackFile(prepared.file));
        operations = { ...prepared, workDir };
        log(`operations stack ${prepared.stackName} (from ${prepared.source}) watches ${stacks.length - 1} stack(s)`);
      } catch (e) {
        fs.rmSync(workDir, { recursive: true, force: true });
        throw e;
      }
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(name)) throw new Error(`sandbox name '${name}' may only hold letters, digits, '_', '.', '+', '-'`);
    const root = packageRoot();
    const dir = path.resolve(opts.dir ?? path.join(root, ".sandbox", name));
    const services: LayoutOptions["services"] = {
      fsbEmulator: path.join(root, "dist", "fsb-emulator", "src", "main.js"),
      licenseCentral: path.join(root, "dist", "license-central", "src", "main.js"),
      ...(opts.operations
        ? {
            notifier: path.join(root, "dist", "notifier", "src", "main.js"),
            statusPortal: path.join(root, "dist", "status-portal", "src", "main.js"),
          }
        : {}),
    };
    for (const f of Object.values(services)) {
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: build the services first (npx tsc -p tsconfig.json, or npm run build:services)`);
    }

    // Plan every stack (a tenant with its shared server's outputs) and swap placeholders for fresh secrets.
    const planner = new StackPlanner();
    const planned: PlannedStack[] = [];
    try {
      for (const s of stacks) planned.push(plannedStackOf(s, await planner.plan(s)));
    } finally {
      if (operations) fs.rmSync(operations.workDir, { recursive: true, force: true });
    }
    const secrets = emptySecrets();
    for (const p of planned) addStackSecrets(secrets, p);
    const containers = sandboxContainers(planned, secrets);
    const addresses = sandboxAddresses(name, containers);
    const all = [...containers.values()].flat();
    const roles = all.map((c) => c.labels?.find((l) => l.label === "lchost.role")?.value);
    const netns = new Map<string, string>();
    const place = (container: string, placed: { address: string; netns?: string }) => {
      addresses.set(container, placed.address);
      if (placed.netns) netns.set(container, placed.netns);
    };
    for (const [container, placed] of Object.entries(opts.placement ?? {})) place(container, placed);
    if (opts.placeContainer) {
      all.forEach((c, i) => {
        const placed = opts.placement?.[c.name] ? undefined : opts.placeContainer!({ name: c.name, role: roles[i] });
        if (placed) place(c.name, placed);
      });
    }
    const galera = all.some((c) => c.uploads?.some((u) => /wsrep_on\s*=\s*ON/.test(u.content)));
    const binaries = checkPrerequisites(
      prerequisitesFor({
        database: roles.includes("database"),
        galera,
        entryPoint: roles.includes("https-entry-point"),
        sqlJob: roles.includes("sql-job"),
        databaseExporter: roles.includes("database-exporter"),
        operations: roles.some((r) => r !== undefined && isOperationsRole(r)),
      }),
    );

    // A fresh directory, throw-away certificates (or the caller's CA), the layout.
    const leftovers = await killLeftovers(dir);
    if (leftovers.length) log(`stopped processes a previous run of this sandbox left behind: ${leftovers.join(", ")}`);
    freshSandboxDir(dir);
    const entryAddresses = all.filter((c) => c.labels?.some((l) => l.value === "https-entry-point")).map((c) => addresses.get(c.name)!);
    const dnsNames = [
      ...new Set(
        planned.flatMap((p) =>
          p.plan.resources.filter((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert").flatMap((r) => (r.inputs.dnsNames as string[]) ?? []),
        ),
      ),
    ];
    const certOpts = {
      dnsNames: [...new Set([...(dnsNames.length ? dnsNames : ["lchost-sandbox"]), ...(opts.extraDnsNames ?? [])])],
      ipAddresses: [...entryAddresses, ...(opts.extraBindAddresses ?? [])],
      // with monitoring, the blackbox probe reads the chain's expiry: it must be well outside the certificate alert's window
      days: operations ? editionCatalog().monitoring.alerts.certificateDays + 60 : undefined,
    };
    const certs = opts.certificateAuthorityDir
      ? certificatesFromAuthority(opts.certificateAuthorityDir, path.join(dir, "tls"), certOpts)
      : makeSandboxCertificates(path.join(dir, "tls"), certOpts);
    const tlsMaterial: SandboxTls = {
      caCertPath: certs.caCert,
      caCertPem: fs.readFileSync(certs.caCert, "utf8"),
      caCrlPem: fs.readFileSync(certs.crl, "utf8"),
      serverPem: fs.readFileSync(certs.serverPem, "utf8"),
      clientCertPath: certs.clientCert,
      clientKeyPath: certs.clientKey,
    };
    const layoutOptions: LayoutOptions = {
      sandboxName: name,
      sandboxDir: dir,
      nodeBinary: process.execPath,
      services,
      haproxyBinary: binaries.get("haproxy") ?? "haproxy",
      pathEnv: [process.env.PATH ?? "", "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].filter(Boolean).join(":"),
      extraBindAddresses: opts.extraBindAddresses,
      allowLoopback: opts.allowLoopback,
    };
    if (!operations) {
      const layout = buildSandboxLayout(planned, containers, addresses, secrets, tlsMaterial, layoutOptions);
      return { name, dir, planner, planned, secrets, addresses, netns, tlsMaterial, layoutOptions, layout, binaries };
    }
    // The receivers listen on an address of their own (127.B.251.1) before the notifier's files are written.
    const receivers = await startSandboxReceivers(`127.${sandboxOctet(name)}.251.1`, path.join(dir, "receivers"));
    try {
      const opsPlan = planned.find((p) => p.name === operations.stackName)!.plan;
      const portalPasswords = sandboxPortalPasswords(opsPlan, secrets.substitutions.get(operations.stackName) ?? new Map());
      layoutOptions.operations = { receivers, caFile: certs.caCert, portalPasswords };
      const layout = buildSandboxLayout(planned, containers, addresses, secrets, tlsMaterial, layoutOptions);
      const ops = sandboxOperations(layout, operations, receivers, portalPasswords);
      return { name, dir, planner, planned, secrets, addresses, netns, tlsMaterial, layoutOptions, layout, binaries, operations: ops };
    } catch (e) {
      await receivers.close();
      throw e;
    }
  }

  private constructor(
    private readonly opts: SandboxOptions,
    private readonly parts: SandboxParts,
  ) {
    this.name = parts.name;
    this.dir = parts.dir;
    this.endpointsFile = path.join(parts.dir, "sandbox.json");
    this.log = opts.log ?? (() => undefined);
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
    this.applyOverrides(parts.layout);
    writeSandboxFiles(parts.layout);
    this.pids = new PidRecord(parts.dir);
    for (const spec of parts.layout.processes) this.procs.set(spec.name, this.localProcess(spec));
  }

  get endpoints(): Record<string, StackEndpoints> {
    return this.parts.layout.endpoints;
  }
  get credentials(): Record<string, StackCredentials> {
    return this.parts.layout.credentials;
  }
  get tls(): SandboxLayout["tls"] {
    return this.parts.layout.tls;
  }
  get notes(): string[] {
    return this.parts.layout.notes;
  }
  get operations(): SandboxOperations | undefined {
    return this.parts.operations;
  }

  processes(): SandboxProcessInfo[] {
    return [...this.procs.values()].map(processInfo);
  }

  process(name: string): SandboxProcessInfo {
    return processInfo(this.get(name));
  }

  kill(name: string, signal: NodeJS.Signals = "SIGKILL"): void {
    this.get(name).kill(signal);
  }

  async restart(name: string): Promise<void> {
    const p = this.get(name);
    if (p.running) await p.stop();
    p.start();
    await this.waitReady(name);
  }

  /** The live spec of one process: its environment applies at its next start (heal's lost-node repoint). */
  processSpec(name: string): SandboxProcessSpec {
    return this.get(name).spec;
  }

  /** Stops one process (SIGTERM, then SIGKILL after its role's timeout); its files stay. */
  async stopProcess(name: string): Promise<void> {
    const p = this.get(name);
    await p.stop(stopTimeoutMs(p.spec.role));
  }

  async startStack(stack: string, roles?: ContainerRole[]): Promise<string[]> {
    if (!this.parts.layout.processes.some((p) => p.stack === stack))
      throw new Error(`sandbox ${this.name} runs no stack '${stack}' (stacks: ${this.parts.planned.map((p) => p.name).join(", ")})`);
    const started = await this.startProcesses((p) => p.stack === stack && (!roles || roles.includes(p.role)));
    this.writeSummary();
    return started;
  }

  async stopStack(stack: string): Promise<string[]> {
    const mine = [...this.procs.values()].filter((p) => p.spec.stack === stack && p.running);
    for (const role of STOP_ORDER) await Promise.all(mine.filter((p) => p.spec.role === role).map((p) => p.stop(stopTimeoutMs(role))));
    return mine.map((p) => p.spec.name);
  }

  async updateStack(
    stackFile: string,
    u: { startRoles?: ContainerRole[]; drainTimeoutMs?: number } = {},
  ): Promise<{ added: string[]; removed: string[]; reloaded: string[] }> {
    const { planned, secrets, layout, addresses } = this.parts;
    const file = loadStackFile(path.resolve(stackFile));
    const stackName = file.stackName;
    const plannedStack = plannedStackOf(file, await this.parts.planner.plan(file));
    const at = planned.findIndex((p) => p.name === stackName);
    updateStackSecrets(secrets, plannedStack);
    if (at >= 0) planned[at] = plannedStack;
    else planned.push(plannedStack);
    const nextContainers = sandboxContainers(planned, secrets);
    const nextAddresses = extendAddresses(
      this.name,
      addresses,
      [...nextContainers.values()].map((l) => l.map((c) => c.name)),
    );
    const next = buildSandboxLayout(planned, nextContainers, nextAddresses, secrets, this.parts.tlsMaterial, this.parts.layoutOptions);
    this.applyOverrides(next);
    const before = new Map(layout.processes.map((p) => [p.name, p]));
    const after = new Map(next.processes.map((p) => [p.name, p]));
    const added = next.processes.filter((p) => !before.has(p.name));
    const removed = layout.processes.filter((p) => p.stack === stackName && !after.has(p.name));
    const reloaded = next.processes.filter((p) => p.role === "https-entry-point" && before.has(p.name) && before.get(p.name)!.config !== p.config);
    for (const [k, v] of nextAddresses) addresses.set(k, v);
    writeSandboxFiles({ processes: added });
    for (const p of added) this.procs.set(p.name, this.localProcess(p));
    layout.processes.splice(0, layout.processes.length, ...next.processes);
    Object.assign(layout.endpoints, next.endpoints);
    Object.assign(layout.credentials, next.credentials);
    // new processes first, so the reloaded entry points find them UP
    await this.startProcesses((p) => added.some((a) => a.name === p.name) && (!u.startRoles || u.startRoles.includes(p.role)));
    for (const entry of reloaded) {
      const going = haproxyServerNames(before.get(entry.name)!.config ?? "").filter((srv) => !haproxyServerNames(entry.config ?? "").includes(srv));
      if (going.length && this.get(entry.name).running) {
        this.log(`${entry.name}: draining ${going.join(", ")}`);
        await this.drainServers(before.get(entry.name)!, going, u.drainTimeoutMs ?? 30_000);
      }
      writeSandboxFiles({ processes: [entry] });
      await this.reloadEntryPoint(entry);
      this.log(`${entry.name}: reloaded gracefully (${haproxyServerNames(entry.config ?? "").length} servers)`);
    }
    for (const role of STOP_ORDER) await Promise.all(removed.filter((p) => p.role === role).map((p) => this.get(p.name).stop(stopTimeoutMs(role))));
    for (const p of removed) this.procs.delete(p.name);
    this.writeSummary();
    return { added: added.map((p) => p.name), removed: removed.map((p) => p.name), reloaded: reloaded.map((p) => p.name) };
  }

  waitReady(name: string, timeoutMs = this.readyTimeoutMs): Promise<void> {
    const p = this.get(name);
    return waitUntilReady(p, () => this.isReady(p.spec), timeoutMs);
  }

  sqlAsRoot(databaseProcess: string, sql: string): string {
    const spec = this.get(databaseProcess).spec;
    if (!spec.socket) throw new Error(`${databaseProcess} is not a database`);
    const r = spawnSync(this.parts.binaries.get("mariadb") ?? "mariadb", [`--socket=${spec.socket}`, "-uroot", "-N", "-B", "-e", sql], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`SQL on ${databaseProcess} failed: ${r.stderr || r.error?.message}`);
    return r.stdout;
  }

  haproxyCommand(entryProcess: string, command: string): Promise<string> {
    return haproxyAdminCommand(this.adminSocketOf(entryProcess), command);
  }

  async serverStates(entryProcess: string): Promise<Record<string, string>> {
    return parseShowStat(await haproxyAdminCommand(this.adminSocketOf(entryProcess), "show stat"));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.off("exit", this.onExit);
    await this.stopAll();
    if (this.opts.removeOnStop) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private get(name: string): LocalProcess {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no sandbox process '${name}'; processes: ${[...this.procs.keys()].join(", ")}`);
    return p;
  }

  private localProcess(spec: SandboxProcessSpec): LocalProcess {
    const netns = this.parts.netns.get(spec.name);
    // `ip netns exec` execs the command in place: the PID (and its process group) stays the service's own
    const run = netns ? { ...spec, command: "ip", args: ["netns", "exec", netns, spec.command, ...spec.args] } : spec;
    return new LocalProcess(run, sandboxLogDir(this.dir), (p) => this.pids.add(p));
  }

  private adminSocketOf(entryProcess: string): string {
    const s = this.get(entryProcess).spec;
    if (!s.adminSocket) throw new Error(`${entryProcess} has no HAProxy admin socket`);
    return s.adminSocket;
  }

  /** The service log level and the caller's admin tokens, over what the layout planned. */
  private applyOverrides(layout: SandboxLayout): void {
    if (this.opts.serviceLogLevel) {
      for (const p of layout.processes) if (p.role === "fsb" || p.role === "license-central") p.env.LOG_LEVEL = this.opts.serviceLogLevel;
    }
    applyAdminTokens(layout, this.opts.adminTokens);
  }

  private isReady(spec: SandboxProcessSpec): Promise<boolean> {
    const { layout } = this.parts;
    return isProcessReady(spec, {
      sqlAsRoot: (n, sql) => this.sqlAsRoot(n, sql),
      serverStates: async () => parseShowStat(await haproxyAdminCommand(spec.adminSocket!, "show stat")),
      runningLineServers: () => {
        const running = layout.processes.filter((x) => x.role === "license-central" && this.procs.get(x.name)?.running);
        return Object.values(layout.endpoints)
          .flatMap((e) => e.lines)
          .filter((l) => l.haproxyServer && running.some((x) => x.name === l.process))
          .map((l) => l.haproxyServer!);
      },
    });
  }

  /**
   * Starts the wanted processes that do not run, in role order: databases (Galera node 1 founds the
   * cluster, the others join one by one), then each further role together, waiting until all are ready.
   */
  private async startProcesses(want: (p: SandboxProcessSpec) => boolean): Promise<string[]> {
    const started: string[] = [];
    const skip = new Set(this.opts.skipProcesses ?? []);
    const byRole = (role: ContainerRole) =>
      this.parts.layout.processes.filter((p) => p.role === role && want(p) && !skip.has(p.name) && !this.get(p.name).running);
    const dbs = byRole("database").sort((a, b) => (a.galera?.nodeIndex ?? 0) - (b.galera?.nodeIndex ?? 0));
    const founders = dbs.filter((d) => !d.galera || d.galera.nodeIndex === 1);
    for (const db of founders) this.get(db.name).start();
    for (const db of founders) await this.waitReady(db.name);
    for (const db of dbs.filter((d) => d.galera && d.galera.nodeIndex > 1)) {
      this.log(`joining ${db.name} to the Galera cluster`);
      this.get(db.name).start();
      await this.waitReady(db.name);
    }
    started.push(...dbs.map((d) => d.name));
    for (const role of ROLES_AFTER_DATABASE) {
      const specs = byRole(role);
      for (const s of specs) this.get(s.name).start();
      await Promise.all(specs.map((s) => this.waitReady(s.name)));
      if (specs.length) this.log(`${role}: ${specs.map((s) => s.name).join(", ")} ready`);
      started.push(...specs.map((s) => s.name));
    }
    return started;
  }

  private async stopAll(): Promise<void> {
    await Promise.all(this.retiring.map((p) => p.stop(5000)));
    const running = [...this.procs.values()].reverse();
    for (const role of STOP_ORDER) await Promise.all(running.filter((p) => p.spec.role === role).map((p) => p.stop(stopTimeoutMs(role))));
    this.pids.clear();
    await this.parts.operations?.receivers.close();
  }

  /** If the owner exits without stop() (a crashed test run), take the processes along, by PID. */
  private killAllNow(): void {
    for (const p of this.procs.values()) {
      if (!p.running) continue;
      try {
        process.kill(p.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
      killGroup(p.pid!);
    }
  }

  /** `<dir>/sandbox.json` (mode 0600): endpoints, credentials and processes as they are now. */
  private writeSummary(): void {
    const { layout } = this.parts;
    const summary = {
      sandbox: this.name,
      dir: this.dir,
      startedAt: this.startedAt,
      endpoints: layout.endpoints,
      credentials: layout.credentials,
      tls: layout.tls,
      processes: this.processes(),
      operations: this.operations && {
        stack: this.operations.stack,
        source: this.operations.source,
        prometheusUrl: this.operations.prometheusUrl,
        alertmanagerUrl: this.operations.alertmanagerUrl,
        notifierUrl: this.operations.notifierUrl,
        webhookReceiver: this.operations.receivers.webhooks.url("<customer>"),
        smtpSink: `${this.operations.receivers.mail.host}:${this.operations.receivers.mail.port}`,
        records: this.operations.receivers.recordFiles,
      },
      notes: layout.notes,
    };
    fs.writeFileSync(this.endpointsFile, JSON.stringify(summary, null, 2), { mode: 0o600 });
    fs.chmodSync(this.endpointsFile, 0o600);
  }

  /** Sets the servers to drain on an entry point and waits until none holds a connection. */
  private async drainServers(entry: SandboxProcessSpec, servers: string[], timeoutMs: number): Promise<void> {
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
  private async reloadEntryPoint(spec: SandboxProcessSpec): Promise<void> {
    const old = this.get(spec.name);
    const fresh = this.localProcess(spec);
    const check = spawnSync(spec.command, ["-c", "-q", ...spec.args.filter((a) => a !== "-db")], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`${spec.name}: the new haproxy.cfg is refused: ${check.stderr || check.stdout}`);
    fresh.start(old.running ? ["-sf", String(old.pid)] : []);
    this.procs.set(spec.name, fresh);
    if (old.running) this.retiring.push(old);
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      if (!fresh.running) throw new Error(`${spec.name}: the reloaded HAProxy exited; log ${fresh.logFile}:\n${fresh.tail()}`);
      const who = await haproxyAdminCommand(spec.adminSocket!, "show info").catch(() => "");
      if (new RegExp(`^Pid: ${fresh.pid}$`, "m").test(who) && (await this.isReady(spec))) break;
      if (Date.now() > deadline) throw new Error(`${spec.name}: the reloaded HAProxy was not ready within ${this.readyTimeoutMs} ms`);
      await sleep(50);
    }
    // The old process finishes its requests and answers each idle keep-alive connection's next request (option
    // idle-close-on-response) before it goes; hard-stop-after bounds it and stop() ends it. Not waited for: a
    // client holding an idle connection would otherwise lengthen every switch by up to timeout http-keep-alive.
  }
}

/** The operations stack's processes and URLs; the receivers learn each customer's webhook secret from the notifier's recipients file. */
function sandboxOperations(
  layout: SandboxLayout,
  ops: { stackName: string; source: string },
  receivers: SandboxReceiverHandle,
  portalPasswords: Record<string, string>,
): SandboxOperations {
  const mine = layout.processes.filter((p) => p.stack === ops.stackName);
  const byRole = (role: OperationsRole) => {
    const p = mine.find((x) => x.role === role);
    if (!p)
      throw new Error(
        `operations stack ${ops.stackName} plans no ${role} container (planned: ${mine.map((x) => `${x.name} (${x.role})`).join(", ") || "none"})`,
      );
    return p;
  };
  const [prometheus, alertmanager, blackbox, notifier] = (["prometheus", "alertmanager", "blackbox", "notifier"] as const).map(byRole);
  const portal = mine.find((x) => x.role === "status-portal");
  const portalEntry = portal ? mine.find((x) => x.role === "https-entry-point") : undefined;
  if (!notifier.files.some((f) => /recipients.*\.json$/.test(f.path)))
    throw new Error(`${notifier.name}: no recipients file planned (the notifier would not know whom to tell)`);
  const url = (p: SandboxProcessSpec) => `http://${p.address}:${p.ports[0]}`;
  return {
    stack: ops.stackName,
    source: ops.source,
    prometheusUrl: url(prometheus),
    alertmanagerUrl: url(alertmanager),
    notifierUrl: url(notifier),
    processes: {
      prometheus: prometheus.name,
      alertmanager: alertmanager.name,
      blackbox: blackbox.name,
      notifier: notifier.name,
      ...(portal ? { statusPortal: portal.name } : {}),
    },
    receivers,
    ...(portalEntry
      ? { statusPortalUrl: `https://${portalEntry.address}:${portalEntry.ports.find((p) => p !== portalEntry.monitorPort && p !== HAPROXY_PROMETHEUS_PORT)}` }
      : {}),
    statusPortalPasswords: portalPasswords,
  };
}

function processInfo(p: LocalProcess): SandboxProcessInfo {
  return {
    name: p.spec.name,
    stack: p.spec.stack,
    role: p.spec.role,
    address: p.spec.address,
    ports: p.spec.ports,
    pid: p.pid,
    running: p.running,
    logFile: p.logFile,
  };
}

/** `backend/server` names of a haproxy.cfg. */
function haproxyServerNames(config: string): string[] {
  return haproxyServers(config).map((x) => `${x.backend}/${x.server}`);
}
