/**
 * The operations stack's containers as local processes (sandbox/ops/operationsTranslation.ts): the same
 * command lines with paths, host names and listen addresses rewritten, and nothing that could reach the
 * outside: the notifier's webhooks and smarthost become the sandbox's receivers.
 */
import * as YAML from "yaml";
import { containerRole, PlannedContainer, TranslationContext, translateContainer } from "../../../sandbox/containerTranslation";
import type { NotifierRecipients } from "../../../notifier/src/env";
import { listenOnAddress, sandboxPortalPasswords, sandboxRecipients, withoutHealReceiver } from "../../../sandbox/ops/operationsTranslation";
import { example } from "../policies/examplePlans";
import { stablePortalPasswordHash } from "../../../render/statusPortal/customersFile";
import { freshSecrets } from "../../../sandbox/placeholderSecrets";
import { plannedContainers } from "../../../sandbox/sandboxLayout";
import { verifyPortalPassword } from "../../../status-portal/src/passwordHash";

const role = (value: string) => [{ label: "lchost.role", value }];
const addresses = new Map([
  ["lc-ops-dc1-prometheus", "127.20.3.1"],
  ["lc-ops-dc1-alertmanager", "127.20.3.2"],
  ["lc-ops-dc1-blackbox", "127.20.3.3"],
  ["lc-ops-dc1-notifier", "127.20.3.4"],
  ["lc-wayne-line-1", "127.20.1.5"],
  ["lc-wayne-gateway", "127.20.1.9"],
]);
/** Like sandbox/ops/notificationSinks.ts's recipientsForSinks: every webhook to the local receiver, the smarthost to the sink. */
const secretsLearned: Record<string, string> = {};
const receivers = {
  pointRecipients: (r: NotifierRecipients): NotifierRecipients => {
    const point = (name: string, x: NotifierRecipients["onCall"]) => {
      if (!x.webhook) return x;
      secretsLearned[name] = x.webhook.secret;
      return { ...x, webhook: { url: `http://127.20.251.1:4000/hooks/${name}`, secret: x.webhook.secret } };
    };
    return {
      customers: Object.fromEntries(Object.entries(r.customers).map(([n, x]) => [n, point(n, x)])),
      onCall: point("_oncall", r.onCall),
      smtp: { ...r.smtp, host: "127.20.251.1", port: 4025 },
    };
  },
};
const ctx: TranslationContext = {
  stack: "ops-dc1",
  sandboxDir: "/sb",
  addresses,
  nodeBinary: "/usr/bin/node",
  services: { fsbEmulator: "/dist/fsb.js", licenseCentral: "/dist/lc.js", notifier: "/dist/notifier/src/main.js" },
  haproxyBinary: "haproxy",
  pathEnv: "/usr/bin",
  operations: { receivers, caFile: "/sb/tls/ca.crt" },
};

const prometheus: PlannedContainer = {
  name: "lc-ops-dc1-prometheus",
  entrypoints: [
    "/usr/bin/prometheus",
    "--config.file=/etc/lchost/prometheus/prometheus.yml",
    "--storage.tsdb.path=/prometheus",
    "--web.listen-address=0.0.0.0:9090",
  ],
  uploads: [
    {
      file: "/etc/lchost/prometheus/prometheus.yml",
      content:
        "rule_files: [/etc/lchost/prometheus/rules/alerts.yml]\nscrape_configs:\n  - job_name: lc-line\n    static_configs: [{ targets: ['lc-wayne-line-1:8081'] }]\n",
    },
    { file: "/etc/lchost/prometheus/rules/alerts.yml", content: "groups: []\n" },
  ],
  volumes: [{ containerPath: "/prometheus" }],
  labels: role("prometheus"),
};

const recipients = {
  customers: {
    wayne: {
      language: "de",
      severity: "warning",
      email: ["ops@wayne.example"],
      webhook: { url: "https://hooks.wayne.example/lchost", secret: "wayne-secret-0123456789" },
    },
  },
  onCall: {
    language: "en",
    severity: "info",
    email: ["oncall@lchost.example"],
    webhook: { url: "https://pager.lchost.example/x", secret: "oncall-secret-0123456789" },
  },
  smtp: { host: "smtp.lchost.example", port: 587, from: "alerts@lchost.example", username: "u", password: "smtp-password" },
};

