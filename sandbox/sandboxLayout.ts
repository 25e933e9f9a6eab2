/**
 * The whole sandbox as data: which processes run (translated from every planned container of every
 * stack), where they listen, and the credentials a user or a test needs. Pure: the addresses, fresh
 * secrets and TLS material come in as arguments.
 */
import { FSB_ENV } from "../fsb-emulator/src/env";
import { LC_ENV } from "../license-central/src/env";
import type { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { assignAddresses } from "./sandboxAddresses";
import { containerRole, PlannedContainer, SandboxProcessSpec, translateContainer, TranslationContext } from "./containerTranslation";
import { START_ORDER } from "./roleOrder";
import { basicAuthUser, haproxyServers } from "../haproxy/parseConfig";
import { substituteSecrets } from "./placeholderSecrets";
import { SANDBOX_NOT_RUN_LABEL } from "../model/naming";

export const CONTAINER_TYPE = "docker:index/container:Container";

export interface PlannedStack {
  name: string;
  role: "customer" | "shared-server" | "operations";
  edition?: string;
  /** Datacenter tenants: the shared-server stack they run on. */
  sharedServer?: string;
  plan: Plan;
}

export interface LayoutOptions {
  sandboxName: string;
  sandboxDir: string;
  nodeBinary: string;
  services: TranslationContext["services"];
  haproxyBinary: string;
  pathEnv: string;
  extraBindAddresses?: string[];
  /** Append 127.0.0.0/8 to every allow list, so this machine may call web services. */
  allowLoopback?: boolean;
  /** The operations stack's processes: the sandbox's receivers and CA. */
  operations?: TranslationContext["operations"];
}

export interface SandboxSecrets {
  /** Per stack: planned placeholder -> fresh value (a tenant's map includes its shared server's). */
  substitutions: Map<string, Map<string, string>>;
  /** Per stack with basic auth: the sandbox's password and its SHA-512 crypt hash. */
  basicAuth: Map<string, { password: string; hash: string }>;
}

export interface SandboxTls {
  caCertPath: string;
  caCertPem: string;
  /** The sandbox CA's revocation list (PEM), replacing the stack's (signed by a CA whose key we do not have). */
  caCrlPem?: string;
  serverPem: string;
  clientCertPath: string;
  clientKeyPath: string;
}

export interface StackEndpoints {
  role: PlannedStack["role"];
  edition?: string;
  /** The HTTPS entry point (a tenant's is its shared server's), with the Host/SNI name to send. */
  gateway?: { process: string; url: string; address: string; port: number; host: string; adminSocket?: string; monitorUrl?: string; backend?: string };
  lines: Array<{ process: string; url: string; adminUrl: string; haproxyServer?: string }>;
  fsbs: Array<{ process: string; url: string }>;
  databases: Array<{ process: string; host: string; port: number; socket?: string; galeraNode?: number }>;
}

export interface StackCredentials {
  adminToken?: string;
  webServiceToken?: string;
  database?: { name: string; user: string; password: string };
  fsb?: { firm: string; token: string };
  fsbTokens?: Record<string, string>;
  basicAuth?: { username: string; password: string };
  provisioner?: { user: string; password: string };
}

export interface SandboxLayout {
  name: string;
  dir: string;
  processes: SandboxProcessSpec[];
  endpoints: Record<string, StackEndpoints>;
  credentials: Record<string, StackCredentials>;
  tls: { caCert: string; clientCert: string; clientKey: string };
  notes: string[];
}

/**
 * The containers of a plan the sandbox runs, secrets unwrapped: not those labelled SANDBOX_NOT_RUN_LABEL (the heal
 * service and its database run only on Docker; in the sandbox the heal seams act in-process).
 */
export function plannedContainers(plan: Plan): PlannedContainer[] {
  return plan.resources
    .filter((r) => r.type === CONTAINER_TYPE)
    .map((r) => unwrapSecrets(r.inputs) as PlannedContainer)
    .filter((c) => !c.labels?.some((l) => l.label === SANDBOX_NOT_RUN_LABEL));
}

function envOf(c: PlannedContainer): Record<string, string> {
  return Object.fromEntries((c.envs ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

function urlHost(u: string): { host: string; port: number } | undefined {
  try {
    const x = new URL(u);
    return { host: x.hostname, port: Number(x.port || 80) };
  } catch {
    return undefined;
  }
}

/**
 * A Dedicated Server signs with the hosting team's shared FSB, which is not part of its stack: the
 * sandbox stands in for it with an emulator serving that firm with that token.
 */
export function externalFsbContainers(containers: PlannedContainer[]): PlannedContainer[] {
  const planned = new Set(containers.map((c) => c.name));
  const byHost = new Map<string, { port: number; tokens: string[] }>();
  for (const c of containers) {
    if (containerRole(c) !== "license-central") continue;
    const env = envOf(c);
    const target = urlHost(env[LC_ENV.fsbUrl] ?? "");
    if (!target || planned.has(target.host)) continue;
    const entry = byHost.get(target.host) ?? { port: target.port, tokens: [] };
    entry.tokens.push(`${env[LC_ENV.fsbFirmCode]}=${env[LC_ENV.fsbToken]}`);
    byHost.set(target.host, entry);
  }
  return [...byHost].map(([host, e]) => ({
    name: host,
    envs: [
      `${FSB_ENV.port}=${e.port}`,
      `${FSB_ENV.dataDir}=/var/lib/fsb`,
      `${FSB_ENV.signLatencyMs}=0`,
      `${FSB_ENV.firmTokens}=${[...new Set(e.tokens)].join(",")}`,
    ],
    volumes: [{ containerPath: "/var/lib/fsb" }],
    labels: [{ label: "lchost.role", value: "fsb" }],
  }));
}

/** Containers per stack after secret substitution, external FSBs added to the stack that needs them. */
export function sandboxContainers(stacks: PlannedStack[], secrets: SandboxSecrets): Map<string, PlannedContainer[]> {
  const out = new Map<string, PlannedContainer[]>();
  for (const s of stacks) {
    const planned = substituteSecrets(plannedContainers(s.plan), secrets.substitutions.get(s.name) ?? new Map());
    const all = [...out.values()].flat().concat(planned);
    out.set(s.name, [...planned, ...externalFsbContainers(all).filter((x) => !all.some((c) => c.name === x.name))]);
  }
  return out;
}

/** Host names configs mention that no planned container carries. */
function unplannedHosts(containers: PlannedContainer[]): string[] {
  const planned = new Set(containers.map((c) => c.name));
  const out: string[] = [];
  for (const c of containers) {
    const env = envOf(c);
    for (const h of [env[LC_ENV.dbHost], urlHost(env[LC_ENV.fsbUrl] ?? "")?.host, env.DB_HOST]) if (h && !planned.has(h)) out.push(h);
    const cfg = c.uploads?.find((u) => u.file.endsWith("haproxy.cfg"))?.content;
    if (cfg) for (const s of haproxyServers(cfg)) if (!planned.has(s.address)) out.push(s.address);
  }
  return [...new Set(out)];
}

export function sandboxAddresses(sandboxName: string, containers: Map<string, PlannedContainer[]>): Map<string, string> {
  const lists = [...containers.values()];
  return assignAddresses(
    sandboxName,
    lists.map((l) => l.map((c) => c.name)),
    unplannedHosts(lists.flat()),
  );
}

export function buildSandboxLayout(
  stacks: PlannedStack[],
  containers: Map<string, PlannedContainer[]>,
  addresses: Map<string, string>,
  secrets: SandboxSecrets,
  tls: SandboxTls,
  opts: LayoutOptions,
): SandboxLayout {
  const processes: SandboxProcessSpec[] = [];
  const endpoints: Record<string, StackEndpoints> = {};
  const credentials: Record<string, StackCredentials> = {};
  const notes: string[] = [];
  for (const s of stacks) {
    const list = containers.get(s.name) ?? [];
    const auth = secrets.basicAuth.get(s.name);
    const ctx: TranslationContext = {
      stack: s.name,
      sandboxDir: opts.sandboxDir,
      addresses,
      nodeBinary: opts.nodeBinary,
      services: opts.services,
      haproxyBinary: opts.haproxyBinary,
      pathEnv: opts.pathEnv,
      tls: { serverPem: tls.serverPem, clientCaPem: tls.caCertPem, clientCrlPem: tls.caCrlPem },
      basicAuthPasswordHash: auth?.hash,
      extraBindAddresses: opts.extraBindAddresses,
      extraAllowList: opts.allowLoopback ? ["127.0.0.0/8"] : undefined,
      operations: opts.operations,
    };
    const specs = list.map((c) => translateContainer(c, ctx));
    processes.push(...specs);
    const cred: StackCredentials = {};
    const ep: StackEndpoints = { role: s.role, edition: s.edition, lines: [], fsbs: [], databases: [] };
    for (const p of specs) {
      if (p.role === "license-central") {
        ep.lines.push({ process: p.name, url: `http://${p.address}:${p.ports[0]}`, adminUrl: `http://${p.address}:${p.ports[1]}` });
        cred.adminToken = p.env[LC_ENV.adminToken];
        if (p.env[LC_ENV.wsToken]) cred.webServiceToken = p.env[LC_ENV.wsToken];
        cred.database = { name: p.env[LC_ENV.dbName], user: p.env[LC_ENV.dbUser], password: p.env[LC_ENV.dbPassword] };
        cred.fsb = { firm: p.env[LC_ENV.fsbFirmCode], token: p.env[LC_ENV.fsbToken] };
      } else if (p.role === "fsb") {
        ep.fsbs.push({ process: p.name, url: `http://${p.address}:${p.ports[0]}` });
        const tokens = (p.env[FSB_ENV.firmTokens] ?? "")
          .split(",")
          .filter(Boolean)
          .map((x) => x.split("="));
        if (s.role === "shared-server" || tokens.length > 1) cred.fsbTokens = Object.fromEntries(tokens);
      } else if (p.role === "database") {
        ep.databases.push({ process: p.name, host: p.address, port: 3306, socket: p.socket, galeraNode: p.galera?.nodeIndex });
      } else if (p.role === "sql-job") {
        cred.provisioner = { user: p.env.DB_USER, password: p.env.MYSQL_PWD };
      } else if (p.role === "https-entry-point") {
        const host = hostOfStack(s) ?? p.address;
        const tlsPort = Number(/^\s*bind\s+[^:\s]+:(\d+)\s+ssl/m.exec(p.config ?? "")?.[1] ?? 8443);
        ep.gateway = {
          process: p.name,
          url: `https://${p.address}:${tlsPort}`,
          address: p.address,
          port: tlsPort,
          host,
          adminSocket: p.adminSocket,
          monitorUrl: p.monitorPort ? `http://${p.address}:${p.monitorPort}/haproxy-health` : undefined,
          backend: haproxyServers(p.config ?? "").find((x) => !/^tenant_/.test(x.backend))?.backend,
        };
        const user = basicAuthUser(p.config ?? "");
        if (user && auth) cred.basicAuth = { username: user, password: auth.password };
      }
    }
    endpoints[s.name] = ep;
    credentials[s.name] = cred;
  }
  // The HAProxy server name of every line, and a tenant's gateway: its shared server's entry point.
  const entries = processes.filter((p) => p.role === "https-entry-point");
  for (const [stack, ep] of Object.entries(endpoints)) {
    for (const line of ep.lines) {
      const address = processes.find((p) => p.name === line.process)!.address;
      for (const e of entries) {
        const srv = haproxyServers(e.config ?? "").find((x) => x.address === address);
        if (srv) {
          line.haproxyServer = `${srv.backend}/${srv.server}`;
          const s = stacks.find((x) => x.name === stack)!;
          if (!ep.gateway && s.sharedServer) {
            const shared = endpoints[s.sharedServer]?.gateway;
            if (shared) ep.gateway = { ...shared, host: hostOfStack(s) ?? shared.host, backend: srv.backend };
          }
        }
      }
    }
  }
  for (const s of stacks) {
    if (s.role === "shared-server") {
      const tenants = (s.plan.outputs.tenants as string[] | undefined) ?? [];
      const missing = tenants.filter((t) => !stacks.some((x) => x.name === t || x.plan.outputs.customer === t));
      if (missing.length)
        notes.push(`${s.name}: tenants not started (their lines stay DOWN in the entry point): ${missing.join(", ")}; add --tenants ${missing.join(",")}`);
    }
  }
  processes.sort((a, b) => START_ORDER.indexOf(a.role) - START_ORDER.indexOf(b.role));
  return {
    name: opts.sandboxName,
    dir: opts.sandboxDir,
    processes,
    endpoints,
    credentials,
    tls: { caCert: tls.caCertPath, clientCert: tls.clientCertPath, clientKey: tls.clientKeyPath },
    notes,
  };
}

/** The published host name of a stack (`<customer>.<domain>`), from its planned endpoints. */
function hostOfStack(s: PlannedStack): string | undefined {
  const eps = s.plan.outputs.endpoints as Record<string, string> | undefined;
  const depot = eps?.depot ?? (typeof s.plan.outputs.endpoint === "string" ? (s.plan.outputs.endpoint as string) : undefined);
  if (!depot) return undefined;
  try {
    return new URL(depot).hostname;
  } catch {
    return undefined;
  }
}
