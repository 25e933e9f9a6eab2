import { containerNoHostAccess } from "../../../policies/rules/containerNoHostAccess";
import { sharedServerContainerLimits } from "../../../policies/rules/sharedServerContainerLimits";
import { tenantDatabaseOwnSchema, tenantSqlProblems } from "../../../policies/rules/tenantDatabaseOwnSchema";
import { tenantFsbCredentialsOwn } from "../../../policies/rules/tenantFsbCredentialsOwn";
import { tenantLicenseCentralOwnNetwork } from "../../../policies/rules/tenantLicenseCentralOwnNetwork";
import { tenantDatabasesDistinct } from "../../../policies/fleet/tenantDatabasesDistinct";
import { check, checkAllExamples, container, editUpload, example, setEnv, withResource } from "./examplePlans";

describe("tenant-license-central-own-network", () => {
  const policy = tenantLicenseCentralOwnNetwork;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a tenant's License Central on another tenant's network is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(
      acme.plan,
      container("line-1"),
      (i) => (i.networksAdvanced = [{ name: "lc-shared-dc1-tenant-initech", aliases: ["lc-acme-line-1"] }]),
    );
    const v = await check(policy, { ...acme, plan });
    expect(v).toHaveLength(1);
    expect(v[0].policy).toBe("tenant-license-central-own-network");
    expect(v[0].message).toBe(
      "License Central of tenant 'acme' must join only its own tenant network (…-tenant-acme); networksAdvanced is [lc-shared-dc1-tenant-initech]",
    );
  });

  test("a tenant's License Central that also joins the shared backend network is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => i.networksAdvanced.push({ name: "lc-shared-dc1-backend" }));
    const v = await check(policy, { ...acme, plan });
    expect(v.map((x) => x.message)).toEqual([
      "License Central of tenant 'acme' must join only its own tenant network (…-tenant-acme); networksAdvanced is [lc-shared-dc1-tenant-acme, lc-shared-dc1-backend]",
    ]);
  });
});

describe("tenant-database-own-schema", () => {
  const policy = tenantDatabaseOwnSchema;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a grant on another tenant's schema in the setup SQL is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("database-setup"), (i) =>
      editUpload(i, "setup.sql", (sql) => sql.replace("GRANT ALL PRIVILEGES ON `lc\\_acme`.*", "GRANT ALL PRIVILEGES ON `lc_initech`.*")),
    );
    const v = await check(policy, { ...acme, plan });
    expect(v).toHaveLength(1);
    expect(v[0].message).toBe(
      "/job/setup.sql of tenant 'acme' grants on `lc_initech`.* (allowed: `lc_acme`.* only): GRANT ALL PRIVILEGES ON `lc_initech`.* TO 'lc_acme'@'%'",
    );
  });

  test("a grant on every schema (*.*) is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("database-setup"), (i) => editUpload(i, "setup.sql", (sql) => sql.replace("ON `lc\\_acme`.*", "ON *.*")));
    const v = await check(policy, { ...acme, plan });
    expect(v.map((x) => x.message)).toEqual([
      "/job/setup.sql of tenant 'acme' grants on *.* (allowed: `lc_acme`.* only): GRANT ALL PRIVILEGES ON *.* TO 'lc_acme'@'%'",
    ]);
  });

  test("License Central using another tenant's database user is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => setEnv(i, "DB_USER", "lc_initech"));
    const v = await check(policy, { ...acme, plan });
    expect(v.map((x) => x.message)).toEqual(["License Central of tenant 'acme' sets DB_USER=lc_initech; allowed: lc_acme"]);
  });

  test("the SQL check accepts exactly what renderSchemaOwnerSql writes and flags WITH GRANT OPTION", () => {
    expect(tenantSqlProblems("GRANT ALL PRIVILEGES ON `lc_a`.* TO 'lc_a'@'%';", "lc_a")).toEqual([]);
    expect(tenantSqlProblems("GRANT ALL PRIVILEGES ON `lc\\_a`.* TO 'lc_a'@'%';", "lc_a")).toEqual([]);
    expect(tenantSqlProblems("GRANT ALL PRIVILEGES ON `lc_a`.* TO 'lc_a'@'%' WITH GRANT OPTION;", "lc_a")).toEqual([
      "passes on its grants (WITH GRANT OPTION): GRANT ALL PRIVILEGES ON `lc_a`.* TO 'lc_a'@'%' WITH GRANT OPTION",
    ]);
  });
});

describe("tenant-databases-distinct (across the stacks of a shared server)", () => {
  test("the example tenants use distinct databases and users", async () => {
    expect(tenantDatabasesDistinct([(await example("acme")).plan, (await example("initech")).plan])).toEqual([]);
  });

  test("two tenants with the same database name are a violation", async () => {
    const initech = await example("initech");
    const plan = withResource(initech.plan, container("line-1"), (i) => setEnv(i, "DB_NAME", "lc_acme"));
    const v = tenantDatabasesDistinct([(await example("acme")).plan, plan]);
    expect(v).toEqual([
      {
        policy: "tenant-databases-distinct",
        enforcementLevel: "mandatory",
        resource: expect.stringContaining("initech"),
        message: "tenant 'initech' (stack initech) and tenant 'acme' (stack acme) both use DB_NAME=lc_acme on lc-shared-dc1-db",
      },
    ]);
  });
});

