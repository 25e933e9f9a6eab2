import * as fs from "fs";
import * as path from "path";
import { FSB_DEFAULTS } from "../fsb-emulator/src/env";
import { LC_DEFAULTS } from "../license-central/src/env";
import { EditionId, editionFacts } from "./catalog";
import type { DatabaseKind } from "./databaseKind";
import { customerNames, databaseExporterName, MONITORING_PORTS, sharedServerNames } from "./naming";
import { packageRoot } from "./packageRoot";
import { CustomerConfig, NotificationSettings, SharedServerConfig } from "./stackConfig";
import { loadStackFile, StackFile, stackNameOfReference } from "./stackFile";

/** One scrape target of a customer: `part` names it in alerts (line-2, db-3, fsb-1, gateway). */
export interface FleetPart {
  part: string;
  /** Container name (the sandbox rewrites it to a loopback address). */
  host: string;
  port: number;
}

export interface FleetDatabase extends FleetPart {
  kind: DatabaseKind;
  /** The database node's container; `host` is its mysqld-exporter sidecar. */
  container: string;
}

export interface FleetFsb extends FleetPart {
  /** The hosting team's shared FSB (Dedicated Server) or a shared server's (Datacenter): other customers use it too. */
  shared: boolean;
}

export interface FleetGateway extends FleetPart {
  /** The HAProxy backend that serves this customer (a shared entry point has one per tenant). */
  backend: string;
}

/** The public HTTPS entry as customers reach it, and where the blackbox exporter probes it. */
export interface FleetEntry {
  part: "entry";
  /** The public host name, `<customer>.<domain>`: the probe's TLS server name and Host header. */
  publicHost: string;
  publicPort: number;
  /** host:port of the entry point's container (its internal HTTPS port). */
  target: string;
}

/** Everything the operations stack watches of one customer; every part carries the customer's labels. */
export interface MonitoredCustomer {
  customer: string;
  stack: string;
  edition: EditionId;
  /** Datacenter tenants: the shared-server stack whose database, FSB and entry point they use. */
  sharedServer?: string;
  lines: FleetPart[];
  databases: FleetDatabase[];
  fsbs: FleetFsb[];
  gateway: FleetGateway;
  entry: FleetEntry;
  notifications?: NotificationSettings;
}

export interface Fleet {
  /** Sorted by customer name, so rendered files do not change when files are listed in another order. */
  customers: MonitoredCustomer[];
}

/** Where `lchost:fleet.stacksDir` points: relative paths are relative to the project root. */
export function resolveStacksDir(stacksDir: string, root = packageRoot()): string {
  return path.resolve(root, stacksDir);
}

/** Parses host and port of a URL such as http://fsb.dc1.lchost.local:7070 (the scheme's port if none). */
function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80 };
}

function ownCustomer(stack: StackFile, cfg: CustomerConfig): MonitoredCustomer {
  const facts = editionFacts(cfg.edition);
  const names = customerNames(cfg.customer);
  const nodes = facts.database.kind === "cluster" ? facts.database.nodes : 1;
  const lineNumbers = Array.from({ length: cfg.lines }, (_, i) => i + 1);
  const fsbs: FleetFsb[] = facts.includes.dedicatedFsb
    ? lineNumbers.map((n) => ({ part: `fsb-${n}`, host: names.fsb(n), port: FSB_DEFAULTS.port, shared: false }))
    : cfg.fsb.sharedUrl
      ? [{ part: "fsb-1", ...hostPort(cfg.fsb.sharedUrl), shared: true }]
      : [];
  return {
    customer: cfg.customer,
    stack: stack.stackName,
    edition: cfg.edition,
    lines: lineNumbers.map((n) => ({ part: `line-${n}`, host: names.line(n), port: LC_DEFAULTS.adminPort })),
    databases: Array.from({ length: nodes }, (_, i) => ({
      part: `db-${i + 1}`,
      kind: facts.database.kind,
      container: names.dbHost(i + 1),
      host: databaseExporterName(names.dbHost(i + 1)),
      port: MONITORING_PORTS.mysqldExporter,
    })),
    fsbs,
    gateway: { part: "gateway", host: names.gateway, port: MONITORING_PORTS.haproxyMetrics, backend: "license_central" },
    entry: {
      part: "entry",
      publicHost: `${cfg.customer}.${cfg.domain}`,
      publicPort: cfg.httpsPort,
      target: `${names.gateway}:${MONITORING_PORTS.gatewayHttps}`,
    },
    notifications: cfg.notifications,
  };
}

