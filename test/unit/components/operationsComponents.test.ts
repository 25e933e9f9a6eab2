/** The operations stack's building blocks under the mock runtime: what each container would be created with. */
import * as pulumi from "@pulumi/pulumi";

interface Created {
  type: string;
  name: string;
  inputs: any;
}
const created: Created[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "lchost",
    "unit",
    true,
  );
});

const container = (name: string) => {
  const c = created.find((r) => r.type === "docker:index/container:Container" && r.name === name);
  if (!c) throw new Error(`no container ${name} among ${created.map((r) => r.name).join(", ")}`);
  return c.inputs;
};
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Inputs as plain values; `secrets` collects what arrived wrapped as a Pulumi secret. */
function plain(v: any, secrets: unknown[] = []): any {
  if (v && typeof v === "object" && v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") {
    const inner = plain(v.value, secrets);
    secrets.push(inner);
    return inner;
  }
  if (Array.isArray(v)) return v.map((x) => plain(x, secrets));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, secrets)]));
  return v;
}
const settle = () => new Promise((r) => setTimeout(r, 200));
const base = { image: "img", networks: ["lc-ops-dc1", "lc-wayne", "lc-shared-dc1-tenant-acme"], owner: { "lchost.operations": "dc1" } };

test("Prometheus runs Debian's binary with its uploaded config and rules, on its retained TSDB volume, restarted and health-checked on /-/ready", async () => {
  const { PrometheusServer } = await import("../../../components/PrometheusServer");
  new PrometheusServer("prometheus", {
    ...base,
    hostname: "lc-ops-dc1-prometheus",
    volumeName: "lc-ops-dc1-prometheus-data",
    config: "global: {}\n",
    rules: "groups: []\n",
    retentionDays: 30,
  });
  await settle();
  const c = container("prometheus");
  expect(c.entrypoints).toEqual([
    "/usr/bin/prometheus",
    "--config.file=/etc/lchost/prometheus/prometheus.yml",
    "--storage.tsdb.path=/var/lib/lchost/prometheus",
    "--storage.tsdb.retention.time=30d",
    "--web.listen-address=0.0.0.0:9090",
  ]);
  const secrets: unknown[] = [];
  plain(c.uploads, secrets);
  expect(secrets).toEqual([]); // nothing secret in Prometheus' files
  expect(c.uploads).toEqual([
    { file: "/etc/lchost/prometheus/prometheus.yml", content: "global: {}\n" },
    { file: "/etc/lchost/prometheus/rules.yml", content: "groups: []\n" },
  ]);
  expect(c.volumes).toEqual([{ volumeName: "lc-ops-dc1-prometheus-data", containerPath: "/var/lib/lchost/prometheus" }]);
  expect(c.restart).toBe("unless-stopped");
  expect(c.healthcheck.tests).toEqual(["CMD", "curl", "-fsS", "--max-time", "2", "-o", "/dev/null", "http://127.0.0.1:9090/-/ready"]);
  expect(c.wait).toBe(true);
  expect(c.labels).toEqual(expect.arrayContaining([{ label: "lchost.role", value: "prometheus" }]));
});

test("every operations container joins every network it is given, under its own name", async () => {
  const c = container("prometheus");
  expect(c.networksAdvanced).toEqual(base.networks.map((name) => ({ name, aliases: ["lc-ops-dc1-prometheus"] })));
});

test("Alertmanager runs without gossip, keeps silences and its notification log on a retained volume, and holds the notifier token", async () => {
  const { AlertmanagerServer } = await import("../../../components/AlertmanagerServer");
  new AlertmanagerServer("alertmanager", {
    ...base,
    hostname: "lc-ops-dc1-alertmanager",
    volumeName: "lc-ops-dc1-alertmanager-data",
    config: "route: {}\n",
    notifierToken: "tok",
  });
  await settle();
  const c = container("alertmanager");
  expect(c.entrypoints).toEqual([
    "/usr/bin/prometheus-alertmanager",
    "--config.file=/etc/lchost/alertmanager/alertmanager.yml",
    "--storage.path=/var/lib/lchost/alertmanager",
    "--web.listen-address=0.0.0.0:9093",
    "--cluster.listen-address=",
  ]);
  const secrets: unknown[] = [];
  expect(plain(c.uploads, secrets)).toEqual([
    { file: "/etc/lchost/alertmanager/alertmanager.yml", content: "route: {}\n" },
    { file: "/etc/lchost/alertmanager/notifier-token", content: "tok" },
  ]);
  // a secret content makes the whole uploads input secret (the engine keeps it encrypted)
  expect(secrets).toEqual([plain(c.uploads)]);
  expect(c.volumes).toEqual([{ volumeName: "lc-ops-dc1-alertmanager-data", containerPath: "/var/lib/lchost/alertmanager" }]);
  expect(c.healthcheck.tests.at(-1)).toBe("http://127.0.0.1:9093/-/ready");
  expect(c.restart).toBe("unless-stopped");
});

test("the blackbox exporter runs Debian's binary with its uploaded modules and is health-checked on /-/healthy", async () => {
  const { BlackboxExporter } = await import("../../../components/BlackboxExporter");
  const b = new BlackboxExporter("blackbox", { ...base, hostname: "lc-ops-dc1-blackbox", config: "modules: {}\n" });
  await settle();
  const c = container("blackbox");
  expect(c.entrypoints).toEqual([
    "/usr/bin/prometheus-blackbox-exporter",
    "--config.file=/etc/lchost/blackbox/blackbox.yml",
    "--web.listen-address=0.0.0.0:9115",
  ]);
  expect(c.healthcheck.tests.at(-1)).toBe("http://127.0.0.1:9115/-/healthy");
  expect(c.volumes).toBeUndefined();
  expect(b.address).toBe("lc-ops-dc1-blackbox:9115");
});

test("the notifier gets its recipients file and token at the paths of its contract, and is health-checked on /healthz", async () => {
  const { AlertNotifier } = await import("../../../components/AlertNotifier");
  new AlertNotifier("notifier", { ...base, hostname: "lc-ops-dc1-notifier", recipients: '{"customers":{}}', token: "tok" });
  await settle();
  const c = container("notifier");
  const secrets: unknown[] = [];
  expect(plain(c.uploads, secrets)).toEqual([
    { file: "/etc/lchost/notifier/recipients.json", content: '{"customers":{}}' },
    { file: "/etc/lchost/notifier/alertmanager-token", content: "tok" },
  ]);
  expect(secrets).toEqual([plain(c.uploads)]);
  expect(c.envs).toEqual([
    "NOTIFIER_PORT=9095",
    "NOTIFIER_HOST=0.0.0.0",
    "NOTIFIER_RECIPIENTS_FILE=/etc/lchost/notifier/recipients.json",
    "NOTIFIER_TOKEN_FILE=/etc/lchost/notifier/alertmanager-token",
  ]);
  expect(c.healthcheck.tests.join(" ")).toContain("/dev/tcp/127.0.0.1/9095");
  expect(c.healthcheck.tests.join(" ")).toContain("GET /healthz HTTP/1.0");
  expect(c.restart).toBe("unless-stopped");
});