describe("tenant-fsb-credentials-own", () => {
  const policy = tenantFsbCredentialsOwn;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a tenant signing as another firm is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => setEnv(i, "FSB_FIRM_CODE", "initech"));
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toEqual([
      "License Central of tenant 'acme' signs as firm 'initech' (FSB_FIRM_CODE); allowed: 'acme'",
    ]);
  });

  test("one token for two firms on the shared FSB is a violation", async () => {
    const shared = await example("shared-dc1");
    const plan = withResource(shared.plan, container("fsb"), (i) =>
      setEnv(i, "FSB_FIRM_TOKENS", { $secret: true, value: "FSB_FIRM_TOKENS=acme=same-token,initech=same-token" }),
    );
    expect((await check(policy, { ...shared, plan })).map((x) => x.message)).toEqual([
      "the shared FSB of 'shared-dc1' gives the same token to several firms in FSB_FIRM_TOKENS",
    ]);
  });

  test("a tenant without a firm of its own on the shared FSB is a violation", async () => {
    const shared = await example("shared-dc1");
    const plan = withResource(shared.plan, container("fsb"), (i) => setEnv(i, "FSB_FIRM_TOKENS", { $secret: true, value: "FSB_FIRM_TOKENS=acme=token-a" }));
    expect((await check(policy, { ...shared, plan })).map((x) => x.message)).toEqual([
      "tenant 'initech' of 'shared-dc1' has no firm token of its own on the shared FSB",
    ]);
  });
});

describe("container-no-host-access", () => {
  const policy = containerNoHostAccess;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test.each([
    ["privileged", (i: any) => (i.privileged = true), "container 'lc-acme-line-1' is privileged (privileged: true)"],
    ["host network", (i: any) => (i.networkMode = "host"), "container 'lc-acme-line-1' uses the host's network (networkMode: host)"],
    ["host PID namespace", (i: any) => (i.pidMode = "host"), "container 'lc-acme-line-1' shares the host's PIDs (pidMode: host)"],
    [
      "the Docker socket as a volume",
      (i: any) => (i.volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }]),
      "container 'lc-acme-line-1' mounts the Docker socket (volumes hostPath /var/run/docker.sock)",
    ],
    [
      "the Docker socket as a bind mount",
      (i: any) => (i.mounts = [{ type: "bind", source: "/run/docker.sock", target: "/var/run/docker.sock" }]),
      "container 'lc-acme-line-1' mounts the Docker socket (mounts source /run/docker.sock)",
    ],
  ])("a tenant container with %s is a violation", async (_what, change, message) => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), change);
    const v = await check(policy, { ...acme, plan });
    expect(v.map((x) => [x.policy, x.message])).toEqual([["container-no-host-access", message]]);
  });

  test("the operations stack's heal service may mount the Docker socket (it acts through the engine)", async () => {
    const ops = await example("ops-dc1");
    const heal = ops.plan.resources.find(container("heal"))!;
    expect(heal.inputs.volumes).toContainEqual(expect.objectContaining({ hostPath: "/var/run/docker.sock" }));
    expect(await check(policy, ops)).toEqual([]);
  });

  test("the heal service publishing a port is a violation: with the socket it is reached on the operations network only", async () => {
    const ops = await example("ops-dc1");
    const plan = withResource(ops.plan, container("heal"), (i) => (i.ports = [{ internal: 9097, external: 9097 }]));
    expect((await check(policy, { ...ops, plan })).map((x) => x.message)).toEqual([
      "container 'lc-ops-dc1-heal' mounts the Docker socket (volumes hostPath /var/run/docker.sock); only the operations stack's heal service may, and it publishes no port",
    ]);
  });

  test("a customer's container labelled as the heal service still may not mount the socket", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => {
      i.labels = i.labels.map((l: any) => (l.label === "lchost.role" ? { ...l, value: "heal" } : l));
      i.volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }];
    });
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toEqual([
      "container 'lc-acme-line-1' mounts the Docker socket (volumes hostPath /var/run/docker.sock); only the operations stack's heal service may, and it publishes no port",
    ]);
  });
});

describe("shared-server-container-limits", () => {
  const policy = sharedServerContainerLimits;

  test("every example stack passes (known component findings aside, see examplePlans.ts)", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a tenant's License Central without a memory limit is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => delete i.memory);
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toContain(
      "container 'lc-acme-line-1' on a shared server has no memory limit (memory, in MB)",
    );
  });

  test("a tenant's License Central without a CPU limit is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => delete i.cpuShares);
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toContain(
      "container 'lc-acme-line-1' on a shared server has no CPU limit (cpuShares, cpus or cpuSet)",
    );
  });

  test("the shared entry point without a memory limit is a violation", async () => {
    const shared = await example("shared-dc1");
    const plan = withResource(shared.plan, container("entry"), (i) => delete i.memory);
    expect((await check(policy, { ...shared, plan })).map((x) => x.message)).toContain(
      "container 'lc-shared-dc1-entry' on a shared server has no memory limit (memory, in MB)",
    );
  });
});
