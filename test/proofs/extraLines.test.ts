/**
 * Temporary extra lines on real processes (issue 12, item 2): an HA customer (wayne with 2 booked lines, a
 * 3-node Galera cluster) gets `--add 2 --until +30s` under activation load: the lines join without a failed
 * request, and at the deadline the expiry timer (expireDueExtraLines, as the heal service runs it) removes
 * them by itself, drained — again without a failed request. Addresses 127.243.x.x (the sandbox's name).
 *
 * In the proofs project, not CI: in the clean-clone CI of 2026-11-28 22:23 UTC one activation during the join got
 * "socket hang up" within 1 ms (a kept-alive connection the reloading HAProxy closed), so "without a failed request"
 * does not hold every time yet; the helper's runs had 0 of 168 and 0 of 140.
 */
import * as fs from "fs";
import { LoadResult, runActivationLoad } from "../../sandbox/activationLoad";
import { gatewayLineStats, startWayneLinesSandbox, WayneLinesSandbox } from "./support/wayneLinesSandbox";
import { parseUntil } from "../../model/extraLines";
import { addExtraLines, expireDueExtraLines } from "../../heal/extraLinesApplier";
import { SandboxLineControl } from "../../heal/seams/lines";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** sandboxOctet("ln-lines-61") is 243: this sandbox's processes listen on 127.243.1.x only. */
const NAME = "ln-lines-61";

describe("lchost lines --add 2 --until +30s under load (sandbox)", () => {
  let w: WayneLinesSandbox;
  const report: string[] = [];

  beforeAll(async () => {
    w = await startWayneLinesSandbox({ name: NAME, tickets: 900, ticketPrefix: "ln" });
  }, 85_000);
  afterAll(async () => {
    await w?.stop();
    if (report.length) console.log(report.join("\n"));
  });

  let used = 0;
  /** Load until `stop` resolves (bounded by the tickets it is given). */
  const loadUntil = (stop: Promise<unknown>): Promise<LoadResult> =>
    runActivationLoad(w.sb, { stack: "wayne", tickets: w.tickets.slice(used, (used += 420)), concurrency: 2, durationMs: 60_000, stop });
  const lineStats = () => gatewayLineStats(w.sb);

  it("the extra lines join without a failed request and leave by themselves at the deadline, drained", async () => {
    const { sb, stackFile, dir } = w;
    const lines = new SandboxLineControl(sb, { wayne: stackFile }, 10_000);

    // joining: load runs before, during and after the add
    let endJoinLoad!: () => void;
    const joinLoad = loadUntil(new Promise<void>((r) => (endJoinLoad = r)));
    await sleep(1000);
    const t0 = Date.now();
    const added = await addExtraLines({ stackFile, now: new Date(), add: 2, until: parseUntil("+30s", new Date()), lines });
    const joinMs = Date.now() - t0;
    await sleep(3000);
    const joined = await lineStats();
    endJoinLoad();
    const join = await joinLoad;
    expect(added.applied?.added).toEqual(expect.arrayContaining(["lc-wayne-line-3", "lc-wayne-line-4", "lc-wayne-fsb-3", "lc-wayne-fsb-4"]));
    expect(Object.keys(joined).sort()).toEqual(["line1", "line2", "line3", "line4"]);
    expect(joined.line3.status).toBe("UP");
    expect(joined.line4.status).toBe("UP");
    expect(joined.line3.served + joined.line4.served).toBeGreaterThan(0); // they took traffic
    expect(join.failures).toEqual([]);
    expect(join.acknowledged.filter((o) => o.startedAt > t0 + joinMs).length).toBeGreaterThan(10);

    // leaving: the expiry timer (every 500 ms, as the heal service's) finds the deadline and removes them, drained
    const until = added.until!.getTime();
    await sleep(Math.max(0, until - Date.now() - 3000));
    let endLeaveLoad!: () => void;
    const leaveLoad = loadUntil(new Promise<void>((r) => (endLeaveLoad = r)));
    let removedAt = 0;
    let dueToDone = 0;
    while (!removedAt) {
      const r = await expireDueExtraLines({ stacksDir: dir, lines });
      expect(r.failed).toEqual([]);
      if (r.expired.length) {
        removedAt = Date.now();
        dueToDone = removedAt - until;
        expect(r.expired[0].applied?.removed).toEqual(expect.arrayContaining(["lc-wayne-line-3", "lc-wayne-line-4"]));
      } else await sleep(500);
      if (Date.now() > until + 20_000) throw new Error("the extra lines were not removed within 20 s of their deadline");
    }
    await sleep(1500);
    endLeaveLoad();
    const leave = await leaveLoad;
    expect(leave.failures).toEqual([]);
    expect(leave.acknowledged.filter((o) => o.startedAt > removedAt).length).toBeGreaterThan(5); // still served by the booked lines
    expect(Object.keys(await lineStats()).sort()).toEqual(["line1", "line2"]);
    expect(sb.processes().filter((p) => /lc-wayne-(line|fsb)-[34]$/.test(p.name))).toEqual([]);
    expect(fs.readFileSync(stackFile, "utf8")).not.toContain("lchost:extraLines");
    report.push(
      `extra lines (sandbox ${NAME}): add 2 -> started and behind the gateway in ${joinMs} ms, ${join.acknowledged.length} activations, ${join.failures.length} failed; ` +
        `removed (drained) ${dueToDone} ms after the deadline, ${leave.acknowledged.length} activations, ${leave.failures.length} failed`,
    );
  }, 85_000);
});
