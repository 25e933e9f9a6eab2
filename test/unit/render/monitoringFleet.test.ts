import * as YAML from "yaml";
import { ENTRY_INTERNAL_PORT } from "../../../components/HttpsEntryPoint";
import { HAPROXY_PROMETHEUS_PORT } from "../../../haproxy/renderConfig";
import { fleetOf, loadFleet } from "../../../model/fleet";
import { databaseExporterName, MONITORING_PORTS, operationsNames } from "../../../model/naming";
import { stacksDir } from "../../../model/stackFile";
import { renderAlertmanagerConfig } from "../../../render/alertmanager/config";
import { renderNotifierRecipients } from "../../../render/notifier/recipients";
import { renderAlertTable, renderBlackboxConfig, renderPrometheusConfig, scrapeTargets } from "../../../render/prometheus";
import { parseNotifierRecipientsJson } from "../../../notifier/src/env";
import { notifiedFleet, operationsExample } from "../../checks/monitoring/support";
import { stackFile } from "../stackFixtures";

describe("operations names", () => {
  it("are lc-<stack>-<system>, like every stack's names (an operations stack named ops-dc1 gives lc-ops-dc1-…)", () => {
    expect(operationsNames("ops-dc1")).toEqual({
      network: "lc-ops-dc1",
      prometheus: "lc-ops-dc1-prometheus",
      prometheusVolume: "lc-ops-dc1-prometheus-data",
      alertmanager: "lc-ops-dc1-alertmanager",
      alertmanagerVolume: "lc-ops-dc1-alertmanager-data",
      blackbox: "lc-ops-dc1-blackbox",
      notifier: "lc-ops-dc1-notifier",
      statusPortal: "lc-ops-dc1-status-portal",
      portalDatabase: "lc-ops-dc1-portal-db",
      portalDatabaseVolume: "lc-ops-dc1-portal-db-data",
      portalEntry: "lc-ops-dc1-portal-entry",
      heal: "lc-ops-dc1-heal",
      healDatabase: "lc-ops-dc1-heal-db",
      healDatabaseVolume: "lc-ops-dc1-heal-db-data",
    });
    expect(databaseExporterName("lc-wayne-db-2")).toBe("lc-wayne-db-2-exporter");
  });

  it("scrape and probe the ports the entry point listens on", () => {
    expect(MONITORING_PORTS.gatewayHttps).toBe(ENTRY_INTERNAL_PORT);
    expect(MONITORING_PORTS.haproxyMetrics).toBe(HAPROXY_PROMETHEUS_PORT);
  });
});

