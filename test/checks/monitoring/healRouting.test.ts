import * as fs from "fs";
import * as path from "path";
import { renderAlertmanagerConfig } from "../../../render/alertmanager/config";
import { notifiedFleet, operationsExample, runTool, tempDir } from "./support";

const AMTOOL_TIMEOUT_MS = 60_000;
jest.setTimeout(120_000);

/*
 * alertmanager.yml with the heal service (render/alertmanager/config.ts `heal`), checked by the real amtool:
 * `check-config` accepts it (TLS client certificate, key, CA and token files), and `config routes test` says
 * which receivers each alert reaches: the playbooks' triggers also go to heal; the heal service's HealAction
 * reaches on-call and the customer (whatever the customer's minimum severity, once), HealGaveUp on-call only.
 */
describe("alertmanager.yml with the heal receiver (amtool)", () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = tempDir("lchost-heal-routes-");
    const ops = operationsExample();
    const f = (n: string) => {
      const p = path.join(dir, n);
      fs.writeFileSync(p, "x", { mode: 0o600 });
      return p;
    };
    file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(
      file,
      renderAlertmanagerConfig({
        fleet: notifiedFleet(),
        operationsStack: ops.name,
        onCall: ops.operations.onCall,
        intervals: ops.operations.intervals,
        tokenFile: f("notifier-token"),
        heal: { url: "https://lc-dc1-heal:9097", tokenFile: f("heal-token"), certFile: f("heal.crt"), keyFile: f("heal.key"), caFile: f("heal-ca.crt") },
      }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("amtool check-config accepts it", async () => {
    const r = await runTool("amtool", ["check-config", file], { timeoutMs: AMTOOL_TIMEOUT_MS });
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  const receivers = async (...labels: string[]) => {
    const r = await runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels], { timeoutMs: AMTOOL_TIMEOUT_MS });
    expect(r.code).toBe(0);
    return r.out
      .trim()
      .split("\n")[0]
      .split(/[,\s]+/)
      .sort();
  };

  it.each([
    [
      "a line down of wayne reaches heal, on-call and wayne",
      ["alertname=LineDown", "customer=wayne", "severity=critical", "part=line-2"],
      ["customer-wayne", "heal", "oncall"],
    ],
    [
      "an FSB that does not sign reaches heal too",
      ["alertname=FsbNotSigning", "customer=hooli", "severity=critical", "part=fsb-1"],
      ["customer-hooli", "heal", "oncall"],
    ],
    ["a peak alert reaches heal (autoscale)", ["alertname=HighLatency", "customer=hooli", "severity=warning"], ["customer-hooli", "heal", "oncall"]],
    [
      "a database node down reaches heal (Galera recovery, lost node)",
      ["alertname=DatabaseDown", "customer=hooli", "severity=critical", "part=db-2"],
      ["customer-hooli", "heal", "oncall"],
    ],
    ["an alert no playbook acts on does not reach heal", ["alertname=QuotaNearlyUsed", "customer=hooli", "severity=warning"], ["customer-hooli", "oncall"]],
    [
      "HealAction (info) reaches wayne (minimum critical) and on-call, once",
      ["alertname=HealAction", "customer=wayne", "severity=info"],
      ["customer-wayne", "oncall"],
    ],
    ["HealAction of a customer without notifications: on-call", ["alertname=HealAction", "customer=globex", "severity=warning"], ["oncall"]],
    ["HealGaveUp pages on-call only, never the customer", ["alertname=HealGaveUp", "customer=wayne", "severity=critical"], ["oncall"]],
  ])("%s", async (_what, labels, want) => {
    expect(await receivers(...labels)).toEqual(want);
  });
});
