import { plainYaml } from "../plainYaml";
import { LC_HEALTH_PATH } from "../../license-central/src/env";
import { editionCatalog, MonitoringIntervals } from "../../model/catalog";
import { Fleet } from "../../model/fleet";
import { MONITORING_PORTS, operationsNames } from "../../model/naming";
import { blackboxModuleName, SCRAPE_JOBS, ScrapeJob, scrapeTargets } from "./targets";

/** Where the operations stack uploads Prometheus' files (the sandbox rewrites these paths). */
export const PROMETHEUS_DIR = "/etc/lchost/prometheus";

export interface PrometheusConfigInput {
  fleet: Fleet;
  /** The operations stack's name (container names) and intervals (catalog defaults with its overrides). */
  operationsStack: string;
  intervals: MonitoringIntervals;
  rulesFile?: string;
}

const seconds = (n: number) => `${n}s`;

/** Scrape timeout: the catalog's, but never longer than the scrape interval an operations stack chose. */
export function scrapeTimeoutSeconds(iv: MonitoringIntervals): number {
  return Math.min(iv.scrapeTimeoutSeconds, iv.scrapeSeconds);
}

/** The URL the blackbox exporter probes for a customer's entry: its container's HTTPS port, License Central's health path. */
export function probeUrl(target: string): string {
  return `https://${target}${LC_HEALTH_PATH}`;
}

/**
 * prometheus.yml of an operations stack: the five jobs of the monitoring contract with the customer,
 * edition, component and part labels on every target, Alertmanager and the rule file. Pure and
 * deterministic: the same fleet gives the same bytes.
 */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const ops = operationsNames(input.operationsStack);
  const iv = input.intervals;
  const targets = scrapeTargets(input.fleet);
  const jobs = SCRAPE_JOBS.map((job) => ({ job, targets: targets.filter((t) => t.job === job) })).filter((j) => j.targets.length > 0);
  const staticConfigs = (job: ScrapeJob) =>
    targets
      .filter((t) => t.job === job)
      .map((t) => ({
        targets: [job === "blackbox-https" ? probeUrl(t.address) : t.address],
        labels: job === "blackbox-https" ? { ...t.labels, __param_module: blackboxModuleName(t.labels.customer) } : { ...t.labels },
      }));
  const scrapeConfigs = jobs.map(({ job }) => {
    if (job !== "blackbox-https") return { job_name: job, metrics_path: "/metrics", scheme: "http", static_configs: staticConfigs(job) };
    return {
      job_name: job,
      metrics_path: "/probe",
      scheme: "http",
      static_configs: staticConfigs(job),
      // The target is the URL to probe; Prometheus asks the blackbox exporter, which probes it.
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { target_label: "__address__", replacement: `${ops.blackbox}:${MONITORING_PORTS.blackbox}` },
      ],
    };
  });
  const doc = {
    global: {
      scrape_interval: seconds(iv.scrapeSeconds),
      scrape_timeout: seconds(scrapeTimeoutSeconds(iv)),
      evaluation_interval: seconds(iv.evaluationSeconds),
      external_labels: { operations_stack: input.operationsStack },
    },
    alerting: {
      alertmanagers: [{ scheme: "http", timeout: "10s", static_configs: [{ targets: [`${ops.alertmanager}:${MONITORING_PORTS.alertmanager}`] }] }],
    },
    rule_files: [input.rulesFile ?? `${PROMETHEUS_DIR}/rules.yml`],
    scrape_configs: scrapeConfigs,
  };
  return `# Rendered by lchost (render/prometheus/config.ts) for operations stack ${input.operationsStack}; do not edit.\n${plainYaml(doc)}`;
}

/** The defaults an operations stack ships with (the catalog's monitoring.intervals). */
export function defaultIntervals(): MonitoringIntervals {
  return { ...editionCatalog().monitoring.intervals };
}