describe("the fleet view of stacks/", () => {
  const fleet = loadFleet(stacksDir());
  const byName = (c: string) => fleet.customers.find((x) => x.customer === c)!;

  it("lists every customer stack, sorted, and leaves the shared server to its tenants", () => {
    expect(fleet.customers.map((c) => c.customer)).toEqual(["acme", "globex", "hooli", "initech", "wayne"]);
  });

  it("gives an HA customer its lines, FSBs, Galera nodes with exporter sidecars, gateway and public entry", () => {
    expect(byName("wayne")).toMatchObject({
      edition: "high-availability",
      lines: [1, 2, 3].map((n) => ({ part: `line-${n}`, host: `lc-wayne-line-${n}`, port: 8081 })),
      fsbs: [1, 2, 3].map((n) => ({ part: `fsb-${n}`, host: `lc-wayne-fsb-${n}`, port: 7070, shared: false })),
      databases: [
        { part: "db-1", kind: "cluster", container: "lc-wayne-db", host: "lc-wayne-db-exporter", port: 9104 },
        { part: "db-2", kind: "cluster", container: "lc-wayne-db-2", host: "lc-wayne-db-2-exporter", port: 9104 },
        { part: "db-3", kind: "cluster", container: "lc-wayne-db-3", host: "lc-wayne-db-3-exporter", port: 9104 },
      ],
      gateway: { part: "gateway", host: "lc-wayne-gateway", port: 8405, backend: "license_central" },
      entry: { part: "entry", publicHost: "wayne.lchost.local", publicPort: 443, target: "lc-wayne-gateway:8443" },
    });
  });

  it("gives a Dedicated Server the hosting team's shared FSB, marked shared", () => {
    expect(byName("globex").fsbs).toEqual([{ part: "fsb-1", host: "fsb.dc1.lchost.local", port: 7070, shared: true }]);
  });

  it("gives a Datacenter tenant its own line and the shared server's database, FSB and entry, under its own host name", () => {
    expect(byName("acme")).toMatchObject({
      edition: "datacenter",
      sharedServer: "shared-dc1",
      lines: [{ part: "line-1", host: "lc-acme-line-1" }],
      databases: [{ part: "db-1", kind: "shared-tenant", container: "lc-shared-dc1-db", host: "lc-shared-dc1-db-exporter" }],
      fsbs: [{ part: "fsb-1", host: "lc-shared-dc1-fsb", shared: true }],
      gateway: { host: "lc-shared-dc1-entry", backend: "tenant_acme" },
      entry: { publicHost: "acme.dc1.lchost.local", publicPort: 443, target: "lc-shared-dc1-entry:8443" },
    });
  });

  it("refuses a tenant whose shared server is not among the stacks", () => {
    expect(() => fleetOf([stackFile("acme", { customer: "acme", edition: "datacenter", sharedServer: "shared-dc9" })])).toThrow(
      /lchost:sharedServer 'shared-dc9' is not a shared-server stack among the watched stacks/,
    );
  });

  it("refuses two stacks for the same customer", () => {
    const hp = { edition: "high-performance", connection: { ipAllowList: ["192.0.2.0/24"] } };
    expect(() => fleetOf([stackFile("a", { customer: "hooli", ...hp }), stackFile("b", { customer: "hooli", ...hp })])).toThrow(
      /customer 'hooli' is configured by two stacks \(a and b\)/,
    );
  });
});

describe("prometheus.yml", () => {
  const ops = operationsExample();
  const render = () => renderPrometheusConfig({ fleet: loadFleet(stacksDir()), operationsStack: ops.name, intervals: ops.operations.intervals });

  it("is the same text for the same fleet", () => {
    expect(render()).toBe(render());
  });

  it("scrapes a shared part once per tenant, labelled per tenant", () => {
    const shared = scrapeTargets(loadFleet(stacksDir())).filter((t) => t.address === "lc-shared-dc1-db-exporter:9104");
    expect(shared.map((t) => t.labels)).toEqual([
      { customer: "acme", edition: "datacenter", component: "database", part: "db-1", shared_server: "shared-dc1" },
      { customer: "initech", edition: "datacenter", component: "database", part: "db-1", shared_server: "shared-dc1" },
    ]);
  });

  it("probes entries through the blackbox exporter with the customer's module, and sends alerts to Alertmanager", () => {
    const doc = YAML.parse(render());
    const job = doc.scrape_configs.find((j: any) => j.job_name === "blackbox-https");
    expect(job.static_configs[0]).toMatchObject({
      targets: ["https://lc-shared-dc1-entry:8443/healthz"],
      labels: { customer: "acme", __param_module: "https_acme" },
    });
    expect(job.relabel_configs).toContainEqual({ target_label: "__address__", replacement: "lc-ops-dc1-blackbox:9115" });
    expect(doc.alerting.alertmanagers[0].static_configs[0].targets).toEqual(["lc-ops-dc1-alertmanager:9093"]);
    expect(doc.global).toMatchObject({ scrape_interval: "5s", scrape_timeout: "4s", evaluation_interval: "5s" });
  });

  it("never lets the scrape timeout exceed a shorter scrape interval an operations stack chose", () => {
    const doc = YAML.parse(
      renderPrometheusConfig({ fleet: { customers: [] }, operationsStack: "x", intervals: { ...ops.operations.intervals, scrapeSeconds: 2 } }),
    );
    expect(doc.global).toMatchObject({ scrape_interval: "2s", scrape_timeout: "2s" });
  });
});

