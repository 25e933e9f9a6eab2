import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { renderAlertRules, SLA_MINUTE_RECORD, slaMinuteOfSample } from "../../../render/prometheus";
import { runTool, tempDir } from "./support";

/*
 * The SLA recording rule (render/prometheus/slaRules.ts) under promtool: 5 s probes with known failures per
 * minute; the recorded sample describes the UTC minute before last, whatever the time of the evaluation
 * within a minute (Prometheus evaluates a group at an offset of its own: here every 1 min at :00, and
 * every 17 s).
 */

jest.setTimeout(120_000);
const PROMTOOL_TIMEOUT_MS = 90_000;

/** 12 probes a minute; `_` = no probe. */
const minute = (failed: number, missing = 0) => [...Array(failed).fill("0"), ...Array(12 - failed - missing).fill("1"), ...Array(missing).fill("_")];
const acmeMinutes = [
  minute(0), // 0: up
  minute(6), // 1: half failed -> 0.5
  minute(12), // 2: all failed -> 0
  minute(5), // 3: 5 of 12 failed -> 7/12
  minute(0), // 4
  minute(0, 12), // 5: no probe at all
  ["1", "0", "1", ...Array(9).fill("_")], // 6: three probes -> 2/3
  ...Array.from({ length: 6 }, () => minute(0)),
];
const acme = { job: "blackbox-https", instance: "https://lc-acme-gw:8443/healthz", customer: "acme", edition: "datacenter", component: "entry", part: "entry" };
const hooli = { ...acme, instance: "https://lc-hooli-gw:8443/healthz", customer: "hooli", edition: "high-performance" };
const seriesText = (labels: Record<string, string>) =>
  `probe_success{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;

const recorded = (customer: string, value: number) => ({
  labels: `${SLA_MINUTE_RECORD}{customer="${customer}", edition="${customer === "acme" ? "datacenter" : "high-performance"}"}`,
  value,
});
const at = (evalTime: string, acmeValue: number | null) => ({
  expr: SLA_MINUTE_RECORD,
  eval_time: evalTime,
  exp_samples: [...(acmeValue === null ? [] : [recorded("acme", acmeValue)]), recorded("hooli", 1)],
});

function testFile(evaluationInterval: string, exprTests: unknown[]): string {
  return YAML.stringify(
    {
      rule_files: ["rules.yml"],
      evaluation_interval: evaluationInterval,
      tests: [
        {
          interval: "5s",
          input_series: [
            { series: seriesText(acme), values: acmeMinutes.flat().join(" ") },
            {
              series: seriesText(hooli),
              values: Array(12 * 13)
                .fill("1")
                .join(" "),
            },
          ],
          promql_expr_test: exprTests,
        },
      ],
    },
    { lineWidth: 0 },
  );
}

describe("the SLA recording rule under promtool", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("lchost-sla-rules-");
    fs.writeFileSync(path.join(dir, "rules.yml"), renderAlertRules());
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function promtool(name: string, text: string): Promise<{ code: number; out: string }> {
    fs.writeFileSync(path.join(dir, name), text);
    return runTool("promtool", ["test", "rules", name], { cwd: dir, timeoutMs: PROMTOOL_TIMEOUT_MS });
  }

  it("rules.yml with the SLA group passes promtool check rules", async () => {
    const r = await runTool("promtool", ["check", "rules", "rules.yml"], { cwd: dir, timeoutMs: PROMTOOL_TIMEOUT_MS });
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it("records each whole UTC minute's probe success two minutes later, evaluated on the minute", async () => {
    const r = await promtool(
      "on-the-minute.test.yml",
      testFile("1m", [
        at("2m", 1), // minute 0: the failed probe at 60 s belongs to minute 1, not 0
        at("3m", 0.5), // minute 1: 6 of 12 failed
        at("4m", 0), // minute 2
        at("5m", 7 / 12), // minute 3
        at("8m", 2 / 3), // minute 6: judged by the probes it had
        // minute 5 had no probe: nothing is recorded for acme (the evaluation at 7m)
        {
          expr: `count_over_time(${SLA_MINUTE_RECORD}[59s])`,
          eval_time: "7m",
          exp_samples: [{ labels: `{customer="hooli", edition="high-performance"}`, value: 1 }],
        },
      ]),
    );
    if (r.code !== 0) throw new Error(r.out);
    expect(r.out).toContain("SUCCESS");
  });

  it("records the same minutes when the group is evaluated at any offset (every 17 s)", async () => {
    const r = await promtool(
      "offset.test.yml",
      testFile("17s", [
        at("187s", 0.5), // 3m07s: minute 1
        at("238s", 0.5), // 3m58s: still minute 1
        at("255s", 0), // 4m15s: minute 2
        at("306s", 7 / 12), // 5m06s: minute 3
      ]),
    );
    if (r.code !== 0) throw new Error(r.out);
    expect(r.out).toContain("SUCCESS");
  });

  it("fails when a minute is expected with another value (the harness can fail)", async () => {
    const r = await promtool("wrong.test.yml", testFile("1m", [at("3m", 1)]));
    expect(r.code).not.toBe(0);
  });

  it("maps a sample's time to the minute it describes: 2 minutes back, floored", () => {
    expect(new Date(slaMinuteOfSample(Date.parse("2026-02-01T00:02:17.300Z"))).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(new Date(slaMinuteOfSample(Date.parse("2026-02-01T00:02:00.000Z"))).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(new Date(slaMinuteOfSample(Date.parse("2026-02-01T00:02:59.999Z"))).toISOString()).toBe("2026-02-01T00:00:00.000Z");
  });
});
