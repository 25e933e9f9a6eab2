/**
 * The Galera full-cluster recovery playbook against a simulated cluster (a GaleraControl whose nodes hold sets of
 * activation keys; a joiner takes the founder's data, as an SST does). The real processes: test/proofs/galeraKillRecovery.test.ts.
 */
import { galeraFullRecovery, Pager } from "../../../heal/playbooks/galeraFullRecovery";
import { HealAlert, PlaybookContext } from "../../../heal/playbook";
import { GaleraControl, GaleraNodeStatus } from "../../../heal/seams/galera";

const UUID = "6a3e1c2b-0000-11ee-9d4f-1b2c3d4e5f60";
const OTHER = "7b4f2d3c-0000-11ee-9d4f-1b2c3d4e5f60";

interface SimNode {
  node: number;
  running: boolean;
  ready: boolean;
  grastate: string | Error;
  recoverLog?: string | Error;
  keys: Set<string>;
  founded?: boolean;
  /** The founder never forms a primary component (a broken start). */
  brokenStart?: boolean;
}

class SimGalera implements GaleraControl {
  calls: string[] = [];
  constructor(readonly sim: SimNode[]) {}
  private n(i: number) {
    return this.sim.find((s) => s.node === i)!;
  }
  private primary() {
    return this.sim.filter((s) => s.ready);
  }
  async nodes() {
    return this.sim.map((s) => s.node);
  }
  async status(_c: string, i: number): Promise<GaleraNodeStatus> {
    const s = this.n(i);
    return {
      node: i,
      running: s.running,
      ready: s.ready,
      clusterSize: s.ready ? this.primary().length : undefined,
      clusterStatus: s.ready ? "Primary" : undefined,
    };
  }
  async stop(_c: string, i: number) {
    this.calls.push(`stop ${i}`);
    Object.assign(this.n(i), { running: false, ready: false });
  }
  async readGrastate(_c: string, i: number) {
    const g = this.n(i).grastate;
    if (g instanceof Error) throw g;
    return g;
  }
  async recover(_c: string, i: number) {
    this.calls.push(`recover ${i}`);
    if (this.n(i).running) throw new Error("runs");
    const r = this.n(i).recoverLog;
    if (r instanceof Error) throw r;
    return r ?? "";
  }
  async start(_c: string, i: number, as: "founder" | "joiner") {
    this.calls.push(`start ${i} ${as}`);
    const s = this.n(i);
    if (s.running) throw new Error("already runs");
    s.running = true;
    if (as === "founder") {
      if (this.sim.some((o) => o.founded)) throw new Error("SECOND FOUNDER");
      s.founded = true;
      s.ready = !s.brokenStart;
      return;
    }
    const founder = this.sim.find((o) => o.founded && o.ready);
    if (founder) {
      s.keys = new Set(founder.keys); // state transfer: the joiner takes the primary component's data
      s.ready = true;
    }
  }
  async query(_c: string, i: number, sql: string) {
    const key = /idempotency_key = '([^']+)'/.exec(sql)![1];
    return this.n(i).keys.has(key) ? "1\n" : "0\n";
  }
}

const grastate = (seqno: number, safe = 0, uuid = UUID) =>
  `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safe}\n`;
const recovered = (seqno: number, uuid = UUID) => `2026-11-28 20:00:00 0 [Note] WSREP: Recovered position: ${uuid}:${seqno}\n`;
const keys = (n: number) => new Set(Array.from({ length: n }, (_, i) => `act-${i + 1}`));

/** Three nodes killed at once under writes: seqno -1 everywhere, node 2 the most advanced. */
function killedCluster(): SimNode[] {
  return [
    { node: 1, running: false, ready: false, grastate: grastate(-1), recoverLog: recovered(40), keys: keys(40) },
    { node: 2, running: false, ready: false, grastate: grastate(-1), recoverLog: recovered(43), keys: keys(43) },
    { node: 3, running: false, ready: false, grastate: grastate(-1), recoverLog: recovered(41), keys: keys(41) },
  ];
}