describe("blackbox.yml", () => {
  it("asks each entry for the customer's public name, TLS required, with a CA file where given", () => {
    const doc = YAML.parse(
      renderBlackboxConfig({
        fleet: notifiedFleet(),
        intervals: operationsExample().operations.intervals,
        caFileOf: (c) => (c === "wayne" ? "/etc/lchost/blackbox/wayne-ca.pem" : undefined),
      }),
    );
    expect(doc.modules.https_wayne).toEqual({
      prober: "http",
      timeout: "3s",
      http: {
        method: "GET",
        valid_status_codes: [200],
        follow_redirects: false,
        fail_if_ssl: false,
        fail_if_not_ssl: true,
        preferred_ip_protocol: "ip4",
        headers: { Host: "wayne.lchost.local" },
        tls_config: { server_name: "wayne.lchost.local", insecure_skip_verify: false, ca_file: "/etc/lchost/blackbox/wayne-ca.pem" },
      },
    });
    expect(doc.modules.https_acme.http.tls_config).toEqual({ server_name: "acme.dc1.lchost.local", insecure_skip_verify: false });
  });
});

describe("alertmanager.yml", () => {
  const ops = operationsExample();
  const doc = YAML.parse(
    renderAlertmanagerConfig({ fleet: notifiedFleet(), operationsStack: "dc1", onCall: ops.operations.onCall, intervals: ops.operations.intervals }),
  );
  const receiver = (name: string) => doc.receivers.find((r: any) => r.name === name);

  it("groups by customer, alert and part with the catalog's timing", () => {
    expect(doc.route).toMatchObject({
      receiver: "oncall",
      group_by: ["customer", "alertname", "part"],
      group_wait: "2s",
      group_interval: "10s",
      repeat_interval: "240m",
    });
  });

  it("has one webhook entry per configured channel, pointing at the notifier, resolved notifications on, bearer token from a file", () => {
    expect(receiver("customer-wayne").webhook_configs.map((w: any) => w.url)).toEqual([
      "http://lc-dc1-notifier:9095/v1/alertmanager/wayne/email",
      "http://lc-dc1-notifier:9095/v1/alertmanager/wayne/webhook",
    ]);
    expect(receiver("customer-acme").webhook_configs.map((w: any) => w.url)).toEqual(["http://lc-dc1-notifier:9095/v1/alertmanager/acme/webhook"]);
    expect(receiver("oncall").webhook_configs.map((w: any) => w.url)).toEqual([
      "http://lc-dc1-notifier:9095/v1/alertmanager/_oncall/email",
      "http://lc-dc1-notifier:9095/v1/alertmanager/_oncall/webhook",
    ]);
    for (const r of doc.receivers) {
      for (const w of r.webhook_configs) {
        expect(w).toMatchObject({ send_resolved: true, http_config: { authorization: { credentials_file: "/etc/lchost/alertmanager/notifier-token" } } });
      }
    }
  });

  it("routes every alert to on-call first and then to its customer by an exact customer match from its minimum severity", () => {
    expect(doc.route.routes[0]).toEqual({ receiver: "oncall", continue: true });
    const matchersOf = (receiver: string) => doc.route.routes.filter((r: any) => r.receiver === receiver).map((r: any) => r.matchers);
    expect(matchersOf("customer-wayne")).toEqual([
      ['customer="wayne"', 'alertname="MaintenanceAnnounced"'],
      ['customer="wayne"', 'alertname!="MaintenanceAnnounced"', 'severity=~"critical"'],
    ]);
    expect(matchersOf("customer-hooli")[1]).toEqual(['customer="hooli"', 'alertname!="MaintenanceAnnounced"', 'severity=~"warning|critical"']);
  });

  it("routes a maintenance announcement to its customer whatever the customer's minimum severity, once", () => {
    const routes = doc.route.routes.filter((r: any) => r.receiver === "customer-wayne");
    expect(routes[0]).toEqual({ receiver: "customer-wayne", matchers: ['customer="wayne"', 'alertname="MaintenanceAnnounced"'], continue: true });
    // the severity route excludes it, so a customer whose minimum is info does not get it twice
    expect(routes[1].matchers).toContain('alertname!="MaintenanceAnnounced"');
  });
});

