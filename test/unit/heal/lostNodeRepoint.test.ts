/** The lost-node repoint playbook against simulated seams; the real processes: test/proofs/galeraLostNodeRepoint.test.ts. */
import { HealAlert, PlaybookContext } from "../../../heal/playbook";
import { lostNodeRepoint } from "../../../heal/playbooks/lostNodeRepoint";
import { GaleraControl, GaleraNodeStatus } from "../../../heal/seams/galera";
import { LineProcess, ProcessLineDatabaseControl, recreateBody } from "../../../heal/seams/lineDatabase";

const HOSTS = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

function galera(ready: Record<number, boolean>): GaleraControl {
  const status = async (_c: string, n: number): Promise<GaleraNodeStatus> => ({
    node: n,
    running: ready[n],
    ready: ready[n],
    clusterStatus: ready[n] ? "Primary" : undefined,
  });
  const no = () => Promise.reject(new Error("not in this test"));
  return { nodes: async () => [1, 2, 3], status, stop: no, readGrastate: no, recover: no, start: no, query: no };
}

function lineProcs(nodes: number[], readyOn: (host: string) => boolean, calls: string[]): LineProcess[] {
  return nodes.map((n, i) => {
    const l: LineProcess = {
      line: i + 1,
      env: { DB_HOST: HOSTS[n - 1] },
      restart: async () => {
        calls.push(`restart line-${l.line} ${l.env.DB_HOST}`);
        if (!readyOn(l.env.DB_HOST)) throw new Error("not ready within 1 s");
      },
    };
    return l;
  });
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const alert = (part = "db-3", startsAt = minutesAgo(30)): HealAlert => ({
  name: "DatabaseDown",
  status: "firing",
  customer: "hooli",
  labels: { part },
  annotations: {},
  startsAt,
});

function ctx(seams: Record<string, unknown>, a = alert(), dryRun = false): PlaybookContext {
  return { alert: a, seams: { runtime: "sandbox", ...seams }, dryRun, now: () => Date.now(), log: () => undefined };
}

describe("lost-node repoint", () => {
  it("moves each line of the lost node to the serving node with the fewest lines, through the balancer", async () => {
    const calls: string[] = [];
    // 4 lines over 3 nodes (1, 2, 3, 3): lines 3 and 4 lose their node
    const lines = lineProcs([1, 2, 3, 3], (h) => h !== HOSTS[2], calls);
    const seams = {
      galera: galera({ 1: true, 2: true, 3: false }),
      lineDatabase: new ProcessLineDatabaseControl({ hooli: { lines, nodeHosts: HOSTS } }),
      balancer: { setLineState: async (_c: string, l: number, s: string) => void calls.push(`balancer line-${l} ${s}`) },
    };
    const pb = lostNodeRepoint();
    expect(pb.matches(alert())).toBe(true);
    expect(pb.matches({ ...alert(), name: "LineDown" })).toBe(false);
    const c = ctx(seams);
    const actions = await pb.plan(c);
    expect(actions.map((a) => a.summary)).toEqual([
      expect.stringMatching(/^repoint line-3 of hooli from db-3 .* to db-1$/),
      expect.stringMatching(/^repoint line-4 of hooli from db-3 .* to db-2$/),
    ]);
    for (const a of actions) expect(await pb.run(c, a)).toEqual({ kind: "succeeded", detail: expect.stringContaining(`line-${a.part.index} now uses db-`) });
    expect(lines.map((l) => l.env.DB_HOST)).toEqual([HOSTS[0], HOSTS[1], HOSTS[0], HOSTS[1]]);
    expect(calls).toEqual([
      "balancer line-3 maint",
      "restart line-3 10.0.0.1",
      "balancer line-3 ready",
      "balancer line-4 maint",
      "restart line-4 10.0.0.2",
      "balancer line-4 ready",
    ]);
  });

  it("waits until the node counts as lost, and does nothing when it serves again or no other node serves", async () => {
    const calls: string[] = [];
    const mk = (ready: Record<number, boolean>) => ({
      galera: galera(ready),
      lineDatabase: new ProcessLineDatabaseControl({ hooli: { lines: lineProcs([1, 2, 3], () => true, calls), nodeHosts: HOSTS } }),
    });
    const pb = lostNodeRepoint({ lostAfterMs: 600_000 });
    expect(await pb.plan(ctx(mk({ 1: true, 2: true, 3: false }), alert("db-3", minutesAgo(2))))).toEqual([]);
    expect(await pb.plan(ctx(mk({ 1: true, 2: true, 3: true })))).toEqual([]);
    expect(await pb.plan(ctx(mk({ 1: false, 2: false, 3: false })))).toEqual([]);
    expect(await pb.plan(ctx({ galera: galera({ 1: true, 2: true, 3: false }) }))).toEqual([]); // no line control here
    expect(calls).toEqual([]);
  });

  it("a line that does not become ready on its new node is put back as it was, and says so", async () => {
    const calls: string[] = [];
    const lines = lineProcs([1, 2, 3], (h) => h === HOSTS[2], calls); // only the (lost) old setting "starts"
    const seams = { galera: galera({ 1: true, 2: true, 3: false }), lineDatabase: new ProcessLineDatabaseControl({ hooli: { lines, nodeHosts: HOSTS } }) };
    const pb = lostNodeRepoint();
    const c = ctx(seams);
    const [a] = await pb.plan(c);
    expect(await pb.run(c, a)).toEqual({ kind: "failed", leftAsBefore: true, detail: expect.stringContaining("put back on db-3 as before") });
    expect(lines[2].env.DB_HOST).toBe(HOSTS[2]);
    expect(calls).toEqual(["restart line-3 10.0.0.1", "restart line-3 10.0.0.3"]);
  });

  it("dry run changes nothing", async () => {
    const calls: string[] = [];
    const seams = {
      galera: galera({ 1: true, 2: true, 3: false }),
      lineDatabase: new ProcessLineDatabaseControl({ hooli: { lines: lineProcs([1, 2, 3], () => true, calls), nodeHosts: HOSTS } }),
    };
    const pb = lostNodeRepoint();
    const c = ctx(seams, alert(), true);
    const [a] = await pb.plan(c);
    expect(await pb.run(c, a)).toEqual({ kind: "skipped", detail: "dry run: would repoint line-3 to db-1" });
    expect(calls).toEqual([]);
  });

  it("refuses a bad lostAfterMs naming it", () => {
    expect(() => lostNodeRepoint({ lostAfterMs: -1 })).toThrow(/lostAfterMs/);
  });
});

it("recreateBody: the same container with DB_HOST changed, its networks' aliases kept (without the engine's own)", () => {
  const body = recreateBody(
    {
      Name: "/lc-hooli-line-3",
      Config: { Image: "lc:1", Hostname: "lc-hooli-line-3", Env: ["A=1", "DB_HOST=lc-hooli-db-3", "B=2"], Labels: { "lchost.role": "license-central" } },
      HostConfig: { RestartPolicy: { Name: "unless-stopped" } },
      NetworkSettings: { Networks: { "lc-hooli": { Aliases: ["lc-hooli-line-3", "0123456789ab", "line-3"] } } },
      State: { Running: false },
    },
    "DB_HOST",
    "lc-hooli-db",
  );
  expect(body).toEqual({
    Image: "lc:1",
    Hostname: "lc-hooli-line-3",
    Env: ["A=1", "B=2", "DB_HOST=lc-hooli-db"],
    Labels: { "lchost.role": "license-central" },
    HostConfig: { RestartPolicy: { Name: "unless-stopped" } },
    NetworkingConfig: { EndpointsConfig: { "lc-hooli": { Aliases: ["line-3"] } } },
  });
});
