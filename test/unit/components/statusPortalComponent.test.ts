/** The StatusPortal component under the mock runtime: what its container would be created with. */
import * as pulumi from "@pulumi/pulumi";

const created: Array<{ type: string; name: string; inputs: any }> = [];

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

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
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

test("the portal runs the built service with its customers file and both tokens uploaded as secrets, the database password a secret env, health-checked on /healthz", async () => {
  const { StatusPortal } = await import("../../../components/StatusPortal");
  const p = new StatusPortal("status-portal", {
    hostname: "lc-ops-dc1-status-portal",
    image: "lchost/status-portal:dev",
    networks: ["lc-ops-dc1"],
    owner: { "lchost.operations": "dc1" },
    customers: '{"customers":{}}',
    alertmanagerToken: "am-token",
    adminToken: "admin-token",
    database: { host: "lc-ops-dc1-portal-db", name: "portal", user: "portal", password: "db-password" },
  });
  await new Promise((r) => setTimeout(r, 200));
  const c = created.find((r) => r.type === "docker:index/container:Container" && r.name === "status-portal")!.inputs;
  expect(c.name).toBe("lc-ops-dc1-status-portal");
  expect(c.entrypoints).toEqual(["node", "/app/dist/status-portal/src/main.js"]);
  const uploadSecrets: unknown[] = [];
  expect(plain(c.uploads, uploadSecrets)).toEqual([
    { file: "/etc/lchost/status-portal/customers.json", content: '{"customers":{}}' },
    { file: "/etc/lchost/status-portal/alertmanager-token", content: "am-token" },
    { file: "/etc/lchost/status-portal/admin-token", content: "admin-token" },
  ]);
  expect(uploadSecrets).toEqual([plain(c.uploads)]);
  const envSecrets: unknown[] = [];
  const envs = plain(c.envs, envSecrets);
  expect(envs).toEqual([
    "PORTAL_PORT=9096",
    "PORTAL_HOST=0.0.0.0",
    "PORTAL_CUSTOMERS_FILE=/etc/lchost/status-portal/customers.json",
    "PORTAL_ALERTMANAGER_TOKEN_FILE=/etc/lchost/status-portal/alertmanager-token",
    "PORTAL_ADMIN_TOKEN_FILE=/etc/lchost/status-portal/admin-token",
    "DB_HOST=lc-ops-dc1-portal-db",
    "DB_PORT=3306",
    "DB_NAME=portal",
    "DB_USER=portal",
    "DB_PASSWORD=db-password",
  ]);
  // the database password makes the environment a secret as a whole (Pulumi lifts a secret element to its list)
  expect(envSecrets).toEqual([envs]);
  expect(c.healthcheck.tests.join(" ")).toContain("9096");
  expect(c.healthcheck.tests.join(" ")).toContain("/healthz");
  expect(c.labels).toContainEqual({ label: "lchost.role", value: "status-portal" });
  expect(p.url).toBe("http://lc-ops-dc1-status-portal:9096");
});

test("the portal believes X-Forwarded-For only from the subnets Docker gave the operations network (its entry's), read back from the provider", async () => {
  const docker = await import("@pulumi/docker");
  const { networkSubnets } = await import("../../../editions/OperationsStack");
  const { StatusPortal } = await import("../../../components/StatusPortal");
  // the mock gives back what it was given: a network Docker has created reports its subnets like this
  const own = new docker.Network("ops-net", { name: "lc-ops-dc1", ipamConfigs: [{ subnet: "172.31.7.0/24" }, { subnet: "fd00:7::/64" }] });
  const unknownYet = new docker.Network("ops-net-planned", { name: "lc-ops-dc2" });
  for (const [name, network, expected] of [
    ["portal-a", own, "PORTAL_TRUSTED_PROXIES=172.31.7.0/24,fd00:7::/64"],
    // in a preview, before Docker has made it, the value is unknown (computed), never a guess
    ["portal-b", unknownYet, { __pulumiUnknown: true }],
  ] as const) {
    new StatusPortal(name, {
      hostname: `lc-${name}`,
      image: "lchost/status-portal:dev",
      networks: [network.name],
      owner: {},
      customers: '{"customers":{}}',
      alertmanagerToken: "am-token",
      adminToken: "admin-token",
      database: { host: "db", name: "portal", user: "portal", password: "db-password" },
      trustedProxies: networkSubnets(network),
    });
    await new Promise((r) => setTimeout(r, 200));
    const c = created.find((r) => r.type === "docker:index/container:Container" && r.name === name)!.inputs;
    expect(plain(c.envs)).toContainEqual(expected);
  }
});
