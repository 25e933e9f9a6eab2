/**
 * Turns one planned Docker container into a local process, from exactly the files and settings the
 * components render. Only what a container gets from Docker is rewritten:
 *  - host names (container names on Docker networks) -> the containers' loopback addresses;
 *  - container paths (uploads, volumes, the image's private run dirs) -> `<sandbox>/<container>/<path>`,
 *    i.e. each container's filesystem is mirrored under its own directory;
 *  - "listen on every interface" (0.0.0.0, `*`, the container's own 127.0.0.1) -> the node's address;
 *  - Docker-only lines (HAProxy's resolver) go; placeholder PEMs and the basic-auth hash are replaced
 *    by the sandbox's throw-away certificates and password.
 * Pure: tests call it directly.
 */
import * as path from "path";
import { FSB_ENV } from "../fsb-emulator/src/env";
import { LC_ENV } from "../license-central/src/env";
import { replaceHosts } from "./sandboxAddresses";
import { adminSocketPath, haproxyBinds } from "../haproxy/parseConfig";
import { translateHaproxyConfig } from "../haproxy/translateConfig";

import { ContainerRole, START_ORDER } from "./roleOrder";
import { OperationsTranslationContext, translateOperationsContainer } from "./ops/operationsTranslation";

export type { ContainerRole } from "./roleOrder";

/** The inputs of a planned `docker:index/container:Container` that matter here (secrets unwrapped). */
export interface PlannedContainer {
  name: string;
  envs?: string[];
  entrypoints?: string[];
  /** Arguments after the entrypoint (Docker's CMD). */
  command?: string[];
  uploads?: Array<{ file: string; content: string }>;
  volumes?: Array<{ containerPath: string }>;
  ports?: Array<{ internal: number; external?: number }>;
  labels?: Array<{ label: string; value: string }>;
}

export interface SandboxFile {
  path: string;
  content: string;
  mode: number;
  /** Files a database node reads as the mysql user. */
  owner?: "mysql";
}

export interface SandboxProcessSpec {
  name: string;
  stack: string;
  role: ContainerRole;
  address: string;
  /** The container's filesystem root in the sandbox. */
  dir: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  files: SandboxFile[];
  /** Runs to completion (a SQL job) instead of staying up. */
  oneShot: boolean;
  /** TCP ports the process listens on at `address`. */
  ports: number[];
  /** Database: the server's socket (made explicit: in a container it is private to the container). */
  socket?: string;
  /** Galera node: its index and whether its start script may found the cluster. */
  galera?: { nodeIndex: number };
  /** HAProxy: the admin socket and the monitor URL. */
  adminSocket?: string;
  monitorPort?: number;
  /** HAProxy: the translated config (also in files). */
  config?: string;
  /** Operations processes (Prometheus, Alertmanager, blackbox, notifier): the HTTP path answering 200 when ready. */
  readyPath?: string;
}

export interface TranslationContext {
  stack: string;
  sandboxDir: string;
  addresses: Map<string, string>;
  nodeBinary: string;
  /** Absolute paths of the built service entry points. */
  services: { fsbEmulator: string; licenseCentral: string; notifier?: string; statusPortal?: string };
  haproxyBinary: string;
  /** PATH for the processes (the image's PATH is the host's here). */
  pathEnv: string;
  /** Entry points: the sandbox's server certificate + key, and the CA client certificates must chain to. */
  tls?: { serverPem: string; clientCaPem: string; clientCrlPem?: string };
  basicAuthPasswordHash?: string;
  extraBindAddresses?: string[];
  /** CIDRs appended to the allow list (e.g. 127.0.0.0/8 so this machine may call web services). */
  extraAllowList?: string[];
  /** The operations stack's processes: the sandbox's receivers and CA. */
  operations?: OperationsTranslationContext;
}

/** Paths private to a container of this role that are not uploads or volumes (the image's run dirs). */
const PRIVATE_RUNTIME_PATHS: Partial<Record<ContainerRole, string[]>> = {
  database: ["/run/mysqld"],
  "https-entry-point": ["/tmp/haproxy-admin.sock"],
};

