/**
 * The operations stack's containers (Prometheus, Alertmanager, the blackbox exporter, the notifier) as
 * local processes, with the same rules as every other container (containerTranslation.ts): the same
 * command line from the Debian binaries' paths, container paths -> `<sandbox>/<container>/…`, host
 * names -> the sandbox's addresses, "every interface" -> the node's own address. What the sandbox adds:
 *  - every customer's (and the on-call team's) webhook URL and the SMTP smarthost in the notifier's
 *    recipients file become the sandbox's own receivers: a sandbox never posts to the outside;
 *  - the blackbox exporter verifies the gateways with the sandbox's throw-away CA;
 *  - Alertmanager's gossip is off (one node; in a container it would bind the container's own address).
 * Pure: tests call it directly.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { operationsNames } from "../../model/naming";
import { HEAL_RECEIVER } from "../../render/alertmanager/config";
import { NOTIFIER_ENV, NOTIFIER_HEALTH_PATH, NotifierRecipients, parseNotifierRecipientsJson } from "../../notifier/src/env";
import { stablePortalPasswordHash } from "../../render/statusPortal/customersFile";
import { parsePortalCustomers, PORTAL_DEFAULTS, PORTAL_ENV, PORTAL_HEALTH_PATH } from "../../status-portal/src/env";
import type { Plan } from "../../planner/mockPlanner";
import { unwrapSecrets } from "../../planner/planValues";
import { STATUS_PORTAL_PASSWORDS_OUTPUT } from "../../program/deployStack";
import { substituteSecrets } from "../placeholderSecrets";
import type { OperationsRole } from "../roleOrder";

/** The sandbox's receivers, standing in for every address the notifier would send to. */
export interface SandboxReceivers {
  /**
   * The rendered recipients pointed at the receivers: every webhook (customers' and on-call's) at the webhook
   * sink, which learns the secrets, the smarthost at the mail sink (sandbox/ops/notificationSinks.ts).
   */
  pointRecipients(rendered: NotifierRecipients): NotifierRecipients;
}

export interface OperationsTranslationContext {
  receivers?: SandboxReceivers;
  /** The sandbox CA (PEM file): the blackbox exporter verifies the entry points with it, the notifier trusts it. */
  caFile?: string;
  /**
   * Each customer's portal password as the sandbox swapped it in (the operations stack's secret output): the plan's
   * customers file holds hashes of the offline placeholders, so the sandbox hashes these instead.
   */
  portalPasswords?: Record<string, string>;
}

/** What containerTranslation.ts hands over: the container's rewriting rules and its planned settings. */
export interface ContainerRewriting {
  name: string;
  /** The stack the container belongs to (its other containers' names derive from it). */
  stack: string;
  address: string;
  nodeBinary: string;
  notifierMain?: string;
  statusPortalMain?: string;
  entrypoints: string[];
  uploads: Array<{ file: string; content: string }>;
  plannedEnv: Record<string, string>;
  /** Container paths -> the sandbox's. */
  local(text: string): string;
  /** Host names -> addresses, then container paths -> the sandbox's. */
  hostsAndPaths(text: string): string;
}

export interface OperationsProcess {
  command: string;
  args: string[];
  env: Record<string, string>;
  files: Array<{ path: string; content: string; mode: number }>;
  ports: number[];
  /** An HTTP path answering 200 once the process is ready. */
  readyPath: string;
}

/** The ports the contract gives each (monitoring-contract: 9090, 9093, 9115, 9095). */
export const OPERATIONS_PORTS: Record<OperationsRole, number> = {
  prometheus: 9090,
  alertmanager: 9093,
  blackbox: 9115,
  notifier: 9095,
  "status-portal": PORTAL_DEFAULTS.port,
};

const READY_PATHS: Record<OperationsRole, string> = {
  prometheus: "/-/ready",
  alertmanager: "/-/ready",
  blackbox: "/-/healthy",
  notifier: NOTIFIER_HEALTH_PATH,
  "status-portal": PORTAL_HEALTH_PATH,
};

/**
 * `--web.listen-address=[host]:port` -> `<address>:port` (added with the default port when missing), so the
 * process listens on its own loopback address only. Returns the new arguments and the port.
 */
