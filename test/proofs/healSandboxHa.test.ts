/**
 * Issue 12's heal proofs in the sandbox, on an HA customer (wayne: 3 License Central lines behind HAProxy, each
 * with its own FSB, a 3-node Galera cluster), with real activations through the gateway (sandbox/activationLoad.ts):
 *  - a lost node: Galera node 3 killed and left dead; the lost-node playbook repoints line 3 (which used it) to a
 *    serving node through the balancer, and line 3 serves again;
 *  - the whole cluster: node 3 back, then every node killed with kill -9 at the same moment under activations; the
 *    full-recovery playbook brings the cluster back from the most advanced node, and every activation a client
 *    was answered 201 for is on every node.
 * Runs as a whole under the real-process locks (npm run test:proofs, or the jest line in the heal section of docs/self-healing.md).
 */
import { createTickets, LoadResult, runActivationLoad } from "../../sandbox/activationLoad";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";
import { HealAlert, PlaybookContext } from "../../heal/playbook";
import { galeraFullRecovery } from "../../heal/playbooks/galeraFullRecovery";
import { lostNodeRepoint } from "../../heal/playbooks/lostNodeRepoint";
import { sandboxBalancerControl } from "../../heal/seams/sandboxBalancer";
import { sandboxHealSeams } from "../../heal/seams/sandboxSeams";

jest.setTimeout(600_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: SandboxHandle;
let tickets: string[];
let used = 0;
const take = (n: number) => tickets.slice(used, (used += n));
const dbProcess = (node: number) => sb.endpoints.wayne.databases.find((d) => d.galeraNode === node)!.process;
const gateway = () => sb.endpoints.wayne.gateway!.process;

beforeAll(async () => {
  sb = await startSandbox({ stacks: ["wayne"], name: "gr-heal-ha", removeOnStop: true, serviceLogLevel: "warn" });
  tickets = await createTickets(sb, "wayne", 1500, "heal");
});
afterAll(async () => {
  await sb?.stop();
});

function context(alert: Partial<HealAlert>, lines: string[]): PlaybookContext {
  return {
    alert: { name: "DatabaseDown", status: "firing", customer: "wayne", labels: {}, annotations: {}, startsAt: new Date().toISOString(), ...alert },
    seams: { runtime: "sandbox", ...sandboxHealSeams(sb, "wayne", "wayne"), balancer: sandboxBalancerControl(sb) },
    dryRun: false,
    now: () => Date.now(),
    log: (l) => lines.push(l),
  };
}

async function waitServerState(server: string, state: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await sb.serverStates(gateway()))[server] === state) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${server} not ${state} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Every activation answered 201 is stored, active, on the given node. */
function missingOn(node: number, r: LoadResult): string[] {
  const schema = sb.credentials.wayne.database!.name;
  const stored = new Set(
    sb.sqlAsRoot(dbProcess(node), `SELECT idempotency_key FROM \`${schema}\`.lc_activations WHERE status = 'active'`).split("\n").filter(Boolean),
  );
  return r.acknowledged.map((o) => o.idempotencyKey).filter((k) => !stored.has(k));
}

test("a lost node: line 3's Galera node is killed and stays dead; the playbook repoints line 3 to a serving node and it serves again", async () => {
  const stop = sleep(20_000);
  const load = runActivationLoad(sb, { stack: "wayne", tickets: take(400), concurrency: 4, durationMs: 60_000, stop });
  await sleep(1500);
  sb.kill(dbProcess(3), "SIGKILL");
  await waitServerState("license_central/line3", "DOWN", 15_000);
  const lines: string[] = [];
  const ctx = context({ labels: { part: "db-3" }, startsAt: new Date(Date.now() - 1000).toISOString() }, lines);
  const pb = lostNodeRepoint({ lostAfterMs: 0 });
  const t0 = Date.now();
  const actions = await pb.plan(ctx);
  expect(actions.map((a) => a.summary)).toEqual([expect.stringMatching(/^repoint line-3 of wayne from db-3 .* to db-1$/)]);
  const outcome = await pb.run(ctx, actions[0]);
  expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringContaining("line-3 now uses db-1") });
  await waitServerState("license_central/line3", "UP", 15_000);
  const ms = Date.now() - t0;
  expect(sb.processSpec("lc-wayne-line-3").env.DB_HOST).toBe(sb.endpoints.wayne.databases.find((d) => d.galeraNode === 1)!.host);
  const r = await load;
  for (const n of [1, 2]) expect(missingOn(n, r)).toEqual([]);
  console.log(
    `lost-node repoint: line 3 UP again ${ms} ms after the playbook started; ${r.acknowledged.length} acknowledged, ${r.failures.length} failed requests during the node loss (${[...new Set(r.failures.map((f) => f.status))].join(", ")})`,
  );
});

test("the whole cluster killed with kill -9 at the same moment under activations: the playbook brings it back from the most advanced node with every acknowledged activation", async () => {
  await sb.restart(dbProcess(3)); // node 3 back and synced: three nodes again
  let killed = 0;
  const stop = (async () => {
    await sleep(3000);
    for (const n of [1, 2, 3]) sb.kill(dbProcess(n), "SIGKILL");
    killed = Date.now();
    await sleep(1500);
  })();
  const r = await runActivationLoad(sb, { stack: "wayne", tickets: take(600), concurrency: 6, durationMs: 60_000, stop, timeoutMs: 5000 });
  expect(r.acknowledged.length).toBeGreaterThan(20);
  const newest = [...r.acknowledged].sort((a, b) => a.endedAt - b.endedAt).pop()!;

  const lines: string[] = [];
  const ctx = context({ labels: { part: "db-1" } }, lines);
  const pb = galeraFullRecovery({
    lastAcknowledged: async () => newest.idempotencyKey,
    startGraceMs: 0,
    pollMs: 500,
    schema: sb.credentials.wayne.database!.name,
  });
  const [action] = await pb.plan(ctx);
  const outcome = await pb.run(ctx, action);
  const writableMs = Date.now() - killed;
  console.log(`${lines.join("\n")}\n${JSON.stringify(outcome)}`);
  expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringContaining("3 of 3 nodes in the primary component") });
  for (const n of [1, 2, 3]) expect(missingOn(n, r)).toEqual([]);

  // the lines serve again through the gateway
  for (const l of [1, 2, 3]) await waitServerState(`license_central/line${l}`, "UP", 30_000);
  const after = await runActivationLoad(sb, { stack: "wayne", tickets: take(30), concurrency: 3, durationMs: 20_000 });
  expect(after.failures).toEqual([]);
  console.log(
    `galera full recovery (sandbox, HA wayne): writable again ${writableMs} ms after kill -9 of all 3 nodes; ${r.acknowledged.length} acknowledged activations present on all 3; ${r.failures.length} requests failed during the outage (unacknowledged)`,
  );
});
