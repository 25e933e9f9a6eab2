import { plainYaml } from "../plainYaml";
import { MonitoringIntervals } from "../../model/catalog";
import { Fleet } from "../../model/fleet";
import { scrapeTimeoutSeconds } from "./config";
import { blackboxModuleName } from "./targets";

export interface BlackboxConfigInput {
  fleet: Fleet;
  intervals: MonitoringIntervals;
  /**
   * The CA file that verifies a customer's entry certificate (the gateways' certificates are self-signed:
   * the certificate itself), or undefined to verify against the system's roots.
   */
  caFileOf?: (customer: string) => string | undefined;
}

/**
 * blackbox.yml: one HTTPS module per customer, asking for the customer's public host name (TLS server
 * name and Host header, so a shared entry point routes the probe to the right tenant). A probe counts as
 * failed unless TLS was used and License Central's health path answered 200.
 */
export function renderBlackboxConfig(input: BlackboxConfigInput): string {
  // A probe must give up before Prometheus' scrape does, or a hung entry reads as a lost scrape.
  const timeout = Math.max(1, scrapeTimeoutSeconds(input.intervals) - 1);
  const modules: Record<string, unknown> = {};
  for (const c of input.fleet.customers) {
    const ca = input.caFileOf?.(c.customer);
    modules[blackboxModuleName(c.customer)] = {
      prober: "http",
      timeout: `${timeout}s`,
      http: {
        method: "GET",
        valid_status_codes: [200],
        follow_redirects: false,
        fail_if_ssl: false,
        fail_if_not_ssl: true,
        preferred_ip_protocol: "ip4",
        headers: { Host: c.entry.publicHost },
        tls_config: { server_name: c.entry.publicHost, insecure_skip_verify: false, ...(ca ? { ca_file: ca } : {}) },
      },
    };
  }
  return `# Rendered by lchost (render/prometheus/blackbox.ts); do not edit.\n${plainYaml({ modules })}`;
}