/** A Datacenter tenant: its own line; the shared server's database, FSB and entry point, labelled as the tenant's. */
function tenant(stack: StackFile, cfg: CustomerConfig, shared: SharedServerConfig): MonitoredCustomer {
  const s = sharedServerNames(shared.name);
  return {
    customer: cfg.customer,
    stack: stack.stackName,
    edition: cfg.edition,
    sharedServer: shared.name,
    lines: [{ part: "line-1", host: customerNames(cfg.customer).line(1), port: LC_DEFAULTS.adminPort }],
    databases: [{ part: "db-1", kind: "shared-tenant", container: s.db, host: databaseExporterName(s.db), port: MONITORING_PORTS.mysqldExporter }],
    fsbs: [{ part: "fsb-1", host: s.fsb, port: FSB_DEFAULTS.port, shared: true }],
    // the shared entry point's backend of this tenant (editions/SharedServer.ts names it so)
    gateway: { part: "gateway", host: s.entry, port: MONITORING_PORTS.haproxyMetrics, backend: `tenant_${cfg.customer.replace(/-/g, "_")}` },
    entry: {
      part: "entry",
      publicHost: `${cfg.customer}.${shared.domain}`,
      publicPort: shared.httpsPort,
      target: `${s.entry}:${MONITORING_PORTS.gatewayHttps}`,
    },
    notifications: cfg.notifications,
  };
}

/**
 * The monitored customers of a set of parsed stack files (pure). Shared-server stacks contribute their
 * parts to their tenants; operations stacks are not watched. A tenant whose shared server is not among
 * the stacks is refused: its database, FSB and entry would go unwatched.
 */
export function fleetOf(stacks: StackFile[]): Fleet {
  const shared = new Map<string, SharedServerConfig>();
  // The operations stack scrapes containers by their Docker names on the Docker hosts; stacks on Kubernetes
  // are not among its targets (monitoring them in the cluster is not built yet, docs/kubernetes.md).
  stacks = stacks.filter((s) => s.config.role === "operations" || s.config.platform === "docker");
  for (const s of stacks) if (s.config.role === "shared-server") shared.set(s.stackName, s.config);
  const customers: MonitoredCustomer[] = [];
  const seen = new Map<string, string>();
  for (const s of stacks) {
    const cfg = s.config;
    if (cfg.role !== "customer") continue;
    const other = seen.get(cfg.customer);
    if (other) throw new Error(`fleet: customer '${cfg.customer}' is configured by two stacks (${other} and ${s.stackName}); alerts could not tell them apart`);
    seen.set(cfg.customer, s.stackName);
    if (editionFacts(cfg.edition).includes.sharedServer) {
      const name = stackNameOfReference(cfg.sharedServer!);
      const server = shared.get(name);
      if (!server) throw new Error(`fleet: ${s.path}: lchost:sharedServer '${cfg.sharedServer}' is not a shared-server stack among the watched stacks`);
      customers.push(tenant(s, cfg, server));
    } else {
      customers.push(ownCustomer(s, cfg));
    }
  }
  customers.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  return { customers };
}

/** Reads every stack file (Pulumi.<stack>.yaml) of a directory and builds the fleet; a faulty file is an error naming it. */
export function loadFleet(stacksDir: string): Fleet {
  if (!fs.existsSync(stacksDir)) throw new Error(`lchost:fleet.stacksDir: '${stacksDir}' does not exist`);
  const files = fs
    .readdirSync(stacksDir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort();
  return fleetOf(files.map((f) => loadStackFile(path.join(stacksDir, f))));
}