export function listenOnAddress(args: string[], flag: string, address: string, defaultPort: number): { args: string[]; port: number } {
  const prefix = `${flag}=`;
  let port = defaultPort;
  let found = false;
  const out = args.map((a) => {
    if (!a.startsWith(prefix)) return a;
    const m = /:(\d+)$/.exec(a.slice(prefix.length));
    if (!m) throw new Error(`${flag}: '${a.slice(prefix.length)}' has no port; expected [host]:port`);
    port = Number(m[1]);
    found = true;
    return `${prefix}${address}:${port}`;
  });
  if (!found) out.push(`${prefix}${address}:${port}`);
  return { args: out, port };
}

/** Alertmanager alone: gossip off (`--cluster.listen-address=` empty), whatever the container had. */
export function withoutGossip(args: string[]): string[] {
  return [...args.filter((a) => !a.startsWith("--cluster.")), "--cluster.listen-address="];
}

/**
 * The recipients file with every outgoing address replaced by the sandbox's receivers. The smarthost's
 * credentials go too: the mail sink takes mail without authentication (a real smarthost's account never
 * reaches the sandbox's files).
 */
export function sandboxRecipients(content: string, receivers: SandboxReceivers): string {
  let rendered: NotifierRecipients;
  try {
    rendered = parseNotifierRecipientsJson(content);
  } catch (e) {
    throw new Error(`the notifier's planned recipients file: ${(e as Error).message}`);
  }
  const pointed = receivers.pointRecipients(rendered);
  const { host, port, from } = pointed.smtp;
  return `${JSON.stringify({ ...pointed, smtp: { host, port, from } }, null, 2)}\n`;
}

/** Every `tls_config` of every blackbox module trusts the sandbox CA (the entry points' certificates come from it). */
export function blackboxWithCa(content: string, caFile: string): string {
  const doc = parseYaml(content) ?? {};
  for (const mod of Object.values<any>(doc.modules ?? {})) {
    for (const prober of ["http", "tcp"]) {
      const p = mod?.[prober];
      if (!p) continue;
      if (prober === "http" || p.tls) p.tls_config = { ...(p.tls_config ?? {}), ca_file: caFile };
    }
  }
  return stringifyYaml(doc);
}

/** Each customer's portal password of the operations stack's plan (secret output), with the sandbox's fresh values swapped in. */
export function sandboxPortalPasswords(plan: Plan, substitutions: Map<string, string>): Record<string, string> {
  const planned = (unwrapSecrets(plan.outputs[STATUS_PORTAL_PASSWORDS_OUTPUT]) ?? {}) as Record<string, string>;
  return substituteSecrets(planned, substitutions);
}

/**
 * The portal's customers file with each hash made from the password the sandbox swapped in (the same stable hash
 * the operations stack computes). A customer without a password, or two customers with the same one (the offline
 * placeholders of two customers met), is refused: a login would otherwise fail or open another customer's pages.
 */
