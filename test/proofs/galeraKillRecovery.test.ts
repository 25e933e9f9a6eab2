/**
 * Issue 12's proof of the Galera full-cluster recovery playbook on real processes: three real Galera nodes
 * (rendered config and start script, bench/galeraLocalCluster.ts, 127.242.1.1–3) take activations from one
 * writer each, as the HA lines do; every node is killed with kill -9 at the same moment; the playbook reads each
 * node's committed position (--wsrep-recover), bootstraps the most advanced one, starts the others and checks
 * the newest acknowledged activation — and this test checks every acknowledged activation, on every node.
 */
import { acknowledgedPresent, LocalGaleraCluster, startActivationWriters, startLocalGaleraCluster } from "../../bench/galeraLocalCluster";
import { HealAlert, PlaybookContext } from "../../heal/playbook";
import { galeraFullRecovery } from "../../heal/playbooks/galeraFullRecovery";

jest.setTimeout(240_000);

let cluster: LocalGaleraCluster | undefined;
afterAll(async () => {
  await cluster?.destroy();
});

function healContext(c: LocalGaleraCluster, lines: string[]): PlaybookContext {
  const alert: HealAlert = {
    name: "DatabaseDown",
    status: "firing",
    customer: c.customer,
    labels: { alertname: "DatabaseDown", customer: c.customer, part: "db-1", component: "database" },
    annotations: {},
    startsAt: new Date().toISOString(),
  };
  return { alert, seams: { runtime: "sandbox", galera: c.control }, dryRun: false, now: () => Date.now(), log: (l) => lines.push(l) };
}

test("kill -9 of every node under activations: the playbook re-forms the cluster from the most advanced node with every acknowledged activation", async () => {
  cluster = await startLocalGaleraCluster({ block: 1, customer: "gr-kill" });
  await cluster.bootstrap();
  const writers = await startActivationWriters(cluster);
  await writers.reached(300);
  cluster.kill9(); // every node's process group, in one loop
  const t0 = Date.now();
  await writers.stop();
  while (cluster.nodes.some((n) => n.running())) await new Promise((r) => setTimeout(r, 100));

  const lines: string[] = [];
  const playbook = galeraFullRecovery({ lastAcknowledged: async () => writers.last(), startGraceMs: 0, pollMs: 500 });
  const ctx = healContext(cluster, lines);
  const [action] = await playbook.plan(ctx);
  expect(action.summary).toContain("no node of 3 serves");
  const outcome = await playbook.run(ctx, action);
  const ms = Date.now() - t0;
  console.log(`${lines.join("\n")}\n${JSON.stringify(outcome)}`);
  expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringContaining("3 of 3 nodes in the primary component") });
  expect(lines.filter((l) => /--wsrep-recover: /.test(l))).toHaveLength(3); // seqno -1 everywhere after kill -9

  for (const n of cluster.nodes)
    expect(acknowledgedPresent(cluster, n.node, writers.acknowledged)).toEqual({ present: writers.acknowledged.length, missing: [] });
  cluster.sql(2, "INSERT INTO license_central.lc_activations VALUES ('after-recovery', REPEAT('T', 29), 'c', 'active', NOW(3), NOW(3))"); // writable again
  console.log(
    `galera kill -9 recovery: writable again ${ms} ms after the kill; ${writers.acknowledged.length} acknowledged activations present on all 3 (${writers.failed} writes failed under the kill, unacknowledged)`,
  );
});
