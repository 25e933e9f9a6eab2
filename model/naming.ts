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

/** A tenant's schema and database user on the shared server: `lc_<customer>` with '-' as '_'. */
export function tenantDatabaseName(customer: string): string {
  return `lc_${customer.replace(/-/g, "_")}`;
}
