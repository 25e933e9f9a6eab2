import { emptyMinuteStates, MINUTE_STATE, MinuteStates, monthOf } from "../../../model/sla";
import { MatrixSeries } from "../../../render/prometheus/api";
import { readSlaMinutes, SlaQueries } from "../../../render/prometheus/slaMinutes";

/*
 * readSlaMinutes against an in-memory stand-in for Prometheus that answers the two query shapes it sends
 * with Prometheus 2.x semantics (ranges include both ends): the minute verdicts read back are the ones put
 * in, and only unclear hours are fetched minute by minute. The real Prometheus: test/alerts/slaReport.test.ts.
 */

const month = monthOf(2026, 4);
const rules = { downMinuteFailedShare: 0.5 };
const OFFSET_MS = 17_300; // the rule group's offset into each minute

/** Recorded samples per customer: [time ms, success ratio], as the recording rule writes them. */
function recorded(ratios: Array<number | null>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  ratios.forEach((r, i) => {
    if (r !== null) out.push([month.start.getTime() + (i + 2) * 60_000 + OFFSET_MS, r]);
  });
  return out;
}

function fakePrometheus(data: Record<string, Array<[number, number]>>): SlaQueries & { matrixCalls: number } {
  const parse = (expr: string) => {
    const m = /^(?:(count|min)_over_time\()?lchost:probe_success:min1\{customer=~"([^"]+)"\}\[(\d+)ms\]\)?$/.exec(expr);
    if (!m) throw new Error(`unexpected query ${expr}`);
    return { fn: m[1], customers: m[2].split("|"), range: Number(m[3]) };
  };
  const window = (c: string, at: number, range: number) => (data[c] ?? []).filter(([t]) => t >= at - range && t <= at);
  const fake = {
    matrixCalls: 0,
    async queryRange(expr: string, start: number, end: number, step: number): Promise<MatrixSeries[]> {
      const q = parse(expr);
      return q.customers
        .map((c) => {
          const values: Array<[number, number]> = [];
          for (let at = start; at <= end; at += step) {
            const w = window(c, at, q.range);
            if (w.length > 0) values.push([at / 1000, q.fn === "count" ? w.length : Math.min(...w.map(([, v]) => v))]);
          }
          return { metric: { customer: c }, values };
        })
        .filter((s) => s.values.length > 0);
    },
    async queryMatrixAt(expr: string, at: number): Promise<MatrixSeries[]> {
      fake.matrixCalls++;
      const q = parse(expr);
      return q.customers.map((c) => ({ metric: { customer: c }, values: window(c, at, q.range).map(([t, v]): [number, number] => [t / 1000, v]) }));
    },
  };
  return fake;
}

const verdicts = (ratios: Array<number | null>): MinuteStates => {
  const s = emptyMinuteStates(month);
  ratios.forEach((r, i) => (s[i] = r === null ? MINUTE_STATE.noData : r <= 0.5 ? MINUTE_STATE.down : MINUTE_STATE.up));
  return s;
};

test("reads back every minute's verdict: clean days, a down minute, a tie, a gap, a customer without data", async () => {
  const acme: Array<number | null> = Array(month.minutes).fill(1);
  acme[3 * 1440 + 600] = 0; // down
  acme[3 * 1440 + 601] = 0.5; // a tie: down
  acme[3 * 1440 + 602] = 7 / 12; // up
  for (let i = 10 * 1440 + 30; i < 10 * 1440 + 45; i++) acme[i] = null; // 15 minutes without data
  const wayne: Array<number | null> = Array(month.minutes).fill(1);
  const prometheus = fakePrometheus({ acme: recorded(acme), wayne: recorded(wayne) });
  const states = await readSlaMinutes(prometheus, { month, customers: ["acme", "wayne", "hooli"], until: month.end, rules });
  expect(states.get("acme")).toEqual(verdicts(acme));
  expect(states.get("wayne")).toEqual(verdicts(wayne));
  expect(states.get("hooli")).toEqual(emptyMinuteStates(month));
  // two unclear hours of acme, nothing of wayne: two minute-by-minute fetches
  expect(prometheus.matrixCalls).toBe(2);
});

test("the current month: minutes from `until` on are not read, even where samples exist", async () => {
  const acme: Array<number | null> = Array(month.minutes).fill(1);
  const prometheus = fakePrometheus({ acme: recorded(acme) });
  const until = new Date(month.start.getTime() + 5 * 86_400_000 + 90 * 60_000); // day 5, 01:30
  const states = (await readSlaMinutes(prometheus, { month, customers: ["acme"], until, rules })).get("acme")!;
  const judged = 5 * 1440 + 90;
  expect(states.slice(0, judged).every((s) => s === MINUTE_STATE.up)).toBe(true);
  expect(states.slice(judged).every((s) => s === MINUTE_STATE.noData)).toBe(true);
});