export function containerRole(c: PlannedContainer): ContainerRole {
  const role = c.labels?.find((l) => l.label === "lchost.role")?.value;
  if (role && (START_ORDER as readonly string[]).includes(role)) return role as ContainerRole;
  throw new Error(`container '${c.name}': label lchost.role is '${role ?? "(missing)"}'; the sandbox runs ${START_ORDER.join(", ")}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Rewrites absolute container paths under the given prefixes to `<dir><path>`, in one pass. */
export function replaceContainerPaths(text: string, prefixes: string[], dir: string): string {
  if (prefixes.length === 0) return text;
  const alt = [...new Set(prefixes)]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|");
  const re = new RegExp(`(?<![A-Za-z0-9_./-])(${alt})(?=$|[^A-Za-z0-9_.-])`, "g");
  return text.replace(re, (m) => `${dir}${m}`);
}

function envRecord(envs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of envs) {
    const i = e.indexOf("=");
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/**
 * The container with some planned environment variables set otherwise (still in the plan's terms: translation
 * turns container names into addresses afterwards). Only variables the container is planned with: a misspelt
 * key would otherwise change nothing, silently.
 */
export function withPlannedEnv(c: PlannedContainer, env: Record<string, string>): PlannedContainer {
  const planned = envRecord(c.envs);
  const unknown = Object.keys(env).filter((k) => !(k in planned));
  if (unknown.length) throw new Error(`container '${c.name}' is not planned with ${unknown.join(", ")}: only planned variables can be set otherwise`);
  const envs = (c.envs ?? []).map((e) => {
    const key = e.slice(0, Math.max(0, e.indexOf("=")));
    return key && key in env ? `${key}=${env[key]}` : e;
  });
  return { ...c, envs };
}

/** Lines that name a node rather than address it keep their text. */
function replaceHostsInConfig(text: string, addresses: Map<string, string>): string {
  return text
    .split("\n")
    .map((l) => (/^\s*wsrep_(node|cluster)_name\s*=/.test(l) ? l : replaceHosts(l, addresses)))
    .join("\n");
}

export function translateContainer(c: PlannedContainer, ctx: TranslationContext): SandboxProcessSpec {
  const role = containerRole(c);
  const address = ctx.addresses.get(c.name);
  if (!address) throw new Error(`container '${c.name}' has no sandbox address`);
  const dir = path.join(ctx.sandboxDir, c.name);
  const uploads = c.uploads ?? [];
  const prefixes = [
    ...uploads.map((u) => path.posix.dirname(u.file)),
    ...(c.volumes ?? []).map((v) => v.containerPath),
    ...(PRIVATE_RUNTIME_PATHS[role] ?? []),
  ].filter((p) => p !== "/");
  const local = (p: string) => replaceContainerPaths(p, prefixes, dir);
  const hostsAndPaths = (text: string) => local(replaceHostsInConfig(text, ctx.addresses));
  const plannedEnv = envRecord(c.envs);
  const env: Record<string, string> = { PATH: ctx.pathEnv };
  for (const [k, v] of Object.entries(plannedEnv)) env[k] = hostsAndPaths(v);
  const files: SandboxFile[] = [];
  const base = { name: c.name, stack: ctx.stack, role, address, dir, env, files };

  switch (role) {
    case "database": {
      const socket = `${dir}/run/mysqld/mysqld.sock`;
      for (const u of uploads) {
        let content = hostsAndPaths(u.content);
        if (u.file.endsWith(".cnf")) {
          content = content.replace(/^(bind-address\s*=\s*)0\.0\.0\.0\s*$/m, `$1${address}`).replace(/tcp:\/\/0\.0\.0\.0:/g, `tcp://${address}:`);
          // In a container these are the image's private defaults; on one host every node needs its own.
          // tmpdir too: at start mariadbd deletes every #sql* file in its tmpdir, so servers sharing /tmp
          // delete each other's temporary tables (a bootstrap failed with "Unknown table 'mysql.tmp_user_sys'").
          content = `${content.replace(/\n*$/, "\n")}# sandbox: the container's private socket, pid file and tmpdir, made explicit\nsocket = ${socket}\npid-file = ${dir}/run/mysqld/mysqld.pid\ntmpdir = ${dir}/run/mysqld\n`;
        }
        files.push({ path: local(u.file), content, mode: u.file.endsWith(".sql") ? 0o600 : u.file.endsWith(".sh") ? 0o755 : 0o644, owner: "mysql" });
      }
      const [command, ...args] = (c.entrypoints ?? []).map(local);
      if (!command) throw new Error(`database container '${c.name}' has no entrypoint (the rendered start script)`);
      // mariadb-install-db in the start script reads no config file: its bootstrap server takes $TMPDIR
      env.TMPDIR = `${dir}/run/mysqld`;
      const cnf = uploads.find((u) => u.file.endsWith(".cnf"))?.content ?? "";
      const galera = /^\s*wsrep_on\s*=\s*ON/m.test(cnf);
      const ports = galera ? [3306, 4567, 4568, 4444] : [3306];
      const nodeIndex = galera ? galeraNodeIndex(cnf, c.name) : undefined;
      return { ...base, command, args, oneShot: false, ports, socket, galera: nodeIndex ? { nodeIndex } : undefined };
    }
    case "database-exporter": {
      // Debian's prometheus-mysqld-exporter, the planned command line; its my.cnf names the database's address
      for (const u of uploads) files.push({ path: local(u.file), content: hostsAndPaths(u.content), mode: 0o600 });
      const [command, ...planned] = c.entrypoints ?? [];
      if (!command) throw new Error(`database exporter '${c.name}' has no entrypoint (prometheus-mysqld-exporter)`);
      const args = planned.map((a) => local(a).replace(/^--web\.listen-address=(?:0\.0\.0\.0|\*)?:/, `--web.listen-address=${address}:`));
      const listen = args.map((a) => /^--web\.listen-address=\S*:(\d+)$/.exec(a)?.[1]).find(Boolean);
      if (!listen) throw new Error(`database exporter '${c.name}': no --web.listen-address=<address>:<port> in its entrypoint`);
      return { ...base, command, args, oneShot: false, ports: [Number(listen)] };
    }
    case "sql-job": {
      for (const u of uploads) files.push({ path: local(u.file), content: hostsAndPaths(u.content), mode: 0o600 });
      const [command, ...args] = (c.entrypoints ?? []).map(hostsAndPaths);
      if (!command) throw new Error(`SQL job '${c.name}' has no entrypoint`);
      return { ...base, command, args, oneShot: true, ports: [] };
    }
    case "fsb": {
      env[FSB_ENV.host] = address;
      const port = Number(plannedEnv[FSB_ENV.port] ?? 7070);
      return { ...base, command: ctx.nodeBinary, args: [ctx.services.fsbEmulator], oneShot: false, ports: [port] };
    }
    case "license-central": {
      env[LC_ENV.host] = address;
      const ports = [Number(plannedEnv[LC_ENV.port] ?? 8080), Number(plannedEnv[LC_ENV.adminPort] ?? 8081)];
      return { ...base, command: ctx.nodeBinary, args: [ctx.services.licenseCentral], oneShot: false, ports };
    }
    case "https-entry-point": {
      const cfgUpload = uploads.find((u) => u.file.endsWith("haproxy.cfg"));
      if (!cfgUpload) throw new Error(`entry point '${c.name}' has no haproxy.cfg upload`);
      const config = translateHaproxyConfig(hostsAndPaths(cfgUpload.content), {
        address,
        extraBindAddresses: ctx.extraBindAddresses,
        basicAuthPasswordHash: ctx.basicAuthPasswordHash,
      });
      for (const u of uploads) {
        let content: string;
        if (u === cfgUpload) content = config;
        else if (u.file.endsWith("server.pem")) content = requireTls(ctx, c.name).serverPem;
        else if (u.file.endsWith("client-ca.crt")) content = requireTls(ctx, c.name).clientCaPem;
        else if (u.file.endsWith("client-ca.crl")) {
          const crl = requireTls(ctx, c.name).clientCrlPem;
          if (!crl)
            throw new Error(`entry point '${c.name}': the stack's lchost:connection.clientCertificate.crl needs the sandbox CA's revocation list, none given`);
          content = crl;
        } else if (u.file.endsWith(".lst")) content = u.content + (ctx.extraAllowList ?? []).map((x) => `${x}\n`).join("");
        else content = hostsAndPaths(u.content);
        files.push({ path: local(u.file), content, mode: 0o600 });
      }
      const adminSocket = adminSocketPath(config);
      const binds = haproxyBinds(config);
      const monitorPort = binds.find((b) => b.frontend === "monitor")?.port;
      const ports = binds.map((b) => b.port);
      return {
        ...base,
        command: ctx.haproxyBinary,
        args: ["-db", "-f", local(cfgUpload.file)],
        oneShot: false,
        ports: [...new Set(ports)],
        adminSocket,
        monitorPort,
        config,
      };
    }
    case "notifier":
    case "status-portal":
    case "alertmanager":
    case "blackbox":
    case "prometheus": {
      const ops = translateOperationsContainer(
        role,
        {
          name: c.name,
          stack: ctx.stack,
          address,
          nodeBinary: ctx.nodeBinary,
          notifierMain: ctx.services.notifier,
          statusPortalMain: ctx.services.statusPortal,
          entrypoints: [...(c.entrypoints ?? []), ...(c.command ?? [])],
          uploads,
          plannedEnv,
          local,
          hostsAndPaths,
        },
        ctx.operations ?? {},
      );
      return { ...base, ...ops, env: { PATH: ctx.pathEnv, ...ops.env }, oneShot: false };
    }
  }
}

function requireTls(ctx: TranslationContext, name: string): NonNullable<TranslationContext["tls"]> {
  if (!ctx.tls) throw new Error(`entry point '${name}': no sandbox TLS material given`);
  return ctx.tls;
}

/** 1-based position of the node in wsrep_cluster_address (node 1 founds the cluster). */
function galeraNodeIndex(cnf: string, name: string): number | undefined {
  const addresses = /^\s*wsrep_cluster_address\s*=\s*gcomm:\/\/(\S+)/m.exec(cnf)?.[1]?.split(",") ?? [];
  const i = addresses.findIndex((a) => a.split(":")[0] === name);
  return i >= 0 ? i + 1 : undefined;
}
