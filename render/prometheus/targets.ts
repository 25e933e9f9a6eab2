import { Fleet, FleetPart, MonitoredCustomer } from "../../model/fleet";

/** The scrape jobs of the monitoring contract (issue 9). */
export const SCRAPE_JOBS = ["lc-line", "fsb", "haproxy", "mysqld", "blackbox-https"] as const;
export type ScrapeJob = (typeof SCRAPE_JOBS)[number];

/** What an alert says is affected (label `component`). */
export const COMPONENTS = ["entry", "gateway", "line", "fsb", "database", "quota", "certificate", "slo"] as const;
export type Component = (typeof COMPONENTS)[number];

/** Labels every target carries, so every series and alert names its customer, edition, component and part. */
export interface TargetLabels {
  customer: string;
  edition: string;
  component: Component;
  part: string;
  /** Datacenter tenants: the shared server whose part this is (scraped once per tenant, labelled per tenant). */
  shared_server?: string;
  /** haproxy job: the HAProxy backend of this customer (the error-rate rule keeps only its series). */
  backend?: string;
  /** blackbox-https job: the public host name the probe asks for. */
  public_host?: string;
}

export interface ScrapeTarget {
  job: ScrapeJob;
  /** host:port (blackbox-https: the entry's host:port, probed through the blackbox exporter). */
  address: string;
  labels: TargetLabels;
}

function base(c: MonitoredCustomer, component: Component, p: { part: string }): TargetLabels {
  const l: TargetLabels = { customer: c.customer, edition: c.edition, component, part: p.part };
  if (c.sharedServer) l.shared_server = c.sharedServer;
  return l;
}

const address = (p: FleetPart) => `${p.host}:${p.port}`;

/** Every scrape target of the fleet, in a stable order (job, then customer, then part). */
export function scrapeTargets(fleet: Fleet): ScrapeTarget[] {
  const byJob: Record<ScrapeJob, ScrapeTarget[]> = { "lc-line": [], fsb: [], haproxy: [], mysqld: [], "blackbox-https": [] };
  for (const c of fleet.customers) {
    for (const l of c.lines) byJob["lc-line"].push({ job: "lc-line", address: address(l), labels: base(c, "line", l) });
    for (const f of c.fsbs) byJob.fsb.push({ job: "fsb", address: address(f), labels: base(c, "fsb", f) });
    byJob.haproxy.push({ job: "haproxy", address: address(c.gateway), labels: { ...base(c, "gateway", c.gateway), backend: c.gateway.backend } });
    for (const d of c.databases) byJob.mysqld.push({ job: "mysqld", address: address(d), labels: base(c, "database", d) });
    byJob["blackbox-https"].push({
      job: "blackbox-https",
      address: c.entry.target,
      labels: { ...base(c, "entry", c.entry), public_host: c.entry.publicHost },
    });
  }
  return SCRAPE_JOBS.flatMap((j) => byJob[j]);
}

/** The blackbox exporter module that probes a customer's entry (one per customer: its own TLS server name). */
export function blackboxModuleName(customer: string): string {
  return `https_${customer.replace(/-/g, "_")}`;
}
