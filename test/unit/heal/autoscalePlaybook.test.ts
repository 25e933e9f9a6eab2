/** The autoscale playbook (heal/playbooks/autoscale.ts) against the Playbook contract, with a recording LineControl. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { linePlan } from "../../../model/extraLines";
import { parseStackFileText } from "../../../model/stackFile";
import { CustomerConfig } from "../../../model/stackConfig";
import { AutoscalePlaybook, autoscaleTick } from "../../../heal/playbooks/autoscale";
import type { HealAlert, PlaybookContext } from "../../../heal/playbook";
import { LINES_SEAM, LineControl } from "../../../heal/seams/lines";

const T0 = Date.parse("2026-11-28T12:00:00Z");
let dir: string;
let stackFile: string;
let clock = T0;
const applied: number[] = [];
const lines: LineControl = {
  runtime: "sandbox",
  stackFileOf: (c) => (c === "wayne" ? stackFile : undefined),
  apply: async (f) => {
    applied.push(linePlan(parseStackFileText(fs.readFileSync(f, "utf8"), f).config as CustomerConfig, new Date(clock)).total);
    return { added: [], removed: [], reloaded: [] };
  },
};
const peak = (status: "firing" | "resolved", startsAt = T0): HealAlert => ({
  name: "FsbQueueSaturated",
  status,
  customer: "wayne",
  labels: { alertname: "FsbQueueSaturated", customer: "wayne", part: "fsb-1" },
  annotations: {},
  startsAt: new Date(startsAt).toISOString(),
});
const ctx = (alert: HealAlert, dryRun = false, seams: Record<string, unknown> = { [LINES_SEAM]: lines }): PlaybookContext => ({
  alert,
  seams: { runtime: "sandbox", ...seams },
  dryRun,
  now: () => clock,
  log: () => undefined,
});
/** What the service does with one alert: plan, then run each action. */
async function handle(pb: AutoscalePlaybook, c: PlaybookContext) {
  const actions = await pb.plan(c);
  const outcomes = [];
  for (const a of actions) outcomes.push(await pb.run(c, a));
  return { actions, outcomes };
}
const extra = () => linePlan(parseStackFileText(fs.readFileSync(stackFile, "utf8"), stackFile).config as CustomerConfig, new Date(clock)).extra;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ln-auto-"));
  stackFile = path.join(dir, "Pulumi.wayne.yaml");
  const text = fs.readFileSync(path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml"), "utf8");
  fs.writeFileSync(
    stackFile,
    text.replace("  lchost:lines: 3\n", '  lchost:lines: 3\n  lchost:autoscale: { maxExtraLines: 2, scaleUpAfter: "30s", scaleDownAfter: "2m" }\n'),
  );
  clock = T0;
  applied.length = 0;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("matches the peak alerts and its timer tick, nothing else", () => {
  const pb = new AutoscalePlaybook();
  expect(pb.matches(peak("firing"))).toBe(true);
  expect(pb.matches({ ...peak("firing"), name: "HighLatency" })).toBe(true);
  expect(pb.matches(autoscaleTick("wayne", T0))).toBe(true);
  expect(pb.matches({ ...peak("firing"), name: "FsbDown" })).toBe(false);
});

test("a sustained peak adds a line, the next sustained stretch another, never above maxExtraLines; idle removes them one by one", async () => {
  const pb = new AutoscalePlaybook();
  expect((await handle(pb, ctx(peak("firing")))).actions).toEqual([]); // just started: not sustained yet
  clock = T0 + 30_000;
  const up = await handle(pb, ctx(autoscaleTick("wayne", clock)));
  expect(up.actions[0]).toMatchObject({ part: { customer: "wayne", role: "line", index: 4 } });
  expect(up.actions[0].summary).toMatch(/^add extra line 4 of wayne \(3 booked \+ 1 extra\): FSB-bound peak sustained for 30 s/);
  expect(up.outcomes[0]).toMatchObject({ kind: "succeeded", detail: expect.stringContaining("0 -> 1 extra line(s)") });
  expect(extra()).toBe(1);
  clock = T0 + 45_000; // the new line had 15 s: not judged yet
  expect((await handle(pb, ctx(autoscaleTick("wayne", clock)))).actions).toEqual([]);
  clock = T0 + 60_000;
  expect((await handle(pb, ctx(autoscaleTick("wayne", clock)))).outcomes[0]).toMatchObject({ kind: "succeeded" });
  clock = T0 + 120_000;
  expect((await handle(pb, ctx(autoscaleTick("wayne", clock)))).actions).toEqual([]); // at the maximum
  expect(extra()).toBe(2);
  await handle(pb, ctx(peak("resolved")));
  clock += 119_000;
  expect((await handle(pb, ctx(autoscaleTick("wayne", clock)))).actions).toEqual([]);
  clock += 1_000;
  const down = await handle(pb, ctx(autoscaleTick("wayne", clock)));
  expect(down.actions[0].summary).toMatch(/^remove extra line 5 of wayne, drained/);
  expect(extra()).toBe(1);
  clock += 120_000;
  await handle(pb, ctx(autoscaleTick("wayne", clock)));
  expect(extra()).toBe(0);
  expect(fs.readFileSync(stackFile, "utf8")).not.toContain("lchost:extraLines");
  clock += 600_000;
  expect((await handle(pb, ctx(autoscaleTick("wayne", clock)))).actions).toEqual([]); // never below the booked lines
  expect(applied).toEqual([4, 5, 4, 3]);
});

test("dry run plans the line and changes nothing", async () => {
  const pb = new AutoscalePlaybook();
  clock = T0 + 30_000;
  const r = await handle(pb, ctx(peak("firing"), true));
  expect(r.actions).toHaveLength(1);
  expect(r.outcomes[0]).toMatchObject({ kind: "skipped", detail: expect.stringMatching(/^dry run: would add extra line 4/) });
  expect(extra()).toBe(0);
  expect(applied).toEqual([]);
});

test("a runtime without line control: nothing planned, a skipped action if asked to run", async () => {
  const pb = new AutoscalePlaybook();
  clock = T0 + 30_000;
  expect(await pb.plan(ctx(peak("firing"), false, {}))).toEqual([]);
  expect(await pb.run(ctx(peak("firing"), false, {}), { part: { customer: "wayne", role: "line", index: 4 }, summary: "x" })).toMatchObject({
    kind: "skipped",
  });
});

test("a customer without lchost:autoscale is left alone", async () => {
  fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace(/ {2}lchost:autoscale: .*\n/, ""));
  const pb = new AutoscalePlaybook();
  clock = T0 + 3_600_000;
  expect(await pb.plan(ctx(peak("firing")))).toEqual([]);
});