describe("operations containers in the sandbox", () => {
  it("Prometheus runs the Debian binary with its config, data and listen address moved into the sandbox, targets at the sandbox's addresses", () => {
    const p = translateContainer(prometheus, ctx);
    expect(p.role).toBe("prometheus");
    expect(p.command).toBe("/usr/bin/prometheus");
    expect(p.args).toEqual([
      "--config.file=/sb/lc-ops-dc1-prometheus/etc/lchost/prometheus/prometheus.yml",
      "--storage.tsdb.path=/sb/lc-ops-dc1-prometheus/prometheus",
      "--web.listen-address=127.20.3.1:9090",
    ]);
    expect(p.ports).toEqual([9090]);
    expect(p.readyPath).toBe("/-/ready");
    const cfg = p.files.find((f) => f.path.endsWith("prometheus.yml"))!;
    expect(cfg.content).toContain("'127.20.1.5:8081'");
    expect(cfg.content).toContain("/sb/lc-ops-dc1-prometheus/etc/lchost/prometheus/rules/alerts.yml");
  });

  it("a listen address that is missing is added on the node's own address with the default port", () => {
    expect(listenOnAddress(["--config.file=x"], "--web.listen-address", "127.1.1.1", 9115)).toEqual({
      args: ["--config.file=x", "--web.listen-address=127.1.1.1:9115"],
      port: 9115,
    });
    expect(() => listenOnAddress(["--web.listen-address=nowhere"], "--web.listen-address", "127.1.1.1", 9115)).toThrow(
      /--web.listen-address: 'nowhere' has no port/,
    );
  });

  it("Alertmanager runs without gossip and posts to the notifier's sandbox address", () => {
    const am = translateContainer(
      {
        name: "lc-ops-dc1-alertmanager",
        entrypoints: [
          "/usr/bin/prometheus-alertmanager",
          "--config.file=/etc/lchost/alertmanager/alertmanager.yml",
          "--storage.path=/alertmanager",
          "--cluster.listen-address=0.0.0.0:9094",
        ],
        uploads: [
          {
            file: "/etc/lchost/alertmanager/alertmanager.yml",
            content:
              "receivers:\n  - name: customer-wayne\n    webhook_configs:\n      - url: http://lc-ops-dc1-notifier:9095/v1/alertmanager/wayne/webhook\n        http_config: { authorization: { credentials_file: /etc/lchost/alertmanager/notifier-token } }\n",
          },
          { file: "/etc/lchost/alertmanager/notifier-token", content: "token" },
        ],
        volumes: [{ containerPath: "/alertmanager" }],
        labels: role("alertmanager"),
      },
      ctx,
    );
    expect(am.args).toContain("--cluster.listen-address=");
    expect(am.args.filter((a) => a.startsWith("--cluster."))).toEqual(["--cluster.listen-address="]);
    expect(am.args).toContain("--web.listen-address=127.20.3.2:9093");
    const cfg = am.files.find((f) => f.path.endsWith("alertmanager.yml"))!.content;
    expect(cfg).toContain("url: http://127.20.3.4:9095/v1/alertmanager/wayne/webhook");
    expect(cfg).toContain("credentials_file: /sb/lc-ops-dc1-alertmanager/etc/lchost/alertmanager/notifier-token");
  });

  it("the operations stack's Alertmanager runs in the sandbox without the heal receiver (the heal service runs only on Docker)", async () => {
    const { plan } = await example("ops-dc1");
    const am = plan.resources.find((r) => r.type === "docker:index/container:Container" && r.name === "alertmanager")!;
    const planned = (am.inputs.uploads as Array<{ file: string; content: unknown }>).find((u) => u.file.endsWith("alertmanager.yml"))!.content as string;
    expect(planned).toContain('url: "https://lc-ops-dc1-heal:9097/v1/alertmanager"');
    const translated = withoutHealReceiver(planned);
    const doc = YAML.parse(translated);
    expect(doc.receivers.map((r: { name: string }) => r.name)).not.toContain("heal");
    expect(doc.route.routes.map((r: { receiver: string }) => r.receiver)).not.toContain("heal");
    expect(translated).not.toContain("lc-ops-dc1-heal");
    // everything else stays as rendered
    const before = YAML.parse(planned);
    expect(doc.receivers).toEqual(before.receivers.filter((r: { name: string }) => r.name !== "heal"));
    expect(withoutHealReceiver("receivers:\n  - name: oncall\n")).toBe("receivers:\n  - name: oncall\n");
  }, 120_000);

  it("an Alertmanager config that would call an address outside the sandbox is refused", () => {
    expect(() =>
      translateContainer(
        {
          name: "lc-ops-dc1-alertmanager",
          entrypoints: ["/usr/bin/prometheus-alertmanager"],
          uploads: [
            { file: "/etc/lchost/alertmanager/alertmanager.yml", content: "receivers:\n  - webhook_configs:\n      - url: https://hooks.example.com/x\n" },
          ],
          labels: role("alertmanager"),
        },
        ctx,
      ),
    ).toThrow(/would call addresses outside this machine: https:\/\/hooks.example.com\/x/);
  });

  it("the notifier's recipients point at the sandbox's receivers; secrets stay, the smarthost's credentials go", () => {
    const n = translateContainer(
      {
        name: "lc-ops-dc1-notifier",
        entrypoints: ["node", "/opt/lchost/dist/notifier/src/main.js"],
        envs: ["NOTIFIER_PORT=9095", "NOTIFIER_RECIPIENTS_FILE=/etc/lchost/notifier/recipients.json"],
        uploads: [{ file: "/etc/lchost/notifier/recipients.json", content: JSON.stringify(recipients) }],
        labels: role("notifier"),
      },
      ctx,
    );
    expect(n.command).toBe("/usr/bin/node");
    expect(n.args).toEqual(["/dist/notifier/src/main.js"]);
    expect(n.env).toMatchObject({
      NOTIFIER_HOST: "127.20.3.4",
      NOTIFIER_CA_FILE: "/sb/tls/ca.crt",
      NOTIFIER_RECIPIENTS_FILE: "/sb/lc-ops-dc1-notifier/etc/lchost/notifier/recipients.json",
    });
    const r = JSON.parse(n.files[0].content);
    expect(r.customers.wayne.webhook).toEqual({ url: "http://127.20.251.1:4000/hooks/wayne", secret: "wayne-secret-0123456789" });
    expect(r.onCall.webhook.url).toBe("http://127.20.251.1:4000/hooks/_oncall");
    expect(r.smtp).toEqual({ host: "127.20.251.1", port: 4025, from: "alerts@lchost.example" });
    expect(n.files[0].content).not.toContain("example/");
    expect(n.files[0].mode).toBe(0o600);
  });

  it("without receivers the notifier is refused rather than sending to the real addresses", () => {
    expect(() =>
      translateContainer(
        {
          name: "lc-ops-dc1-notifier",
          entrypoints: ["node", "x.js"],
          uploads: [{ file: "/etc/lchost/notifier/recipients.json", content: JSON.stringify(recipients) }],
          labels: role("notifier"),
        },
        { ...ctx, operations: {} },
      ),
    ).toThrow(/needs the sandbox's receivers/);
  });

  it("the receivers learn each webhook secret (to verify signatures); a recipients file that does not validate is refused naming the field", () => {
    sandboxRecipients(JSON.stringify(recipients), receivers);
    expect(secretsLearned).toEqual({ wayne: "wayne-secret-0123456789", _oncall: "oncall-secret-0123456789" });
    expect(() => sandboxRecipients(JSON.stringify({ ...recipients, smtp: { ...recipients.smtp, port: "x" } }), receivers)).toThrow(
      /the notifier's planned recipients file: .*smtp.port/,
    );
  });

  it("the blackbox exporter verifies the entry points with the sandbox's CA", () => {
    const b = translateContainer(
      {
        name: "lc-ops-dc1-blackbox",
        entrypoints: ["/usr/bin/prometheus-blackbox-exporter", "--config.file=/etc/lchost/blackbox/blackbox.yml"],
        uploads: [
          {
            file: "/etc/lchost/blackbox/blackbox.yml",
            content: "modules:\n  https_wayne:\n    prober: http\n    http:\n      tls_config: { server_name: wayne.lchost.local }\n",
          },
        ],
        labels: role("blackbox"),
      },
      ctx,
    );
    expect(b.args).toEqual(["--config.file=/sb/lc-ops-dc1-blackbox/etc/lchost/blackbox/blackbox.yml", "--web.listen-address=127.20.3.3:9115"]);
    expect(b.files[0].content).toMatch(/server_name: wayne.lchost.local\n\s+ca_file: \/sb\/tls\/ca.crt/);
  });
});

describe("the status portal in the sandbox", () => {
  const portalAddresses = new Map([
    ...addresses,
    ["lc-ops-dc1-status-portal", "127.20.3.5"],
    ["lc-ops-dc1-portal-db", "127.20.3.6"],
    ["lc-ops-dc1-portal-entry", "127.20.3.7"],
  ]);
  const passwords = { wayne: "wayneSandboxPassword0123", hooli: "hooliSandboxPassword0123" };
  const portalCtx: TranslationContext = {
    ...ctx,
    addresses: portalAddresses,
    services: { ...ctx.services, statusPortal: "/dist/status-portal/src/main.js" },
    operations: { ...ctx.operations, portalPasswords: passwords },
  };
  const customer = (edition: string, passwordHash: string) => ({
    edition,
    guaranteePercent: 99.5,
    parts: ["entry", "line-1", "database"],
    passwordHash,
    timeZone: "Europe/Berlin",
    language: "de",
  });
  // what the plan holds: hashes of the offline placeholders, which no sandbox password matches
  const plannedCustomers = JSON.stringify({
    customers: {
      wayne: customer("high-availability", stablePortalPasswordHash("wayne", "plannedwayneportalpasswo")),
      hooli: customer("high-performance", stablePortalPasswordHash("hooli", "plannedhooliportalpasswo")),
    },
  });
  const portal = (customersJson = plannedCustomers): PlannedContainer => ({
    name: "lc-ops-dc1-status-portal",
    entrypoints: ["node", "/app/dist/status-portal/src/main.js"],
    envs: [
      "PORTAL_PORT=9096",
      "PORTAL_HOST=0.0.0.0",
      "PORTAL_CUSTOMERS_FILE=/etc/lchost/status-portal/customers.json",
      "DB_HOST=lc-ops-dc1-portal-db",
      "DB_PASSWORD=db-secret",
      "PORTAL_TRUSTED_PROXIES=",
    ],
    uploads: [
      { file: "/etc/lchost/status-portal/customers.json", content: customersJson },
      { file: "/etc/lchost/status-portal/admin-token", content: "admin-token-0123456789" },
    ],
    labels: role("status-portal"),
  });

  it("runs the built portal on its own address, reaching its database by address and believing X-Forwarded-For from its HTTPS entry only", () => {
    const p = translateContainer(portal(), portalCtx);
    expect(p.command).toBe("/usr/bin/node");
    expect(p.args).toEqual(["/dist/status-portal/src/main.js"]);
    expect(p.ports).toEqual([9096]);
    expect(p.env).toMatchObject({
      PORTAL_HOST: "127.20.3.5",
      DB_HOST: "127.20.3.6",
      PORTAL_TRUSTED_PROXIES: "127.20.3.7",
      PORTAL_CUSTOMERS_FILE: "/sb/lc-ops-dc1-status-portal/etc/lchost/status-portal/customers.json",
    });
    expect(p.files.every((f) => f.mode === 0o600)).toBe(true);
  });

  it("hashes the passwords the sandbox swapped in (the plan's hashes are of placeholders), with the operations stack's own stable hash", async () => {
    const p = translateContainer(portal(), portalCtx);
    const file = p.files.find((f) => f.path.endsWith("customers.json"))!;
    const customers = JSON.parse(file.content).customers;
    for (const [c, password] of Object.entries(passwords)) {
      expect(customers[c].passwordHash).toBe(stablePortalPasswordHash(c, password));
      expect(await verifyPortalPassword(password, customers[c].passwordHash)).toBe(true);
      expect(file.content).not.toContain(password);
    }
    expect(customers.wayne.edition).toBe("high-availability");
  });

  it("is refused without passwords, with a customer lacking one, or with two customers sharing one, naming them", () => {
    expect(() => translateContainer(portal(), { ...portalCtx, operations: { ...portalCtx.operations, portalPasswords: undefined } })).toThrow(
      /needs the sandbox's portal passwords/,
    );
    expect(() => translateContainer(portal(), { ...portalCtx, operations: { ...portalCtx.operations, portalPasswords: { wayne: "x".repeat(24) } } })).toThrow(
      /no sandbox password for customer 'hooli'/,
    );
    const same = { wayne: "y".repeat(24), hooli: "y".repeat(24) };
    expect(() => translateContainer(portal(), { ...portalCtx, operations: { ...portalCtx.operations, portalPasswords: same } })).toThrow(
      /customers 'wayne' and 'hooli' would share one sandbox password/,
    );
  });

  it("the operations stack's plan gives every customer its own placeholder password, so the sandbox swaps in one per customer", async () => {
    const { plan } = await example("ops-dc1"); // planned once per run with the other examples
    const subs = freshSecrets(plan);
    const fresh = sandboxPortalPasswords(plan, subs);
    expect(Object.keys(fresh).sort()).toEqual(["acme", "globex", "hooli", "initech", "wayne"]);
    expect(new Set(Object.values(fresh)).size).toBe(5);
    for (const v of Object.values(fresh)) expect(v).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(Object.values(fresh).some((v) => v.startsWith("planned"))).toBe(false);
    // and the sandbox knows how to run every container of the operations stack it runs: all but the heal service and its database
    const roles = plannedContainers(plan).map((c) => containerRole(c));
    expect(
      plan.resources
        .filter((r) => r.type === "docker:index/container:Container" && !plannedContainers(plan).some((c) => c.name === r.inputs.name))
        .map((r) => r.name)
        .sort(),
    ).toEqual(["heal", "heal-db", "heal-db-exporter"]);
    expect([...new Set(roles)].sort()).toEqual([
      "alertmanager",
      "blackbox",
      "database",
      "database-exporter",
      "https-entry-point",
      "notifier",
      "prometheus",
      "status-portal",
    ]);
  }, 120_000);
});
