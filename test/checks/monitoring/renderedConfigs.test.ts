import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Fleet } from "../../../model/fleet";
import { renderAlertmanagerConfig } from "../../../render/alertmanager/config";
import { renderAlertRules, renderBlackboxConfig, renderPrometheusConfig } from "../../../render/prometheus";
import { exampleFleet, notifiedFleet, operationsExample, runTool, tempDir } from "./support";

// promtool, amtool and the blackbox exporter start in well under a second; a loaded 2-core machine may take ten times that.
const TOOL_TIMEOUT_MS = 60_000;
jest.setTimeout(120_000);

const fleets: Array<[string, () => Fleet]> = [
  ["the example stacks in stacks/", exampleFleet],
  ["a fleet with customer notifications", notifiedFleet],
];

describe.each(fleets)("the monitoring files rendered for %s", (_name, fleetOf) => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("lchost-monitoring-");
    const fleet = fleetOf();
    const ops = operationsExample();
    const iv = ops.operations.intervals;
    fs.writeFileSync(path.join(dir, "rules.yml"), renderAlertRules());
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      renderPrometheusConfig({ fleet, operationsStack: ops.name, intervals: iv, rulesFile: path.join(dir, "rules.yml") }),
    );
    fs.writeFileSync(path.join(dir, "ca.pem"), "");
    fs.writeFileSync(
      path.join(dir, "blackbox.yml"),
      renderBlackboxConfig({ fleet, intervals: iv, caFileOf: (c) => (c === "wayne" ? path.join(dir, "ca.pem") : undefined) }),
    );
    fs.writeFileSync(path.join(dir, "notifier-token"), "token\n");
    fs.writeFileSync(
      path.join(dir, "alertmanager.yml"),
      renderAlertmanagerConfig({ fleet, operationsStack: ops.name, onCall: ops.operations.onCall, intervals: iv, tokenFile: path.join(dir, "notifier-token") }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prometheus.yml passes promtool check config (with its rule file)", async () => {
    const r = await runTool("promtool", ["check", "config", path.join(dir, "prometheus.yml")], { timeoutMs: TOOL_TIMEOUT_MS });
    expect(r.out).toContain("SUCCESS: 1 rule files found");
    expect(r.code).toBe(0);
  });

  it("rules.yml passes promtool check rules without lint findings", async () => {
    const r = await runTool("promtool", ["check", "rules", path.join(dir, "rules.yml")], { timeoutMs: TOOL_TIMEOUT_MS });
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.out).not.toMatch(/lint|FAILED/);
    expect(r.code).toBe(0);
  });

  it("alertmanager.yml passes amtool check-config", async () => {
    const r = await runTool("amtool", ["check-config", path.join(dir, "alertmanager.yml")], { timeoutMs: TOOL_TIMEOUT_MS });
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("blackbox.yml passes prometheus-blackbox-exporter --config.check without warnings", async () => {
    const r = await runTool("prometheus-blackbox-exporter", ["--config.check", `--config.file=${path.join(dir, "blackbox.yml")}`], {
      timeoutMs: TOOL_TIMEOUT_MS,
    });
    expect(r.out).toContain("Config file is ok");
    expect(r.out).not.toContain("level=warn");
    expect(r.code).toBe(0);
  });

  it("every scrape target carries customer, edition, component and part", () => {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "prometheus.yml"), "utf8"));
    const groups = doc.scrape_configs.flatMap((j: any) => j.static_configs);
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(Object.keys(g.labels)).toEqual(expect.arrayContaining(["customer", "edition", "component", "part"]));
  });
});
