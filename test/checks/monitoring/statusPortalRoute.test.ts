import * as fs from "fs";
import * as path from "path";
import { renderAlertmanagerConfig } from "../../../render/alertmanager/config";
import { notifiedFleet, operationsExample, runTool, tempDir } from "./support";

const AMTOOL_TIMEOUT_MS = 60_000;
jest.setTimeout(120_000);

/*
 * With the status portal, every alert also reaches its receiver first (continue: true, no severity filter: the
 * portal decides what is an incident), and the routing to on-call and the customers stays as it was.
 */
describe("alertmanager.yml with the status portal's receiver (amtool)", () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = tempDir("lchost-portal-route-");
    const ops = operationsExample();
    fs.writeFileSync(path.join(dir, "notifier-token"), "token\n");
    fs.writeFileSync(path.join(dir, "portal-token"), "token\n");
    file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(
      file,
      renderAlertmanagerConfig({
        fleet: notifiedFleet(),
        operationsStack: ops.name,
        onCall: ops.operations.onCall,
        intervals: ops.operations.intervals,
        tokenFile: path.join(dir, "notifier-token"),
        statusPortal: { host: "lc-dc1-status-portal", tokenFile: path.join(dir, "portal-token") },
      }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("passes amtool check-config, posting to the portal's /v1/alertmanager with its own bearer token file", async () => {
    const r = await runTool("amtool", ["check-config", file], { timeoutMs: AMTOOL_TIMEOUT_MS });
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain(`url: "http://lc-dc1-status-portal:9096/v1/alertmanager"`);
    expect(text).toContain(`credentials_file: "${path.join(dir, "portal-token")}"`);
  });

  const receivers = async (...labels: string[]) => {
    const r = await runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels], { timeoutMs: AMTOOL_TIMEOUT_MS });
    expect(r.code).toBe(0);
    return r.out
      .trim()
      .split("\n")[0]
      .split(/[,\s]+/);
  };

  it.each([
    ["a critical alert of wayne", ["customer=wayne", "severity=critical", "alertname=LineDown", "part=line-2"], ["status-portal", "oncall", "customer-wayne"]],
    ["an info alert of hooli", ["customer=hooli", "severity=info", "alertname=DatabaseMonitoringDown"], ["status-portal", "oncall"]],
    ["a customer without notifications", ["customer=globex", "severity=critical", "alertname=EntryUnreachable"], ["status-portal", "oncall"]],
  ])("%s reaches the portal first, then the receivers it reached before", async (_what, labels, expected) => {
    expect(await receivers(...labels)).toEqual(expected);
  });
});