export function sandboxPortalCustomers(content: string, passwords: Record<string, string>): string {
  const doc = parsePortalCustomers(JSON.parse(content));
  const seen = new Map<string, string>();
  for (const [customer, entry] of Object.entries(doc.customers)) {
    const password = passwords[customer];
    if (password === undefined) throw new Error(`the status portal's customers file: no sandbox password for customer '${customer}'`);
    const other = seen.get(password);
    if (other !== undefined) throw new Error(`the status portal's customers file: customers '${other}' and '${customer}' would share one sandbox password`);
    seen.set(password, customer);
    entry.passwordHash = stablePortalPasswordHash(customer, password);
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The heal service runs only on Docker (the sandbox skips it, SANDBOX_NOT_RUN_LABEL; its seams run in-process with the
 * sandbox): the sandbox's Alertmanager has no heal receiver to post to, so the receiver and its route go.
 */
export function withoutHealReceiver(alertmanagerYml: string): string {
  const doc = parseYaml(alertmanagerYml);
  if (!Array.isArray(doc?.receivers) || !doc.receivers.some((r: { name?: string }) => r?.name === HEAL_RECEIVER)) return alertmanagerYml;
  doc.receivers = doc.receivers.filter((r: { name?: string }) => r?.name !== HEAL_RECEIVER);
  if (Array.isArray(doc.route?.routes)) doc.route.routes = doc.route.routes.filter((r: { receiver?: string }) => r?.receiver !== HEAL_RECEIVER);
  return stringifyYaml(doc);
}

/** Every URL a rendered file would call must be one of the sandbox's own (127.0.0.0/8): never the outside. */
export function assertLoopbackOnly(file: string, content: string): void {
  const urls = content.match(/\bhttps?:\/\/[^\s"'<>]+/g) ?? [];
  const outside = urls.filter((u) => {
    try {
      return !/^127\.\d+\.\d+\.\d+$/.test(new URL(u).hostname);
    } catch {
      return true;
    }
  });
  if (outside.length) throw new Error(`${file}: the sandbox would call addresses outside this machine: ${[...new Set(outside)].join(", ")}`);
}

export function translateOperationsContainer(role: OperationsRole, c: ContainerRewriting, ctx: OperationsTranslationContext): OperationsProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.plannedEnv)) env[k] = c.hostsAndPaths(v);
  const files: OperationsProcess["files"] = [];
  for (const u of c.uploads) {
    let content = c.hostsAndPaths(u.content);
    if (role === "notifier" && /recipients.*\.json$/.test(u.file)) {
      if (!ctx.receivers) throw new Error(`${c.name}: the notifier needs the sandbox's receivers (none given): it would send to the customers' real addresses`);
      content = sandboxRecipients(content, ctx.receivers);
    } else if (role === "blackbox" && /\.ya?ml$/.test(u.file) && ctx.caFile) {
      content = blackboxWithCa(content, ctx.caFile);
    } else if (role === "alertmanager" && /\.ya?ml$/.test(u.file)) {
      content = withoutHealReceiver(content);
      assertLoopbackOnly(u.file, content);
    } else if (role === "status-portal" && u.file === PORTAL_DEFAULTS.customersFile) {
      if (!ctx.portalPasswords) throw new Error(`${c.name}: the status portal needs the sandbox's portal passwords (none given): nobody could log in`);
      content = sandboxPortalCustomers(content, ctx.portalPasswords);
    }
    files.push({ path: c.local(u.file), content, mode: 0o600 });
  }
  const [entry, ...rest] = c.entrypoints;
  if (!entry) throw new Error(`operations container '${c.name}' has no entrypoint (the contract wants an explicit command line)`);
  const defaultPort = OPERATIONS_PORTS[role];
  if (role === "notifier") {
    if (!c.notifierMain) throw new Error(`${c.name}: the notifier service is not built (dist/notifier/src/main.js)`);
    const port = Number(c.plannedEnv[NOTIFIER_ENV.port] ?? defaultPort);
    env[NOTIFIER_ENV.host] = c.address;
    if (ctx.caFile) env[NOTIFIER_ENV.caFile] = ctx.caFile;
    return { command: c.nodeBinary, args: [c.notifierMain], env, files, ports: [port], readyPath: READY_PATHS[role] };
  }
  if (role === "status-portal") {
    if (!c.statusPortalMain) throw new Error(`${c.name}: the status portal is not built (dist/status-portal/src/main.js)`);
    const port = Number(c.plannedEnv[PORTAL_ENV.port] ?? defaultPort);
    env[PORTAL_ENV.host] = c.address;
    // its HTTPS entry is the one peer whose X-Forwarded-For it believes (on Docker: the operations network's subnet)
    const entry = c.hostsAndPaths(operationsNames(c.stack).portalEntry);
    if (/^127\.\d+\.\d+\.\d+$/.test(entry)) env[PORTAL_ENV.trustedProxies] = entry;
    return { command: c.nodeBinary, args: [c.statusPortalMain], env, files, ports: [port], readyPath: READY_PATHS[role] };
  }
  let args = rest.map((a) => c.hostsAndPaths(a));
  if (role === "alertmanager") args = withoutGossip(args);
  const listen = listenOnAddress(args, "--web.listen-address", c.address, defaultPort);
  return { command: c.local(entry), args: listen.args, env, files, ports: [listen.port], readyPath: READY_PATHS[role] };
}
