/**
 * The mysqld-exporter sidecars for real: a sandboxed High Availability customer (wayne, 3-node Galera) runs
 * Debian's prometheus-mysqld-exporter beside every node, logged in with the monitoring account the
 * database's init SQL creates; the Galera state the alert rules read follows a node's death.
 */
import * as http from "http";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function scrape(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: address, port, path: "/metrics", timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function value(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

describe("mysqld-exporter beside every Galera node (sandboxed wayne)", () => {
  let sb: SandboxHandle;
  const exporters = () => sb.processes().filter((p) => p.role === "database-exporter");
  const metricsOf = (name: string) => {
    const p = sb.process(name);
    return scrape(p.address, p.ports[0]);
  };

  beforeAll(async () => {
    sb = await startSandbox({ stacks: ["wayne"], name: `e2e-exp-${process.pid}`, removeOnStop: true, serviceLogLevel: "warn" });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("runs one exporter per database node, started with its database, each logged in (mysql_up 1) and seeing a synced cluster of 3", async () => {
    expect(exporters().map((p) => p.name).sort()).toEqual(["lc-wayne-db-2-exporter", "lc-wayne-db-3-exporter", "lc-wayne-db-exporter"]);
    for (const e of exporters()) {
      expect(e.running).toBe(true);
      const m = await metricsOf(e.name);
      expect({ exporter: e.name, up: value(m, "mysql_up") }).toEqual({ exporter: e.name, up: 1 });
      expect(value(m, "mysql_global_status_wsrep_cluster_size")).toBe(3);
      expect(value(m, "mysql_global_status_wsrep_local_state")).toBe(4); // Synced
      expect(value(m, "mysql_global_status_wsrep_ready")).toBe(1);
    }
  });

  it("kill -9 of one Galera node: the others' exporters report a cluster of 2, the dead node's exporter mysql_up 0; back to 3 after a restart", async () => {
    sb.kill("lc-wayne-db-3", "SIGKILL");
    const t0 = Date.now();
    let size: number | undefined;
    for (;;) {
      size = value(await metricsOf("lc-wayne-db-exporter"), "mysql_global_status_wsrep_cluster_size");
      if (size === 2 || Date.now() - t0 > 60_000) break;
      await sleep(500);
    }
    expect(size).toBe(2);
    console.log(`wsrep_cluster_size 3 -> 2 seen by the exporter ${((Date.now() - t0) / 1000).toFixed(1)} s after kill -9 of lc-wayne-db-3`);
    expect(value(await metricsOf("lc-wayne-db-2-exporter"), "mysql_global_status_wsrep_cluster_size")).toBe(2);
    // the exporter of the dead node keeps answering: the alert needs mysql_up 0, not a missing target
    expect(value(await metricsOf("lc-wayne-db-3-exporter"), "mysql_up")).toBe(0);

    await sb.restart("lc-wayne-db-3");
    const t1 = Date.now();
    for (;;) {
      size = value(await metricsOf("lc-wayne-db-exporter"), "mysql_global_status_wsrep_cluster_size");
      if (size === 3 || Date.now() - t1 > 60_000) break;
      await sleep(500);
    }
    expect(size).toBe(3);
    expect(value(await metricsOf("lc-wayne-db-3-exporter"), "mysql_up")).toBe(1);
  });
});
