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
import { StackPlanner } from "../../planner/planWithReferences";
import { checkPolicies } from "../../planner/policyCheck";
import { isSecretValue, unwrapSecrets } from "../../planner/planValues";
import { renderMonitoringFiles } from "../../render/monitoringFiles";
import { renderNotifierRecipients } from "../../render/notifier/recipients";
import { runLchost } from "../support/cliRun";

jest.setTimeout(180_000);

const CONTAINER = "docker:index/container:Container";
const container = (plan: Plan, name: string) => {
  const r = plan.resources.find((x) => x.type === CONTAINER && x.name === name);
  if (!r) throw new Error(`no container ${name}`);
  return r;
};
/** True when a secret is anywhere in the value. */
const holdsSecret = (v: unknown): boolean =>
  isSecretValue(v) || (Array.isArray(v) ? v.some(holdsSecret) : v !== null && typeof v === "object" && Object.values(v).some(holdsSecret));
const uploads = (plan: Plan, name: string) =>
  Object.fromEntries((unwrapSecrets(container(plan, name).inputs.uploads) as Array<{ file: string; content: string }>).map((u) => [u.file, u.content]));

let plan: Plan;
let ops: OperationsConfig;
beforeAll(async () => {
  const stack = loadStack("ops-dc1");
  ops = stack.config as OperationsConfig;
  plan = await new StackPlanner().plan(stack);
});

test("every uploaded config file is exactly what the renderers produce for the fleet of lchost:fleet.stacksDir", () => {
  const files = renderMonitoringFiles(loadFleet(resolveStacksDir(ops.fleet.stacksDir)), ops);
  expect(uploads(plan, "prometheus")).toEqual({
    "/etc/lchost/prometheus/prometheus.yml": files["prometheus.yml"],
    "/etc/lchost/prometheus/rules.yml": files["rules.yml"],
  });
  expect(uploads(plan, "blackbox")).toEqual({ "/etc/lchost/blackbox/blackbox.yml": files["blackbox.yml"] });
  expect(uploads(plan, "alertmanager")["/etc/lchost/alertmanager/alertmanager.yml"]).toBe(files["alertmanager.yml"]);
});

test("the recipients file is the renderer's, with each customer's webhook secret from that customer's stack (StackReference)", () => {
  const fleet = loadFleet(resolveStacksDir(ops.fleet.stacksDir));
  const expected = renderNotifierRecipients(fleet, ops.operations, { customerSecret: () => PLACEHOLDER_SECRET, operationsSecret: () => PLACEHOLDER_SECRET });
  expect(uploads(plan, "notifier")["/etc/lchost/notifier/recipients.json"]).toBe(expected);
});

test("each customer's webhook secret is the one its own stack outputs (read through a StackReference named after the stack)", async () => {
  const refs = {
    hooli: { notificationWebhookSecret: { $secret: true, value: "hooli-secret-from-its-stack" } },
    wayne: { notificationWebhookSecret: { $secret: true, value: "wayne-secret-from-its-stack" } },
  };
  const p = await planStack(loadStack("ops-dc1"), refs);
  const customers = JSON.parse(uploads(p, "notifier")["/etc/lchost/notifier/recipients.json"]).customers;
  expect(customers.hooli.webhook.secret).toBe("hooli-secret-from-its-stack");
  expect(customers.wayne.webhook.secret).toBe("wayne-secret-from-its-stack");
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

test("Prometheus' TSDB and Alertmanager's silences live on retained volumes", () => {
  const volumes = plan.resources.filter((r) => r.type === "docker:index/volume:Volume");
  expect(volumes.map((v) => [v.inputs.name, v.retainOnDelete])).toEqual([
    ["lc-ops-ops-dc1-prometheus-data", true],
    ["lc-ops-ops-dc1-alertmanager-data", true],
  ]);
  expect(container(plan, "prometheus").inputs.volumes).toEqual([{ volumeName: "lc-ops-ops-dc1-prometheus-data", containerPath: "/var/lib/lchost/prometheus" }]);
  expect(container(plan, "alertmanager").inputs.volumes).toEqual([
    { volumeName: "lc-ops-ops-dc1-alertmanager-data", containerPath: "/var/lib/lchost/alertmanager" },
  ]);
});

test("Prometheus and the blackbox exporter join every watched network; Alertmanager and the notifier only the operations network", () => {
  const nets = (name: string) => (container(plan, name).inputs.networksAdvanced as Array<{ name: string }>).map((n) => n.name);
  const watched = ["lc-ops-ops-dc1", "lc-globex", "lc-hooli", "lc-shared-dc1-backend", "lc-shared-dc1-tenant-acme", "lc-shared-dc1-tenant-initech", "lc-wayne"];
  expect(nets("prometheus")).toEqual(watched);
  expect(nets("blackbox")).toEqual(watched);
  expect(nets("alertmanager")).toEqual(["lc-ops-ops-dc1"]);
  expect(nets("notifier")).toEqual(["lc-ops-ops-dc1"]);
});

test("the policies pass on the operations stack", async () => {
  expect(await checkPolicies(loadStack("ops-dc1"), plan)).toEqual([]);
});

test("lchost plan ops-dc1 works offline and names what it watches", async () => {
  const r = await runLchost("plan", "ops-dc1");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/summary: 17 resources \(operations stack, watching: acme, globex, hooli, initech, wayne\)/);
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
