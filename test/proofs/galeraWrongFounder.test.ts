/**
 * Why the recovery rule matters, on real processes (bench/galeraLocalCluster.ts, 127.242.2.1–3): node 3 dies
 * first, nodes 1 and 2 go on acknowledging activations, then both die with kill -9. Founding the cluster from
 * node 3 — the least advanced — serves clients a database without activations they were told succeeded. That
 * founding also gives node 3 a history of its own (a new state UUID: measured), so afterwards the rule refuses to
 * merge the nodes at all. The playbook, on the data directories as they were before the wrong founding (node 3's
 * copied aside first; nodes 1 and 2 were never started), chooses node 1 or 2 and every acknowledged activation is
 * back on all three nodes (node 3 catches up by state transfer).
 */
import { spawnSync } from "child_process";
import { acknowledgedPresent, LocalGaleraCluster, startActivationWriters, startLocalGaleraCluster } from "../../bench/galeraLocalCluster";
import { chooseBootstrapNode, NodeState, parseGrastate, parseRecoveredPosition } from "../../heal/galeraRecovery";
import { galeraFullRecovery } from "../../heal/playbooks/galeraFullRecovery";
import { HealAlert } from "../../heal/playbook";

jest.setTimeout(240_000);

let cluster: LocalGaleraCluster | undefined;
afterAll(async () => {
  await cluster?.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("founding from the least advanced node loses acknowledged activations; the playbook's choice on the same data keeps them all", async () => {
  cluster = await startLocalGaleraCluster({ block: 2, customer: "gr-wrong" });
  const c = cluster;
  await c.bootstrap();
  const writers = await startActivationWriters(c);
  await writers.reached(60);
  c.kill9([3]);
  const atFirstKill = writers.acknowledged.length;
  await writers.reached(atFirstKill + 150); // nodes 1 and 2 keep a primary component (2 of 3) and acknowledge more
  c.kill9([1, 2]);
  await writers.stop();
  while (c.nodes.some((n) => n.running())) await sleep(100);

  // what the rule says on this data
  const readAll = async (): Promise<NodeState[]> => {
    const out: NodeState[] = [];
    for (const n of [1, 2, 3]) {
      const grastate = parseGrastate(await c.control.readGrastate(c.customer, n));
      out.push({ node: `db-${n}`, grastate, recovered: parseRecoveredPosition(await c.control.recover(c.customer, n)) });
    }
    return out;
  };
  const states = await readAll();
  const decision = chooseBootstrapNode(states);
  expect(decision.kind).toBe("bootstrap");
  expect(decision.kind === "bootstrap" && decision.node).not.toBe("db-3");
  const seq = (n: number) => (states[n - 1] as { recovered: { seqno: number } }).recovered.seqno;
  expect(seq(3)).toBeLessThan(Math.max(seq(1), seq(2)));

  // the wrong choice: node 3 founds, and serves without acknowledged activations (its data copied aside first)
  const d3 = c.nodes[2].datadir;
  expect(spawnSync("cp", ["-a", d3, `${d3}.before`]).status).toBe(0);
  await c.control.start(c.customer, 3, "founder");
  for (let t0 = Date.now(); !(await c.control.status(c.customer, 3)).ready; await sleep(500))
    if (Date.now() - t0 > 90_000) throw new Error(`node 3 did not found: ${c.logTail(3)}`);
  const wrong = acknowledgedPresent(c, 3, writers.acknowledged);
  console.log(
    `wrong founder db-3 (seqno ${seq(3)} vs ${seq(1)}/${seq(2)}): ${wrong.missing.length} of ${writers.acknowledged.length} acknowledged activations missing`,
  );
  expect(wrong.missing.length).toBeGreaterThan(0);
  await c.control.stop(c.customer, 3);
  // after the wrong founding node 3 has a history of its own: the rule will not merge it with nodes 1 and 2
  expect(chooseBootstrapNode(await readAll())).toEqual({ kind: "refuse", why: expect.stringContaining("belong to different clusters") });

  // the playbook on the data as it was before the wrong founding
  expect(spawnSync("sh", ["-c", 'rm -rf "$1" && mv "$1.before" "$1"', "swap", d3]).status).toBe(0);
  const lines: string[] = [];
  const alert: HealAlert = {
    name: "DatabaseDown",
    status: "firing",
    customer: c.customer,
    labels: { part: "db-3" },
    annotations: {},
    startsAt: new Date().toISOString(),
  };
  const ctx = { alert, seams: { runtime: "sandbox" as const, galera: c.control }, dryRun: false, now: () => Date.now(), log: (l: string) => lines.push(l) };
  const pb = galeraFullRecovery({ lastAcknowledged: async () => writers.last(), startGraceMs: 0, pollMs: 500 });
  const [action] = await pb.plan(ctx);
  const outcome = await pb.run(ctx, action);
  console.log(`${lines.join("\n")}\n${JSON.stringify(outcome)}`);
  expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringMatching(/^bootstrapped db-[12] /) });
  for (const n of [1, 2, 3]) expect(acknowledgedPresent(c, n, writers.acknowledged)).toEqual({ present: writers.acknowledged.length, missing: [] });
});
