/**
 * Autoscale on real processes (issue 12, item 3): an HA customer (wayne, 2 booked lines, lchost:autoscale
 * maxExtraLines 1, scaleUpAfter 10s, scaleDownAfter 15s) under activation load. An FSB-bound peak — the
 * monitoring issue's FsbQueueSaturated alert, handed to the playbook as the heal service would, plus the
 * service's timer tick every second — adds a line within 60 s of the peak's start; the measured figure is
 * "peak -> extra line serving" (the alert's startsAt until the new line has answered through the gateway).
 * After the alert resolves and scaleDownAfter of idle, the line is removed, drained, without a failed request.
 * Addresses 127.243.x.x (the sandbox's name). Run under the real-process lock:
 *   flock /tmp/lchost-realruns.lock npx jest --selectProjects proofs test/proofs/autoscale.test.ts
 */
import * as fs from "fs";
import { LoadResult, runActivationLoad } from "../../sandbox/activationLoad";
import { gatewayLineStats, startWayneLinesSandbox, WayneLinesSandbox } from "./support/wayneLinesSandbox";
import { AutoscalePlaybook, autoscaleTick } from "../../heal/playbooks/autoscale";
import type { HealAlert, PlaybookContext, PlaybookOutcome } from "../../heal/playbook";
import { LINES_SEAM, SandboxLineControl } from "../../heal/seams/lines";

jest.setTimeout(150_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** sandboxOctet("ln-auto-317") is 243: this sandbox's processes listen on 127.243.1.x only. */
const NAME = "ln-auto-317";

describe("autoscale: a sustained FSB-bound peak adds a line, idle removes it (sandbox)", () => {
  let w: WayneLinesSandbox;
  const report: string[] = [];

  beforeAll(async () => {
    w = await startWayneLinesSandbox({
      name: NAME,
      extraKeys: '  lchost:autoscale: { maxExtraLines: 1, scaleUpAfter: "10s", scaleDownAfter: "15s" }\n',
      tickets: 1200,
      ticketPrefix: "la",
    });
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    if (report.length) console.log(report.join("\n"));
  });

  const lineStats = () => gatewayLineStats(w.sb);

  it("peak -> extra line serving within 60 s; idle -> removed, drained, 0 failed requests", async () => {
    const { sb, stackFile, tickets } = w;
    const playbook = new AutoscalePlaybook();
    const seams = { runtime: "sandbox" as const, [LINES_SEAM]: new SandboxLineControl(sb, { wayne: stackFile }, 10_000) };
    const audit: string[] = [];
    /** What the heal service does with an alert: plan, then run each action (no dry run). */
    const handle = async (alert: HealAlert): Promise<PlaybookOutcome[]> => {
      const ctx: PlaybookContext = { alert, seams, dryRun: false, now: () => Date.now(), log: (l) => audit.push(l) };
      const out: PlaybookOutcome[] = [];
      for (const a of await playbook.plan(ctx)) {
        audit.push(a.summary);
        out.push(await playbook.run(ctx, a));
      }
      return out;
    };

    let stop!: () => void;
    const load: Promise<LoadResult> = runActivationLoad(sb, {
      stack: "wayne",
      tickets,
      concurrency: 1,
      durationMs: 120_000,
      stop: new Promise<void>((r) => (stop = r)),
    });
    await sleep(1000);
    const peakStart = Date.now();
    const peak: HealAlert = {
      name: "FsbQueueSaturated",
      status: "firing",
      customer: "wayne",
      labels: { alertname: "FsbQueueSaturated", customer: "wayne", part: "fsb-1", severity: "warning" },
      annotations: {},
      startsAt: new Date(peakStart).toISOString(),
      fingerprint: "ln-peak-1",
    };
    const outcomes = await handle(peak);
    // the heal service's timer: a tick every second until the line serves
    let servingAt = 0;
    while (!servingAt) {
      outcomes.push(...(await handle(autoscaleTick("wayne", Date.now()))));
      const s = await lineStats();
      if (s.line3?.status === "UP" && s.line3.served > 0) servingAt = Date.now();
      else await sleep(1000);
      if (Date.now() - peakStart > 60_000) throw new Error(`no extra line serving 60 s after the peak started: ${JSON.stringify(s)}; ${audit.join(" | ")}`);
    }
    expect(outcomes.filter((o) => o.kind === "succeeded")).toHaveLength(1);
    const peakToServingMs = servingAt - peakStart;
    expect(peakToServingMs).toBeLessThanOrEqual(60_000);
    // more peak: never above maxExtraLines (1)
    outcomes.push(...(await handle(autoscaleTick("wayne", Date.now()))));
    expect(Object.keys(await lineStats())).toHaveLength(3);

    // the peak is over: idle for scaleDownAfter (15 s) removes the extra line, drained
    const resolvedAt = Date.now();
    await handle({ ...peak, status: "resolved" });
    let removedAt = 0;
    while (!removedAt) {
      const r = await handle(autoscaleTick("wayne", Date.now()));
      if (r.some((o) => o.kind === "succeeded")) removedAt = Date.now();
      else await sleep(1000);
      if (Date.now() - resolvedAt > 45_000) throw new Error(`the extra line was not removed 45 s after the peak: ${audit.join(" | ")}`);
    }
    await sleep(1500);
    stop();
    const r = await load;
    expect(r.failures).toEqual([]);
    expect(r.acknowledged.filter((o) => o.startedAt > removedAt).length).toBeGreaterThan(3);
    expect(Object.keys(await lineStats()).sort()).toEqual(["line1", "line2"]);
    expect(fs.readFileSync(stackFile, "utf8")).not.toContain("lchost:extraLines");
    const idleToRemovedMs = removedAt - resolvedAt;
    expect(idleToRemovedMs).toBeGreaterThanOrEqual(15_000); // not before scaleDownAfter
    report.push(
      `autoscale (sandbox ${NAME}, scaleUpAfter 10 s, scaleDownAfter 15 s): peak -> extra line serving ${peakToServingMs} ms; ` +
        `resolved -> line removed (drained) ${idleToRemovedMs} ms; ${r.acknowledged.length} activations, ${r.failures.length} failed`,
      `  ${audit.join("\n  ")}`,
    );
    console.log(
      JSON.stringify({
        bench: "heal-autoscale",
        peakToExtraLineServingMs: peakToServingMs,
        idleToRemovedMs,
        activations: r.acknowledged.length,
        failed: r.failures.length,
      }),
    );
  });
});
