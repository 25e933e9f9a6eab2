import { plannedRandomResult } from "../../../sandbox/placeholderSecrets";
import { MONITOR_USER, monitorUserSql } from "../../../components/render/databaseSql";
import { mysqldExporterArgs, renderMysqldExporterMyCnf } from "../../../components/render/mysqldExporterConfig";
import { unwrapSecrets } from "../../../planner/planValues";
import { container, containers, planValues, upload } from "../planHelpers";
import { dedicatedValues, haValues, sharedValues } from "../stackFixtures";

jest.setTimeout(120_000); // whole stacks planned under the mock runtime on a loaded 2-core machine

describe("the monitoring account and the exporter's my.cnf (pure)", () => {
  test("the account may read server status, Galera state and performance_schema, nothing else, with at most 3 connections", () => {
    const sql = monitorUserSql({ password: "pw123" });
    expect(sql).toContain("CREATE USER IF NOT EXISTS 'lchost_monitor'@'%' IDENTIFIED BY 'pw123' WITH MAX_USER_CONNECTIONS 3;");
    expect(sql).toContain("ALTER USER 'lchost_monitor'@'%' IDENTIFIED BY 'pw123' WITH MAX_USER_CONNECTIONS 3;");
    expect(sql).toContain("GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'lchost_monitor'@'%';");
    expect(sql).toContain("GRANT SELECT ON performance_schema.* TO 'lchost_monitor'@'%';");
    expect(sql).not.toMatch(/GRANT ALL|license_central/);
  });

  test("my.cnf logs in as the monitoring account at the database container", () => {
    expect(renderMysqldExporterMyCnf({ host: "lc-wayne-db-2", port: 3306, user: MONITOR_USER, password: "abcXYZ123" })).toBe(
      "[client]\nuser=lchost_monitor\npassword=abcXYZ123\nhost=lc-wayne-db-2\nport=3306\n",
    );
  });

  test("a password my.cnf cannot carry unquoted is refused, without printing it", () => {
    expect(() => renderMysqldExporterMyCnf({ host: "db", port: 3306, user: MONITOR_USER, password: "a b#c" })).toThrow(
      /^mysqld-exporter password may only hold letters, digits/,
    );
    expect(() => renderMysqldExporterMyCnf({ host: "db", port: 3306, user: MONITOR_USER, password: "a b#c" })).not.toThrow(/a b#c/);
  });

  test("the command line names its my.cnf and listen address", () => {
    expect(mysqldExporterArgs({ configPath: "/etc/x/my.cnf", listenAddress: "" })).toEqual(["--config.my-cnf=/etc/x/my.cnf", "--web.listen-address=:9104"]);
  });
});

describe("a mysqld-exporter beside every database node (planned stacks)", () => {
  const exporterOf = async (stack: string, values: Record<string, unknown>, db: string) => {
    const plan = await planValues(stack, values);
    return { plan, exporter: container(plan, `${db}-exporter`), database: container(plan, db) };
  };

  test.each([
    ["wayne (High Availability: each Galera node)", "wayne", haValues, ["lc-wayne-db", "lc-wayne-db-2", "lc-wayne-db-3"]],
    ["globex (Dedicated: the single server)", "globex", dedicatedValues, ["lc-globex-db"]],
    ["shared-dc1 (the shared server's database)", "shared-dc1", sharedValues, ["lc-shared-dc1-db"]],
  ])("%s", async (_what, stack, values, dbs) => {
    const plan = await planValues(stack, values());
    const names = containers(plan).map((c) => String(unwrapSecrets(c.inputs.name)));
    expect(names.filter((n) => n.endsWith("-exporter")).sort()).toEqual(dbs.map((d) => `${d}-exporter`).sort());
    for (const db of dbs) {
      const { exporter, database } = await exporterOf(stack, values(), db);
      const i = exporter.inputs as any;
      expect(i.image).toBe("lchost/mysqld-exporter:dev");
      expect(i.entrypoints).toEqual(["/usr/bin/prometheus-mysqld-exporter", "--config.my-cnf=/etc/lchost/mysqld-exporter/my.cnf", "--web.listen-address=:9104"]);
      expect(i.ports ?? []).toEqual([]); // reached on the container network only
      expect(i.restart).toBe("unless-stopped");
      expect(i.healthcheck.tests.join(" ")).toContain("/dev/tcp/127.0.0.1/9104");
      expect(i.labels).toEqual(expect.arrayContaining([{ label: "lchost.role", value: "database-exporter" }]));
      const dbNetworks = (database.inputs as any).networksAdvanced.map((n: any) => n.name);
      // beside the database on its network; on the shared server only on the backend network, never a tenant's
      expect(i.networksAdvanced.map((n: any) => n.name)).toEqual(stack === "shared-dc1" ? ["lc-shared-dc1-backend"] : dbNetworks);
      // created after its database (Docker runners and migrations start it beside its database, never before)
      expect(exporter.dependsOn).toContain(database.urn);
      const cnf = upload(exporter, "/etc/lchost/mysqld-exporter/my.cnf");
      expect(cnf.secret).toBe(true);
      expect(cnf.content).toContain(`host=${db}\n`);
      // the database's init SQL creates the account with the same (random) password
      const password = /password=(\S+)/.exec(String(cnf.content))![1];
      expect(password).toBe(plannedRandomResult("db-monitor-password", 32));
      const init = upload(database, "/etc/lchost/db/init.sql");
      expect(init.secret).toBe(true);
      expect(init.content).toContain(`CREATE USER IF NOT EXISTS 'lchost_monitor'@'%' IDENTIFIED BY '${password}'`);
    }
  });

  test("the monitoring password is a Pulumi random secret that never appears in plain in the stack outputs", async () => {
    const plan = await planValues("wayne", haValues());
    expect(plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name)).toContain("db-monitor-password");
    const password = plannedRandomResult("db-monitor-password", 32);
    const plainOutputs = JSON.stringify(plan.outputs, (_k, v) => (v && typeof v === "object" && v.$secret ? "[secret]" : v));
    expect(plainOutputs).not.toContain(password);
  });
});
