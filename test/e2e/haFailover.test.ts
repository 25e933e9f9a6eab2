/**
 * High Availability (wayne: 3 lines, each with its own FSB, behind HAProxy; a 3-node Galera cluster)
 * under a bounded activation load while its parts are killed with SIGKILL and restarted.
 */
import * as mysql from "mysql2/promise";
import { createTickets, LoadResult, runActivationLoad } from "../../sandbox/activationLoad";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("High Availability failover under load (wayne)", () => {
  let sb: SandboxHandle;
  let tickets: string[];
  let db: mysql.Pool;
  const gateway = () => sb.endpoints.wayne.gateway!.process;

  beforeAll(async () => {
    sb = await startSandbox({ stacks: ["wayne"], name: `e2e-ha-${process.pid}`, removeOnStop: true, serviceLogLevel: "warn" });
    tickets = await createTickets(sb, "wayne", 900, "ha");
    const node1 = sb.endpoints.wayne.databases.find((d) => d.galeraNode === 1)!;
    const cred = sb.credentials.wayne.database!;
    db = mysql.createPool({ host: node1.host, port: node1.port, user: cred.user, password: cred.password, database: cred.name, connectionLimit: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await sb?.stop();
  });

  let used = 0;
  const take = (n: number) => tickets.slice(used, (used += n));

  /** Load for `durationMs`; `during` runs after `afterMs` (the fault). */
  async function loadWith(fault: () => void | Promise<void>, opts = { afterMs: 1500, durationMs: 5000 }): Promise<LoadResult> {
    const load = runActivationLoad(sb, { stack: "wayne", tickets: take(300), concurrency: 6, durationMs: opts.durationMs });
    await sleep(opts.afterMs);
    await fault();
    return load;
  }

  async function waitServerState(server: string, state: string, timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const states = await sb.serverStates(gateway());
      if (states[server] === state) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`${server} is ${states[server]}, not ${state}, after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async function expectAcknowledgedStoredOnce(r: LoadResult): Promise<void> {
    const [dupes] = await db.query("SELECT ticket, COUNT(*) AS n FROM lc_activations WHERE status <> 'deactivated' GROUP BY ticket HAVING n > 1");
    expect(dupes).toEqual([]);
    const keys = r.acknowledged.map((o) => o.idempotencyKey);
    const [rows] = await db.query("SELECT idempotency_key, ticket, status FROM lc_activations WHERE idempotency_key IN (?)", [keys]);
    const stored = new Map((rows as any[]).map((x) => [x.idempotency_key, x]));
    const missing = r.acknowledged.filter((o) => stored.get(o.idempotencyKey)?.status !== "active" || stored.get(o.idempotencyKey)?.ticket !== o.ticket);
    expect(missing).toEqual([]);
  }

  it("kill -9 of a License Central line: no failed request, no ticket activated twice, the line leaves the pool and rejoins after a restart", async () => {
    const r = await loadWith(() => sb.kill("lc-wayne-line-2", "SIGKILL"));
    expect(r.failures).toEqual([]);
    expect(r.acknowledged.length).toBeGreaterThan(50);
    expect((await sb.serverStates(gateway()))["license_central/line2"]).toBe("DOWN");
    await expectAcknowledgedStoredOnce(r);
    await sb.restart("lc-wayne-line-2");
    await waitServerState("license_central/line2", "UP", 5000);
  });

  it("kill of one FSB: its line leaves the pool within 1.5 s, requests still succeed; it rejoins after a restart", async () => {
    let detectedMs = -1;
    const r = await loadWith(async () => {
      sb.kill("lc-wayne-fsb-3", "SIGKILL");
      detectedMs = await waitServerState("license_central/line3", "DOWN", 5000);
    });
    expect(detectedMs).toBeLessThanOrEqual(1500);
    expect(r.failures).toEqual([]);
    await expectAcknowledgedStoredOnce(r);
    await sb.restart("lc-wayne-fsb-3");
    await waitServerState("license_central/line3", "UP", 5000);
  });

  it("kill -9 of one database node: no failed request (its line answers 503, the balancer re-sends), the cluster stays writable, every acknowledged activation is stored; the node rejoins after a restart", async () => {
    const r = await loadWith(() => sb.kill("lc-wayne-db-3", "SIGKILL"), { afterMs: 1500, durationMs: 9000 });
    expect(r.failures).toEqual([]);
    const size = (node: string) => Number(sb.sqlAsRoot(node, "SHOW STATUS LIKE 'wsrep_cluster_size'").split("\t")[1]);
    expect(size("lc-wayne-db")).toBe(2);
    await db.query("INSERT INTO lc_usage_events (id, month, kind, at, ref) VALUES (UUID(), '2000-01', 'ws_call', NOW(), 'writable after a node died')");
    // the requests after the fault were served (by the lines whose nodes live)
    expect(r.acknowledged.filter((o) => o.startedAt > r.startedAt + 4000).length).toBeGreaterThan(20);
    await expectAcknowledgedStoredOnce(r);
    await sb.restart("lc-wayne-db-3");
    expect(size("lc-wayne-db-3")).toBe(3);
    await waitServerState("license_central/line3", "UP", 10_000);
  });
});
