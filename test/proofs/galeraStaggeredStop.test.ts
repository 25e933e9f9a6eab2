/**
 * A Galera cluster whose nodes were stopped one after another — what a real Docker engine's stop does (measured:
 * db-2, then db-1 a second later) — re-forms by itself when the nodes come back in another order, with every
 * acknowledged write on all three (issue 12, "a host restart"). Real mariadbd with the rendered node config and
 * the rendered start script (the one the containers run), on loopback addresses no other test uses
 * (127.243.77.1–3), one writer per node until its node stops.
 *
 * Two stop orders, each the case one rule of the start script is for (components/render/mariadbConfig.ts):
 * - one after another (n1, n2, n3 a second apart), the last one back last: n3 left last, alone in the primary
 *   component, so Galera marked it safe_to_bootstrap: 1 and it founds. With the start script before this change
 *   (only node 1 could found; the saved views only) the cluster never re-formed: n1 and n2 came back first, neither
 *   view could re-form (n1's had all three members, n2's was {n2, n3}), and n3's {n3} no longer matched once the
 *   others were there ("no nodes coming from prim view, prim not possible").
 * - one, then the other two without a clean leave between them (n2 stopped; n1 and n3 lose each other, as when an
 *   engine tears down the containers' network while it stops them — cut here with iptables on their two addresses
 *   — then both stopped), n2 back first: no node was left alone (safe_to_bootstrap 0 everywhere), n2's saved view
 *   {n1, n2, n3} is older than the others' {n1, n3}; n2 must not keep them from re-forming theirs. With the start
 *   script before this change the cluster never re-formed (same "no nodes coming from prim view").
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { acknowledgedPresent, LocalGaleraCluster, startActivationWriters, startLocalGaleraCluster } from "../../bench/galeraLocalCluster";

jest.setTimeout(300_000);

let cluster: LocalGaleraCluster;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startLocalGaleraCluster({ block: 0, addressPrefix: "127.243.77", customer: "fd-stagger" });
  await cluster.bootstrap(150_000);
});

afterAll(async () => {
  link(1, 3, "heal");
  await cluster?.destroy();
});

const address = (n: number) => `127.243.77.${n}`;
/** Cuts (or heals) the link between two nodes: every packet between their addresses dropped, both ways. */
function link(a: number, b: number, how: "cut" | "heal"): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    const rule = ["OUTPUT", "-s", address(from), "-d", address(to), "-j", "DROP"];
    if (how === "cut") {
      const r = spawnSync("iptables", ["-I", ...rule], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`iptables -I ${rule.join(" ")}: ${r.stderr}`);
    } else while (spawnSync("iptables", ["-D", ...rule]).status === 0); // every copy
  }
}

const grastate = (n: number) => fs.readFileSync(path.join(cluster.nodes[n - 1].datadir, "grastate.dat"), "utf8");
const safeToBootstrap = (n: number) => /^safe_to_bootstrap:\s*1/m.test(grastate(n));

async function reformed(): Promise<boolean> {
  const st = await Promise.all(cluster.nodes.map((n) => cluster.control.status(cluster.customer, n.node)));
  return st.every((s) => s.ready && s.clusterStatus === "Primary" && s.clusterSize === 3);
}

/** Writers on every node, then SIGTERM (to the start script, as the engine sends it) at the given offsets; resolves when every node has stopped. */
async function stopUnderWrites(round: string, schedule: Array<{ node: number; atMs: number }>): Promise<string[]> {
  const writers = await startActivationWriters(cluster, undefined, round);
  await writers.reached(60);
  await Promise.all(
    schedule.map(async ({ node, atMs }) => {
      await sleep(atMs);
      await cluster.nodes[node - 1].stop();
    }),
  );
  await writers.stop();
  return [...writers.acknowledged];
}

/** Starts the nodes in the given waves (a wave's delay before it), waits for a cluster of 3 and checks every key on every node. */
async function restartAndCheck(waves: Array<{ nodes: number[]; afterMs: number }>, keys: string[], withinMs: number): Promise<number> {
  const t0 = Date.now();
  for (const w of waves) {
    await sleep(w.afterMs);
    for (const n of w.nodes) cluster.nodes[n - 1].start();
  }
  while (!(await reformed().catch(() => false))) {
    if (Date.now() - t0 > withinMs)
      throw new Error(`not re-formed within ${withinMs} ms\n${cluster.nodes.map((n) => `n${n.node}: ${cluster.logTail(n.node)}`).join("\n")}`);
    await sleep(500);
  }
  const ms = Date.now() - t0;
  for (const n of cluster.nodes) expect(acknowledgedPresent(cluster, n.node, keys)).toEqual({ present: keys.length, missing: [] });
  // writable on every node again
  for (const n of cluster.nodes) {
    for (let t = Date.now(); ; await sleep(500)) {
      try {
        cluster.sql(n.node, `INSERT INTO license_central.lc_activations VALUES (UUID(), REPEAT('T', 29), 'after-${n.node}', 'active', NOW(3), NOW(3))`);
        break;
      } catch (e) {
        if (Date.now() - t > 30_000) throw e;
      }
    }
  }
  return ms;
}

test("stopped one after another (n1, n2, n3), the last back last: the last to leave founds, the others join, every acknowledged write on all 3", async () => {
  const keys = await stopUnderWrites("one-by-one", [
    { node: 1, atMs: 0 },
    { node: 2, atMs: 1000 },
    { node: 3, atMs: 2000 },
  ]);
  expect(keys.length).toBeGreaterThanOrEqual(60);
  expect([1, 2, 3].map(safeToBootstrap)).toEqual([false, false, true]); // Galera's own mark: n3 was left alone, last
  const ms = await restartAndCheck(
    [
      { nodes: [1, 2], afterMs: 0 },
      { nodes: [3], afterMs: 6000 },
    ],
    keys,
    90_000,
  );
  console.log(`one after another: re-formed ${ms} ms after the first start, ${keys.length} acknowledged writes on all 3`);
});

test("n2 stopped, then n1 and n3 lose each other and stop, n2 back first: its older view does not keep the others from re-forming; every acknowledged write on all 3", async () => {
  const writers = await startActivationWriters(cluster, undefined, "cut");
  await writers.reached(60);
  await cluster.nodes[1].stop();
  await sleep(1000);
  link(1, 3, "cut");
  try {
    const t0 = Date.now();
    while ((await Promise.all([1, 3].map((n) => cluster.control.status(cluster.customer, n)))).some((s) => s.clusterStatus === "Primary")) {
      if (Date.now() - t0 > 60_000) throw new Error("n1 and n3 still primary 60 s after their link was cut");
      await sleep(500);
    }
    await Promise.all([cluster.nodes[0].stop(), cluster.nodes[2].stop()]);
  } finally {
    link(1, 3, "heal");
  }
  await writers.stop();
  const keys = [...writers.acknowledged];
  expect(keys.length).toBeGreaterThanOrEqual(60);
  expect([1, 2, 3].map(safeToBootstrap)).toEqual([false, false, false]); // no node was left alone
  const ms = await restartAndCheck(
    [
      { nodes: [2], afterMs: 0 },
      { nodes: [1, 3], afterMs: 5000 },
    ],
    keys,
    100_000,
  );
  console.log(`n2, then n1 + n3 apart: re-formed ${ms} ms after the first start, ${keys.length} acknowledged writes on all 3`);
});
