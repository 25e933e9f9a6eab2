import * as fs from "fs";
import * as path from "path";
import { lineChange } from "../../../heal/seams/dockerLines";
import { changeExtraLines } from "../../../migration/extraLinesFileChange";
import { parseStackFileText } from "../../../model/stackFile";
import { Plan, planStack } from "../../../planner/mockPlanner";

// What the Docker line control does to a running HA deployment: decided on the plan it runs and the plan of the stack
// file now (planned with the running plan's secrets). Only lines and their FSBs may come or go; the gateway may only
// switch its files; anything else refuses before a container is touched.
const file = path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml");
const text = fs.readFileSync(file, "utf8");
const plan = (t: string, previous?: Plan) => planStack(parseStackFileText(t, file), {}, { materialize: true, previous });
const withExtra = (count: number) => changeExtraLines(text, file, { count, until: new Date(Date.now() + 3_600_000), since: new Date() }).text;

describe("Docker line control: which containers a change of lines touches", () => {
  let running: Plan;
  beforeAll(async () => {
    running = await plan(text);
  });

  test("two extra lines: two lines and two FSBs start, the gateway reloads, the booked lines keep running", async () => {
    const c = lineChange(running, await plan(withExtra(2), running));
    expect(c.refused).toBeUndefined();
    expect(c.added.sort()).toEqual(["lc-wayne-fsb-4", "lc-wayne-fsb-5", "lc-wayne-line-4", "lc-wayne-line-5"]);
    expect(c.removed).toEqual([]);
    expect(c.gateway).toBe("lc-wayne-gateway");
    // their monthly quotas grow with the extra lines: they keep the old ones until they restart
    for (const n of c.staleLines) expect(n).toMatch(/^lc-wayne-line(-[123])?$/);
  });

  test("the extra lines leave: they and their FSBs go, nothing starts", async () => {
    const two = await plan(withExtra(2), running);
    const c = lineChange(two, await plan(text, two));
    expect(c.refused).toBeUndefined();
    expect(c.added).toEqual([]);
    expect(c.removed.sort()).toEqual(["lc-wayne-fsb-4", "lc-wayne-fsb-5", "lc-wayne-line-4", "lc-wayne-line-5"]);
    expect(c.gateway).toBe("lc-wayne-gateway");
  });

  test("a change beyond the lines (the FSBs' latency) is refused, naming a container", async () => {
    const c = lineChange(running, await plan(text.replace("signLatencyMs: 50", "signLatencyMs: 80"), running));
    expect(c.refused).toMatch(/^lc-wayne-fsb(-\d)? \(fsb\) would change$/);
  });

  test("planned without the running plan's secrets, every part would change: refused", async () => {
    const c = lineChange(running, await plan(withExtra(1)));
    expect(c.refused).toMatch(/would change/);
  });
});
