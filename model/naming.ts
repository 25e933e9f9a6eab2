import { NOTIFIER_DEFAULTS } from "../notifier/src/env";

/**
 * Physical names of everything a stack creates. They depend on the customer and, for the parts an edition
 * change replaces, on the deployment generation (`lchost:generation`, set by `lchost migrate --target
 * docker`): the database containers and volumes, the FSBs and the License Central lines of generation N are
 * `lc-<customer>-g<N>-…`, so the next edition's side starts beside the running one before maintenance begins.
 * The network, the HTTPS gateway (switched in place) and the FSBs' key volumes keep one name across generations.
 * Without a generation the names are those of stacks deployed before generations existed. Never the
 * edition: the same generation gives the same names, so a real `pulumi up` keeps them.
 */
export interface CustomerNames {
  network: string;
  gateway: string;
  /** Database volume of node i (1-based); node 1 is the single server of Dedicated/High Performance. */
  dbVolume(node: number): string;
  dbHost(node: number): string;
  line(line: number): string;
  fsb(line: number): string;
  fsbVolume(line: number): string;
  schema: string;
  dbUser: string;
}

export function customerNames(customer: string, generation?: number): CustomerNames {
  const p = `lc-${customer}`;
  // g = the prefix of what belongs to one generation
  const g = generation === undefined ? p : `${p}-g${generation}`;
  return {
    network: p,
    gateway: `${p}-gateway`,
    dbVolume: (n) => (n === 1 ? `${g}-db-data` : `${g}-db-data-${n}`),
    dbHost: (n) => (n === 1 ? `${g}-db` : `${g}-db-${n}`),
    line: (n) => `${g}-line-${n}`,
    fsb: (n) => `${g}-fsb-${n}`,
    // an FSB's keys outlive generations: licenses it signed stay valid, and the new box starts with the same keys
    fsbVolume: (n) => `${p}-fsb-keys-${n}`,
    schema: "license_central",
    dbUser: "license_central",
  };
}

/** The Galera cluster name of a customer's generation (two generations' clusters never merge). */
export function galeraClusterName(customer: string, generation?: number): string {
  return generation === undefined ? `lc-${customer}` : `lc-${customer}-g${generation}`;
}

export interface SharedServerNames {
  /** Its Kubernetes namespace. */
  namespace: string;
  backendNetwork: string;
  tenantNetwork(tenant: string): string;
  db: string;
  dbVolume: string;
  fsb: string;
  fsbVolume: string;
  entry: string;
  provisionerUser: string;
}

export function sharedServerNames(name: string): SharedServerNames {
  const p = `lc-${name}`;
  return {
    namespace: p,
    backendNetwork: `${p}-backend`,
    tenantNetwork: (t) => `${p}-tenant-${t}`,
    db: `${p}-db`,
    dbVolume: `${p}-db-data`,
    fsb: `${p}-fsb`,
    fsbVolume: `${p}-fsb-keys`,
    entry: `${p}-entry`,
    provisionerUser: "lchost_provisioner",
  };
}

/** The prometheus-mysqld-exporter container beside a database container (the ops stack's `mysqld` job scrapes it on 9104). */
export function databaseExporterName(databaseContainer: string): string {
  return `${databaseContainer}-exporter`;
}

/** A tenant's schema and database user on the shared server: `lc_<customer>` with '-' as '_'. */
export function tenantDatabaseName(customer: string): string {
  return `lc_${customer.replace(/-/g, "_")}`;
}

/** The operations stack's containers and retained volumes (one set per data centre). */
export interface OperationsNames {
  network: string;
  prometheus: string;
  prometheusVolume: string;
  alertmanager: string;
  alertmanagerVolume: string;
  blackbox: string;
  notifier: string;
  /** The status portal (status-portal/), its MariaDB with its retained volume, and the HTTPS entry publishing its pages. */
  statusPortal: string;
  portalDatabase: string;
  portalDatabaseVolume: string;
  portalEntry: string;
  /** The heal service (`lchost heal serve`), and its MariaDB (the audit table heal_actions) with its retained volume. */
  heal: string;
  healDatabase: string;
  healDatabaseVolume: string;
}

export function operationsNames(stack: string): OperationsNames {
  const p = `lc-${stack}`; // stack names are unique in a stacks directory, so these never meet a customer's
  return {
    network: p,
    prometheus: `${p}-prometheus`,
    prometheusVolume: `${p}-prometheus-data`,
    alertmanager: `${p}-alertmanager`,
    alertmanagerVolume: `${p}-alertmanager-data`,
    blackbox: `${p}-blackbox`,
    notifier: `${p}-notifier`,
    statusPortal: `${p}-status-portal`,
    portalDatabase: `${p}-portal-db`,
    portalDatabaseVolume: `${p}-portal-db-data`,
    portalEntry: `${p}-portal-entry`,
    heal: `${p}-heal`,
    healDatabase: `${p}-heal-db`,
    healDatabaseVolume: `${p}-heal-db-data`,
  };
}

/**
 * A container label: the sandbox does not run this container (its value says why): the heal service and its database,
 * whose seams in the sandbox act in-process on the processes the sandbox's own Node process owns (docs/self-healing.md).
 */
export const SANDBOX_NOT_RUN_LABEL = "lchost.not-in-sandbox";

/** Ports of the monitoring contract (issue 9): where each system listens inside its container. */
export const MONITORING_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  notifier: NOTIFIER_DEFAULTS.port,
  blackbox: 9115,
  mysqldExporter: 9104,
  /** HAProxy's `frontend prometheus` in every gateway, balancer and shared entry point. */
  haproxyMetrics: 8405,
  /** The HTTPS entry point inside its container (components/HttpsEntryPoint.ts ENTRY_INTERNAL_PORT; a test keeps them equal). */
  gatewayHttps: 8443,
} as const;
