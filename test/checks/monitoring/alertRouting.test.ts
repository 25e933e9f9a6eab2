import * as fs from "fs";
import * as path from "path";
import { renderAlertmanagerConfig } from "../../../render/alertmanager/config";
import { notifiedFleet, operationsExample, runTool, tempDir } from "./support";

// amtool answers in well under a second; generous for a loaded 2-core machine.
const AMTOOL_TIMEOUT_MS = 60_000;
jest.setTimeout(120_000);

/*
 * The rendered routing tree, asked with the real amtool (`config routes test`): which receivers an alert
 * with these labels reaches. notifiedFleet(): wayne (minimum severity critical), hooli (warning, the
 * default), acme (a tenant, webhook only); the example stacks' other customers have no notifications.
 */
describe("alertmanager.yml routing (amtool config routes test)", () => {
  let file: string;
  beforeAll(() => {
    const dir = tempDir("lchost-routes-");
    const ops = operationsExample();
    file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(
      file,
      renderAlertmanagerConfig({ fleet: notifiedFleet(), operationsStack: ops.name, onCall: ops.operations.onCall, intervals: ops.operations.intervals }),
    );
  });

  const receivers = async (...labels: string[]) => {
    const r = await runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels], { timeoutMs: AMTOOL_TIMEOUT_MS });
    expect(r.code).toBe(0);
    // stdout's line (receivers, comma-separated) comes first; amtool warns about --config.file on stderr after it
    return r.out
      .trim()
      .split("\n")[0]
      .split(/[,\s]+/);
  };

  const cases: Array<[string, string[], string[]]> = [
    [
      "a critical alert of wayne reaches on-call and wayne",
      ["customer=wayne", "severity=critical", "alertname=LineDown", "part=line-2"],
      ["oncall", "customer-wayne"],
    ],
    ["a warning of wayne (minimum critical) reaches on-call only", ["customer=wayne", "severity=warning", "alertname=LineDown"], ["oncall"]],
    [
      "a warning of hooli reaches on-call and hooli, never wayne",
      ["customer=hooli", "severity=warning", "alertname=FsbQueueSaturated"],
      ["oncall", "customer-hooli"],
    ],
    ["an info alert of hooli (minimum warning) reaches on-call only", ["customer=hooli", "severity=info", "alertname=DatabaseMonitoringDown"], ["oncall"]],
    ["a tenant's alert reaches on-call and the tenant", ["customer=acme", "severity=critical", "alertname=DatabaseDown"], ["oncall", "customer-acme"]],
    ["a customer without notifications is heard by on-call only", ["customer=globex", "severity=critical", "alertname=EntryUnreachable"], ["oncall"]],
    ["a customer whose name contains another's reaches only its own receiver", ["customer=wayne-2", "severity=critical"], ["oncall"]],
    [
      "a maintenance announcement (info) of wayne (minimum critical) reaches on-call and wayne once",
      ["customer=wayne", "severity=info", "alertname=MaintenanceAnnounced", "component=maintenance", "part=maintenance"],
      ["oncall", "customer-wayne"],
    ],
    [
      "a maintenance announcement of a customer without notifications reaches on-call only",
      ["customer=globex", "severity=info", "alertname=MaintenanceAnnounced", "component=maintenance", "part=maintenance"],
      ["oncall"],
    ],
  ];
  it.each(cases)("%s", async (_what, labels, expected) => {
    expect(await receivers(...labels)).toEqual(expected);
  });
});
