import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as mysql from "mysql2/promise";
import * as os from "os";
import * as path from "path";
import { monitorUserSql } from "../../components/render/databaseSql";
import { MYSQLD_EXPORTER_BINARY, mysqldExporterArgs, renderMysqldExporterMyCnf } from "../../components/render/mysqldExporterConfig";
import { freePort } from "../../sandbox/mariadbProcess";
import { createTestDatabase, testDbSettings } from "../support/mariadbServer";

jest.setTimeout(60_000);

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

const value = (text: string, name: string) => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
};

/**
 * The monitoring account as the database's init SQL creates it, and Debian's prometheus-mysqld-exporter
 * logging in with the rendered my.cnf: what every database node's sidecar does, on the suite's real MariaDB.
 */
describe("the monitoring account and prometheus-mysqld-exporter on the real MariaDB", () => {
  const user = `mon_${crypto.randomBytes(4).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  let dir: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(MYSQLD_EXPORTER_BINARY)) throw new Error(`${MYSQLD_EXPORTER_BINARY} is missing: apt-get install -y prometheus-mysqld-exporter`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-mysqld-exporter-"));
    const root = await mysql.createConnection({ ...testDbSettings(), multipleStatements: true });
    try {
      await root.query(monitorUserSql({ user, password }));
      await root.query(monitorUserSql({ user, password })); // the init SQL runs at every start: idempotent
    } finally {
      await root.end();
    }
  });
  afterAll(async () => {
    for (const p of running) p.kill("SIGTERM");
    const root = await mysql.createConnection(testDbSettings());
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`).finally(() => root.end());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startExporter(pw: string): Promise<number> {
    const db = testDbSettings();
    const cnf = path.join(dir, `my-${running.length}.cnf`);
    fs.writeFileSync(cnf, renderMysqldExporterMyCnf({ host: db.host, port: db.port, user, password: pw }), { mode: 0o600 });
    const port = await freePort();
    const p = spawn(MYSQLD_EXPORTER_BINARY, mysqldExporterArgs({ configPath: cnf, listenAddress: "127.0.0.1", port }), { stdio: "ignore" });
    running.push(p);
    const until = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await get(port, "/")).status === 200) return port;
      } catch {
        /* not yet */
      }
      if (Date.now() > until) throw new Error("prometheus-mysqld-exporter did not answer within 15 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test("the exporter logs in with the rendered my.cnf: mysql_up 1 and the server's global status", async () => {
    const port = await startExporter(password);
    const m = await get(port, "/metrics");
    expect(m.status).toBe(200);
    expect(value(m.body, "mysql_up")).toBe(1);
    expect(value(m.body, "mysql_global_status_uptime")).toBeGreaterThan(0);
  });

  test("with a wrong password the exporter still answers, reporting mysql_up 0 (the database-down signal)", async () => {
    const port = await startExporter("not-the-password");
    const m = await get(port, "/metrics");
    expect(m.status).toBe(200);
    expect(value(m.body, "mysql_up")).toBe(0);
  });

  test("the monitoring account reads no application data", async () => {
    const schema = await createTestDatabase("mon");
    const root = await mysql.createConnection({ ...testDbSettings(), database: schema });
    await root.query("CREATE TABLE secrets (v VARCHAR(10))").finally(() => root.end());
    const db = testDbSettings();
    const mon = await mysql.createConnection({ host: db.host, port: db.port, user, password });
    try {
      await expect(mon.query(`SELECT * FROM \`${schema}\`.secrets`)).rejects.toMatchObject({ code: "ER_TABLEACCESS_DENIED_ERROR" });
      const [status] = await mon.query("SHOW GLOBAL STATUS LIKE 'Uptime'");
      expect((status as any[]).length).toBe(1);
    } finally {
      await mon.end();
    }
  });
});