function alert(over: Partial<HealAlert> = {}): HealAlert {
  return {
    name: "DatabaseDown",
    status: "firing",
    customer: "hooli",
    labels: { alertname: "DatabaseDown", customer: "hooli", part: "db-1", component: "database" },
    annotations: {},
    startsAt: new Date(Date.now() - 300_000).toISOString(),
    ...over,
  };
}

function ctx(g: GaleraControl | undefined, over: Partial<PlaybookContext> = {}, pager?: Pager): PlaybookContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    alert: alert(),
    seams: { runtime: "sandbox", ...(g ? { galera: g } : {}), ...(pager ? { pager } : {}) },
    dryRun: false,
    now: () => Date.now(),
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
}

const fast = { pollMs: 1, foundTimeoutMs: 50, joinTimeoutMs: 50 };

async function runOnce(g: SimGalera, opts: Parameters<typeof galeraFullRecovery>[0] = {}, c = ctx(g)) {
  const pb = galeraFullRecovery({ ...fast, ...opts });
  const actions = await pb.plan(c);
  if (actions.length === 0) return { actions, outcome: undefined, c };
  return { actions, outcome: await pb.run(c, actions[0]), c };
}

describe("galera full-cluster recovery playbook", () => {
  it("matches a firing DatabaseDown of a cluster node and DatabaseClusterSmaller, nothing else", () => {
    const pb = galeraFullRecovery();
    expect(pb.matches(alert())).toBe(true);
    expect(pb.matches(alert({ name: "DatabaseClusterSmaller", labels: { part: "cluster" } }))).toBe(true);
    expect(pb.matches(alert({ status: "resolved" }))).toBe(false);
    expect(pb.matches(alert({ name: "LineDown", labels: { part: "line-1" } }))).toBe(false);
    expect(pb.matches(alert({ labels: { part: "db" } }))).toBe(false);
  });

  it("after kill -9 of every node: founds from the most advanced recovered position, then starts the others, and finds the newest acknowledged activation everywhere", async () => {
    const g = new SimGalera(killedCluster());
    const { actions, outcome, c } = await runOnce(g, { lastAcknowledged: async () => "act-43" });
    expect(actions).toEqual([{ part: { customer: "hooli", role: "database" }, summary: expect.stringContaining("no node of 3 serves") }]);
    expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringContaining("bootstrapped db-2 (most advanced committed state: seqno 43") });
    expect(outcome!.detail).toContain("newest acknowledged activation is present on db-1, db-2, db-3");
    expect(g.calls.filter((x) => x.startsWith("start"))).toEqual(["start 2 founder", "start 1 joiner", "start 3 joiner"]);
    expect(g.calls.filter((x) => x.startsWith("recover"))).toEqual(["recover 1", "recover 2", "recover 3"]);
    expect(c.lines).toContain("db-2: grastate.dat seqno -1; --wsrep-recover: 6a3e1c2b-0000-11ee-9d4f-1b2c3d4e5f60:43");
  });

  it("after a clean stop uses grastate.dat's seqno without --wsrep-recover", async () => {
    const sim = killedCluster();
    sim[0].grastate = grastate(50);
    sim[1].grastate = grastate(49);
    sim[2].grastate = grastate(50, 1);
    const g = new SimGalera(sim);
    const { outcome } = await runOnce(g);
    expect(outcome).toEqual({ kind: "succeeded", detail: expect.stringContaining("bootstrapped db-3") });
    expect(outcome!.detail).toContain("acknowledged writes not checked");
    expect(g.calls.some((x) => x.startsWith("recover"))).toBe(false);
  });

  it("does nothing while a node serves", async () => {
    const sim = killedCluster();
    Object.assign(sim[2], { running: true, ready: true });
    const g = new SimGalera(sim);
    const pb = galeraFullRecovery(fast);
    expect(await pb.plan(ctx(g))).toEqual([]);
    expect(await pb.run(ctx(g), { part: { customer: "hooli", role: "database" }, summary: "x" })).toEqual({
      kind: "skipped",
      detail: expect.stringContaining("db-3 serve: not a full-cluster outage"),
    });
    expect(g.calls).toEqual([]);
  });

  it("leaves starting nodes to Galera's own recovery during the grace time, then stops them and acts", async () => {
    const sim = killedCluster();
    sim.forEach((s) => (s.running = true)); // an engine restart: restarting, not serving
    const young = new SimGalera(sim.map((s) => ({ ...s })));
    const r1 = await runOnce(young, { startGraceMs: 600_000 });
    expect(r1.actions).toEqual([]);
    expect(young.calls).toEqual([]);
    const old = new SimGalera(sim.map((s) => ({ ...s })));
    const r2 = await runOnce(old, { startGraceMs: 60_000 });
    expect(r2.outcome?.kind).toBe("succeeded");
    expect(old.calls.slice(0, 3)).toEqual(["stop 1", "stop 2", "stop 3"]);
  });

  it("refuses and pages when a node's state cannot be read: nothing is started", async () => {
    const sim = killedCluster();
    sim[1].recoverLog = new Error("volume gone");
    const g = new SimGalera(sim);
    const pages: string[] = [];
    const c = ctx(g, {}, { page: async (_c, why) => void pages.push(why) });
    const { outcome } = await runOnce(g, {}, c);
    expect(outcome).toEqual({
      kind: "failed",
      leftAsBefore: true,
      detail: expect.stringMatching(/^nothing bootstrapped: cannot read the state of db-2 .*volume gone.*\(on-call paged\)$/),
    });
    expect(pages).toEqual([expect.stringContaining("was not recovered automatically")]);
    expect(g.calls.some((x) => x.startsWith("start"))).toBe(false);
  });

  it("refuses nodes of different clusters", async () => {
    const sim = killedCluster();
    sim[2].recoverLog = recovered(90, OTHER);
    const g = new SimGalera(sim);
    const { outcome } = await runOnce(g);
    expect(outcome).toEqual({ kind: "failed", leftAsBefore: true, detail: expect.stringContaining("different clusters") });
    expect(g.calls.some((x) => x.startsWith("start"))).toBe(false);
  });

  it("a founder that does not form a primary component is stopped again and no joiner is started", async () => {
    const sim = killedCluster();
    sim[1].brokenStart = true;
    const g = new SimGalera(sim);
    const { outcome } = await runOnce(g);
    expect(outcome).toEqual({ kind: "failed", leftAsBefore: true, detail: expect.stringContaining("bootstrapping db-2 failed") });
    expect(g.calls.filter((x) => x.startsWith("start"))).toEqual(["start 2 founder"]);
    expect(g.calls[g.calls.length - 1]).toBe("stop 2");
  });

  it("says acknowledged writes were lost when the newest acknowledged activation is missing after the re-form", async () => {
    const sim = killedCluster();
    sim[1].keys.delete("act-43"); // the position says node 2 is newest, but its data lacks the write
    const g = new SimGalera(sim);
    const { outcome } = await runOnce(g, { lastAcknowledged: async () => "act-43" });
    expect(outcome).toEqual({ kind: "failed", leftAsBefore: false, detail: expect.stringContaining("acknowledged writes were lost") });
  });

  it("refuses a probe answer that is not an idempotency key before changing anything", async () => {
    const g = new SimGalera(killedCluster());
    const { outcome } = await runOnce(g, { lastAcknowledged: async () => "x'; DROP TABLE t; --" });
    expect(outcome).toEqual({ kind: "failed", leftAsBefore: true, detail: expect.stringContaining("lastAcknowledged: not an idempotency key") });
    expect(g.calls).toEqual([]);
  });

  it("dry run and a runtime without Galera control change nothing", async () => {
    const g = new SimGalera(killedCluster());
    const pb = galeraFullRecovery(fast);
    const dry = ctx(g, { dryRun: true });
    const [a] = await pb.plan(dry);
    expect(await pb.run(dry, a)).toEqual({ kind: "skipped", detail: "dry run" });
    expect(g.calls).toEqual([]);
    const none = ctx(undefined);
    const [b] = await pb.plan(none);
    expect(b.summary).toContain("not possible here");
    expect(await pb.run(none, b)).toEqual({ kind: "skipped", detail: "the sandbox runtime has no Galera control" });
  });
});