describe("the notifier's recipients file", () => {
  it("holds each notified customer's channels with its webhook secret, on-call in English for every severity, and the smarthost", () => {
    const ops = operationsExample();
    const secrets = {
      customerSecret: (stack: string, key: string) => `secret-of-${stack}-${key}`,
      operationsSecret: (key: string) => `ops-${key}`,
    };
    const text = renderNotifierRecipients(notifiedFleet(), ops.operations, secrets);
    // the notifier's own validator (its contract) accepts what the renderer writes
    expect(() => parseNotifierRecipientsJson(text)).not.toThrow();
    const json = JSON.parse(text);
    expect(json).toEqual({
      customers: {
        acme: { language: "de", severity: "warning", email: [], webhook: { url: "https://hooks.acme.example/lchost", secret: "secret-of-acme-hook" } },
        hooli: { language: "en", severity: "warning", email: ["it@hooli.example"] },
        wayne: {
          language: "de",
          severity: "critical",
          email: ["ops@wayne.example"],
          webhook: { url: "https://hooks.wayne.example/lchost", secret: "secret-of-wayne-hook" },
        },
      },
      onCall: {
        language: "en",
        severity: "info",
        email: ["oncall@lchost.example"],
        webhook: { url: "https://oncall.lchost.example/hook", secret: "ops-onCallWebhookSecret" },
      },
      smtp: { host: "smtp.lchost.example", port: 587, from: "alerts@lchost.example" },
    });
  });
});

describe("the alert table", () => {
  it("lists every alert with its severity, component and delay, from the catalog", () => {
    const table = renderAlertTable();
    expect(table).toContain(
      "| `LineDown` | critical | line | a License Central line does not answer its metrics scrape | 5s | datacenter, dedicated, high-performance |",
    );
    expect(table).toContain("| `LineDown` | warning | line | a License Central line does not answer its metrics scrape | 5s | high-availability |");
    expect(table).toContain("| `ErrorBudgetBurnCritical` | critical | slo |");
    expect(table.split("\n")).toHaveLength(2 + 20);
  });
});

describe("alertmanager.yml with the heal service", () => {
  const ops = operationsExample();
  const doc = YAML.parse(
    renderAlertmanagerConfig({
      fleet: notifiedFleet(),
      operationsStack: "dc1",
      onCall: ops.operations.onCall,
      intervals: ops.operations.intervals,
      heal: { url: "https://lc-dc1-heal:9097" },
    }),
  );

  it("sends the playbooks' trigger alerts to the heal receiver over TLS with a client certificate and a bearer token, and their resolves", () => {
    expect(doc.route.routes[0]).toEqual({
      receiver: "heal",
      matchers: ['alertname=~"LineDown|FsbDown|GatewayDown|FsbNotSigning|DatabaseDown|DatabaseClusterSmaller|FsbQueueSaturated|HighLatency"'],
      continue: true,
    });
    const heal = doc.receivers.find((r: any) => r.name === "heal").webhook_configs[0];
    expect(heal).toMatchObject({
      url: "https://lc-dc1-heal:9097/v1/alertmanager",
      send_resolved: true,
      http_config: {
        authorization: { type: "Bearer", credentials_file: "/etc/lchost/alertmanager/heal-token" },
        tls_config: {
          cert_file: "/etc/lchost/alertmanager/heal-client.crt",
          key_file: "/etc/lchost/alertmanager/heal-client.key",
          insecure_skip_verify: false,
        },
      },
    });
  });

  it("HealGaveUp pages on-call only; HealAction reaches the customer whatever its minimum severity, once", () => {
    expect(doc.route.routes[1]).toEqual({ receiver: "oncall", matchers: ['alertname="HealGaveUp"'], continue: false });
    const wayne = doc.route.routes.filter((r: any) => r.receiver === "customer-wayne");
    expect(wayne[0]).toEqual({ receiver: "customer-wayne", matchers: ['customer="wayne"', 'alertname="HealAction"'], continue: false });
  });
});
