/**
 * The operations stack (stacks/Pulumi.ops-dc1.yaml) planned under the mock runtime: what it uploads is
 * exactly what the renderers produce for the fleet of its stacks folder, its data is retained, its
 * secrets are secret, the policies pass, and a stack file added to the folder adds its targets.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadFleet, resolveStacksDir } from "../../model/fleet";
import { loadStack, loadStackFile, stacksDir } from "../../model/stackFile";
import type { OperationsConfig } from "../../model/stackConfig";
import { PLACEHOLDER_SECRET, Plan, planStack } from "../../planner/mockPlanner";
import { operationsReferences, StackPlanner } from "../../planner/planWithReferences";
import { blackboxCaFile } from "../../components/BlackboxExporter";
import { checkPolicies } from "../../planner/policyCheck";
import { isSecretValue, maskSecrets, unwrapSecrets } from "../../planner/planValues";
import { STATUS_PORTAL_ADMIN_TOKEN_OUTPUT, STATUS_PORTAL_PASSWORDS_OUTPUT } from "../../program/deployStack";
import { STATUS_PORTAL_TOKEN_FILE } from "../../render/alertmanager/config";
import { renderPortalCustomers, stablePortalPasswordHash } from "../../render/statusPortal/customersFile";
import { verifyPortalPassword } from "../../status-portal/src/passwordHash";
import { renderMonitoringFiles } from "../../render/monitoringFiles";
import { renderNotifierRecipients } from "../../render/notifier/recipients";
import { runLchost } from "../support/cliRun";
import { CONTAINER, container, holdsSecret, uploads } from "./support/plannedContainers";

jest.setTimeout(180_000);

let plan: Plan;
let ops: OperationsConfig;
beforeAll(async () => {
  const stack = loadStack("ops-dc1");
  ops = stack.config as OperationsConfig;
  plan = await new StackPlanner().plan(stack);
});

test("every uploaded config file is exactly what the renderers produce for the fleet of lchost:fleet.stacksDir", () => {
  const fleet = loadFleet(resolveStacksDir(ops.fleet.stacksDir));
  const entryStackOf = new Map(fleet.customers.map((c) => [c.customer, c.sharedServer ?? c.stack]));
  const files = renderMonitoringFiles(fleet, ops, {
    caFileOf: (customer) => blackboxCaFile(entryStackOf.get(customer)!),
    statusPortal: { host: "lc-ops-dc1-status-portal" },
    heal: { url: "https://lc-ops-dc1-heal:9097" },
  });
  expect(uploads(plan, "prometheus")).toEqual({
    "/etc/lchost/prometheus/prometheus.yml": files["prometheus.yml"],
    "/etc/lchost/prometheus/rules.yml": files["rules.yml"],
  });
  const entryStacks = [...new Set(entryStackOf.values())].sort();
  expect(entryStacks).toEqual(["globex", "hooli", "shared-dc1", "wayne"]);
  expect(uploads(plan, "blackbox")).toEqual({
    "/etc/lchost/blackbox/blackbox.yml": files["blackbox.yml"],
    ...Object.fromEntries(entryStacks.map((s) => [blackboxCaFile(s), `-----BEGIN CERTIFICATE-----\n(planned ${s} entry)\n-----END CERTIFICATE-----\n`])),
  });
  // every probe module names its entry's certificate, tenants their shared server's
  expect(files["blackbox.yml"]).toContain(`ca_file: "${blackboxCaFile("shared-dc1")}"`);
  expect(uploads(plan, "alertmanager")["/etc/lchost/alertmanager/alertmanager.yml"]).toBe(files["alertmanager.yml"]);
});

test("the recipients file is the renderer's, with each customer's webhook secret from that customer's stack (StackReference)", () => {
  const fleet = loadFleet(resolveStacksDir(ops.fleet.stacksDir));
  const expected = renderNotifierRecipients(fleet, ops.operations, { customerSecret: () => PLACEHOLDER_SECRET, operationsSecret: () => PLACEHOLDER_SECRET });
  expect(uploads(plan, "notifier")["/etc/lchost/notifier/recipients.json"]).toBe(expected);
});

test("each customer's webhook secret is the one its own stack outputs (read through a StackReference named after the stack)", async () => {
  const offline = operationsReferences(loadStack("ops-dc1"));
  const refs = {
    ...offline,
    hooli: { ...offline.hooli, notificationWebhookSecret: { $secret: true, value: "hooli-secret-from-its-stack" } },
    wayne: { ...offline.wayne, notificationWebhookSecret: { $secret: true, value: "wayne-secret-from-its-stack" } },
  };
  const p = await planStack(loadStack("ops-dc1"), refs);
  const customers = JSON.parse(uploads(p, "notifier")["/etc/lchost/notifier/recipients.json"]).customers;
  expect(customers.hooli.webhook.secret).toBe("hooli-secret-from-its-stack");
  expect(customers.wayne.webhook.secret).toBe("wayne-secret-from-its-stack");
});

test("the blackbox probe trusts the certificate the entry's own stack outputs: the customer's gateway, a tenant's shared server's entry point", async () => {
  const offline = operationsReferences(loadStack("ops-dc1"));
  const refs = {
    ...offline,
    wayne: { ...offline.wayne, entryCertificate: "wayne's gateway certificate" },
    "shared-dc1": { ...offline["shared-dc1"], entryCertificate: "shared-dc1's entry certificate" },
  };
  const p = await planStack(loadStack("ops-dc1"), refs);
  expect(uploads(p, "blackbox")[blackboxCaFile("wayne")]).toBe("wayne's gateway certificate");
  expect(uploads(p, "blackbox")[blackboxCaFile("shared-dc1")]).toBe("shared-dc1's entry certificate");
});

test("the notifier token, the recipients file and Alertmanager's copy of the token are secret (inputs and additionalSecretOutputs)", () => {
  for (const name of ["notifier", "alertmanager"]) {
    const c = container(plan, name);
    expect(holdsSecret(c.inputs.uploads)).toBe(true);
    expect(c.additionalSecretOutputs).toContain("uploads");
  }
  for (const name of ["prometheus", "blackbox"]) expect(holdsSecret(container(plan, name).inputs.uploads)).toBe(false);
  // the same token on both sides
  const token = uploads(plan, "notifier")["/etc/lchost/notifier/alertmanager-token"];
  expect(token).toHaveLength(40);
  expect(uploads(plan, "alertmanager")["/etc/lchost/alertmanager/notifier-token"]).toBe(token);
});

test("Prometheus' TSDB, Alertmanager's silences, the status portal's and the heal service's databases live on retained volumes", () => {
  const volumes = plan.resources.filter((r) => r.type === "docker:index/volume:Volume");
  expect(volumes.map((v) => [v.inputs.name, v.retainOnDelete])).toEqual([
    ["lc-ops-dc1-prometheus-data", true],
    ["lc-ops-dc1-alertmanager-data", true],
    ["lc-ops-dc1-portal-db-data", true],
    ["lc-ops-dc1-heal-db-data", true],
  ]);
  expect(container(plan, "heal-db").inputs.volumes).toEqual([{ volumeName: "lc-ops-dc1-heal-db-data", containerPath: "/var/lib/mysql" }]);
  expect(container(plan, "status-portal-db").inputs.volumes).toEqual([{ volumeName: "lc-ops-dc1-portal-db-data", containerPath: "/var/lib/mysql" }]);
  expect(container(plan, "prometheus").inputs.volumes).toEqual([{ volumeName: "lc-ops-dc1-prometheus-data", containerPath: "/var/lib/lchost/prometheus" }]);
  expect(container(plan, "alertmanager").inputs.volumes).toEqual([
    { volumeName: "lc-ops-dc1-alertmanager-data", containerPath: "/var/lib/lchost/alertmanager" },
  ]);
});

test("Prometheus and the blackbox exporter join every watched network; everything else only the operations network", () => {
  const nets = (name: string) => (container(plan, name).inputs.networksAdvanced as Array<{ name: string }>).map((n) => n.name);
  const watched = ["lc-ops-dc1", "lc-globex", "lc-hooli", "lc-shared-dc1-backend", "lc-shared-dc1-tenant-acme", "lc-shared-dc1-tenant-initech", "lc-wayne"];
  expect(nets("prometheus")).toEqual(watched);
  expect(nets("blackbox")).toEqual(watched);
  expect(nets("alertmanager")).toEqual(["lc-ops-dc1"]);
  expect(nets("notifier")).toEqual(["lc-ops-dc1"]);
  for (const name of ["status-portal", "status-portal-db", "status-portal-db-exporter", "status-portal-entry", "heal", "heal-db", "heal-db-exporter"])
    expect(nets(name)).toEqual(["lc-ops-dc1"]);
});

test("the policies pass on the operations stack", async () => {
  expect(await checkPolicies(loadStack("ops-dc1"), plan)).toEqual([]);
});

test("lchost plan ops-dc1 works offline and names what it watches", async () => {
  const r = await runLchost("plan", "ops-dc1");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/summary: 60 resources \(operations stack, watching: acme, globex, hooli, initech, wayne\)/);
  expect(r.out).toContain("policies: no violations");
  expect(r.out).not.toContain(PLACEHOLDER_SECRET);
});

describe("fleet discovery from lchost:fleet.stacksDir", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-"));
    fs.copyFileSync(path.join(stacksDir(), "Pulumi.globex.yaml"), path.join(dir, "Pulumi.globex.yaml"));
    const doc = YAML.parse(fs.readFileSync(path.join(stacksDir(), "Pulumi.ops-dc1.yaml"), "utf8"));
    doc.config["lchost:fleet"] = { stacksDir: dir };
    fs.writeFileSync(path.join(dir, "Pulumi.ops-dc1.yaml"), YAML.stringify(doc));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const planOps = () => new StackPlanner().plan(loadStackFile(path.join(dir, "Pulumi.ops-dc1.yaml")));

  test("adding a customer's stack file adds its targets, networks and webhook reference on the next plan", async () => {
    const before = await planOps();
    const config = (p: Plan) => uploads(p, "prometheus")["/etc/lchost/prometheus/prometheus.yml"];
    expect(config(before)).toContain("lc-globex-line-1:");
    expect(config(before)).not.toContain("lc-hooli");
    expect(before.outputs.watching).toEqual(["globex"]);

    fs.copyFileSync(path.join(stacksDir(), "Pulumi.hooli.yaml"), path.join(dir, "Pulumi.hooli.yaml"));
    const after = await planOps();
    expect(after.outputs.watching).toEqual(["globex", "hooli"]);
    expect(config(after)).toContain("lc-hooli-line-1:");
    expect(config(after)).toContain("lc-hooli-fsb-1:");
    expect((container(after, "prometheus").inputs.networksAdvanced as Array<{ name: string }>).map((n) => n.name)).toContain("lc-hooli");
    expect(JSON.parse(uploads(after, "notifier")["/etc/lchost/notifier/recipients.json"]).customers).toHaveProperty("hooli");
  });
});

describe("the status portal", () => {
  const PORTAL = "/etc/lchost/status-portal";
  const envOf = (p: Plan, name: string) =>
    Object.fromEntries((unwrapSecrets(container(p, name).inputs.envs) as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const secretOutput = (p: Plan, key: string) => {
    const v = p.outputs[key];
    expect(isSecretValue(v)).toBe(true);
    return unwrapSecrets(v) as any;
  };

  test("its customers file is the renderer's for the fleet, with each customer's password (a secret output) hashed by the portal's own scrypt", async () => {
    const fleet = loadFleet(resolveStacksDir(ops.fleet.stacksDir));
    const passwords = secretOutput(plan, STATUS_PORTAL_PASSWORDS_OUTPUT) as Record<string, string>;
    expect(Object.keys(passwords).sort()).toEqual(["acme", "globex", "hooli", "initech", "wayne"]);
    const file = uploads(plan, "status-portal")[`${PORTAL}/customers.json`];
    expect(file).toBe(renderPortalCustomers(fleet, (c) => stablePortalPasswordHash(c, passwords[c])));
    const customers = JSON.parse(file).customers;
    for (const [c, password] of Object.entries(passwords)) {
      expect(await verifyPortalPassword(password, customers[c].passwordHash)).toBe(true);
      expect(file).not.toContain(password);
    }
  });

  test("Alertmanager posts every alert to the portal with a token only the two of them hold, on the operations network", () => {
    const token = uploads(plan, "status-portal")[`${PORTAL}/alertmanager-token`];
    expect(token).toHaveLength(40);
    expect(uploads(plan, "alertmanager")[STATUS_PORTAL_TOKEN_FILE]).toBe(token);
    expect(uploads(plan, "notifier")["/etc/lchost/notifier/alertmanager-token"]).not.toBe(token);
    const am = YAML.parse(uploads(plan, "alertmanager")["/etc/lchost/alertmanager/alertmanager.yml"]);
    const receiver = am.receivers.find((r: any) => r.name === "status-portal");
    expect(receiver.webhook_configs[0].url).toBe("http://lc-ops-dc1-status-portal:9096/v1/alertmanager");
    expect(receiver.webhook_configs[0].http_config.authorization.credentials_file).toBe(STATUS_PORTAL_TOKEN_FILE);
    expect(am.route.routes[0]).toEqual({ receiver: "status-portal", continue: true });
  });

  test("its MariaDB creates the portal's schema and user with the password the portal logs in with, and is health-checked", () => {
    const env = envOf(plan, "status-portal");
    expect(env).toMatchObject({ DB_HOST: "lc-ops-dc1-portal-db", DB_PORT: "3306", DB_NAME: "status_portal", DB_USER: "status_portal" });
    const init = uploads(plan, "status-portal-db")["/etc/lchost/db/init.sql"];
    expect(init).toContain("CREATE DATABASE IF NOT EXISTS `status_portal`");
    expect(init).toContain(`CREATE USER IF NOT EXISTS 'status_portal'@'%' IDENTIFIED BY '${env.DB_PASSWORD}';`);
    expect(init).toContain("GRANT ALL PRIVILEGES ON `status\\_portal`.* TO 'status_portal'@'%';");
    expect(container(plan, "status-portal-db").inputs.healthcheck.tests).toEqual(["CMD", "mariadb-admin", "ping", "-h", "127.0.0.1", "-P3306"]);
    expect(container(plan, "status-portal").inputs.healthcheck.tests.join(" ")).toContain("exec 3<>/dev/tcp/127.0.0.1/9096 && printf 'GET /healthz");
  });

  test("the portal's HTTPS entry is the operations stack's only published port (lchost:httpsPort, default 443) and refuses /v1/ and /metrics", () => {
    const published = plan.resources.filter((r) => r.type === CONTAINER && r.inputs.ports !== undefined);
    expect(published.map((r) => [r.name, r.inputs.ports])).toEqual([["status-portal-entry", [{ internal: 8443, external: 443 }]]]);
    const cfg = uploads(plan, "status-portal-entry")["/usr/local/etc/haproxy/haproxy.cfg"];
    expect(cfg).toContain("  acl internal_path path -i -m reg ^/(v1)(/|$)\n  http-request deny deny_status 404 if internal_path");
    expect(cfg).toContain("http-request deny deny_status 404 if metrics_path");
    expect(cfg).toContain("http-request set-header X-Forwarded-For %[src]");
    expect(cfg).toMatch(/option httpchk GET \/healthz\n/);
    expect(cfg).toContain("server portal lc-ops-dc1-status-portal:9096 check");
    expect(plan.outputs.statusPortalUrl).toBe("https://status.dc1.lchost.local:443");
  });

  test("its secrets are secret end to end: real random passwords and tokens appear nowhere in plain text, not in inputs, outputs, names or upload paths", async () => {
    const real = await new StackPlanner({ materialize: true }).plan(loadStack("ops-dc1"));
    const passwords = Object.values(secretOutput(real, STATUS_PORTAL_PASSWORDS_OUTPUT) as Record<string, string>);
    const adminToken = secretOutput(real, STATUS_PORTAL_ADMIN_TOKEN_OUTPUT) as string;
    const portalUploads = uploads(real, "status-portal");
    const amToken = portalUploads[`${PORTAL}/alertmanager-token`];
    expect(portalUploads[`${PORTAL}/admin-token`]).toBe(adminToken);
    const dbPassword = envOf(real, "status-portal").DB_PASSWORD;
    const secrets = [...passwords, adminToken, amToken, dbPassword];
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(24);
    const plainText = JSON.stringify({
      resources: real.resources.map((r) => ({ urn: r.urn, inputs: maskSecrets(r.inputs) })),
      outputs: maskSecrets(real.outputs),
    });
    for (const s of secrets) expect(plainText).not.toContain(s);
    for (const name of ["status-portal", "alertmanager", "status-portal-db"]) {
      expect(holdsSecret(container(real, name).inputs.uploads)).toBe(true);
      expect(container(real, name).additionalSecretOutputs).toContain("uploads");
    }
  });

  test("the same passwords give the same customers file at every plan (a salt derived from the password), so `up` does not replace the portal", async () => {
    const again = await new StackPlanner().plan(loadStack("ops-dc1"));
    expect(uploads(again, "status-portal")[`${PORTAL}/customers.json`]).toBe(uploads(plan, "status-portal")[`${PORTAL}/customers.json`]);
  });
});
