/**
 * What `lchost heal serve` runs besides its HTTP side: every playbook registered (and every alert one of them acts
 * on routed to it by the rendered alertmanager.yml), the playbooks that wait handed a still-firing alert again on
 * the timer until it resolves, resolved alerts observed (never acted on), and the timer's autoscale ticks and
 * extra-lines expiry in each customer's queue.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pino from "pino";
import type { HealAlert, Playbook } from "../../../heal/playbook";
import { AUTOSCALE_TICK } from "../../../heal/playbooks/autoscale";
import { LineControl } from "../../../heal/seams/lines";
import { MemoryAuditLog } from "../../../heal/service/auditLog";
import { HEAL_DEFAULTS, parseHealConfig } from "../../../heal/service/config";
import { Healer } from "../../../heal/service/healer";
import { HealNotifier } from "../../../heal/service/notifications";
import { healPlaybooks } from "../../../heal/service/serve";
import { HealTimer } from "../../../heal/service/timer";
import { HEAL_TRIGGER_ALERTS } from "../../../render/alertmanager/config";
import { alertRuleGroups } from "../../../render/prometheus/rules";

const quiet = pino({ level: "silent" });
const alert = (name: string, over: Partial<HealAlert> = {}, part = "db-2"): HealAlert => ({
  name,
  status: "firing",
  customer: "wayne",
  labels: { alertname: name, customer: "wayne", part },
  annotations: {},
  startsAt: "2026-11-29T03:00:00Z",
  fingerprint: `${name}-${part}`,
  ...over,
});

const config = () =>
  parseHealConfig({
    listen: { host: "127.0.0.1", port: 9097 },
    tls: { certFile: "c", keyFile: "k", clientCaFile: "ca" },
    tokenFile: "t",
    database: { host: "db", user: "heal", passwordFile: "p", database: "heal" },
    alertmanagerUrl: "http://am:9093",
    runtime: { kind: "docker" },
  });

describe("the service's playbooks", () => {
  test("fsb-hang, crash-loop, Galera full recovery, lost node, autoscale — in that order of precedence", () => {
    expect(healPlaybooks(config()).map((p) => p.name)).toEqual(["fsb-hang", "crash-loop", "galera-full-recovery", "lost-node-repoint", "autoscale"]);
  });

  test("every rule alert a playbook acts on is routed to the heal receiver (and the routed ones all have a playbook)", () => {
    const names = alertRuleGroups().flatMap((g) => g.rules.filter((r): r is { alert: string } & typeof r => "alert" in r).map((r) => r.alert));
    const pbs = healPlaybooks(config());
    const partOf = (n: string) => (n.startsWith("Database") ? "db-2" : n.startsWith("Fsb") ? "fsb-1" : n.startsWith("Gateway") ? "gateway" : "line-1");
    const handled = [...new Set(names)].filter((n) => pbs.some((p) => p.matches(alert(n, {}, partOf(n)))));
    expect(handled.length).toBeGreaterThanOrEqual(6);
    expect([...HEAL_TRIGGER_ALERTS].sort()).toEqual(handled.sort());
  });

  test("the new settings: defaults, and a bad one names its field", () => {
    const c = config();
    expect(c.galera).toEqual(HEAL_DEFAULTS.galera);
    expect(c.lostNode.lostAfterMinutes).toBe(10);
    expect(c.tickSeconds).toBe(15);
    expect(c.stacksDir).toBeUndefined();
    const raw = (extra: object) => ({
      ...JSON.parse(JSON.stringify({ listen: { host: "h", port: 1 }, tls: { certFile: "c", keyFile: "k", clientCaFile: "a" } })),
      tokenFile: "t",
      database: { host: "db", user: "u", passwordFile: "p", database: "d" },
      alertmanagerUrl: "http://am",
      runtime: { kind: "docker" },
      ...extra,
    });
    expect(() => parseHealConfig(raw({ galera: { startGraceSeconds: -1 } }))).toThrow(/^galera\.startGraceSeconds: /);
    expect(() => parseHealConfig(raw({ lostNode: { lostAfter: 3 } }))).toThrow(/^lostNode\.lostAfter: unknown field/);
    expect(() => parseHealConfig(raw({ tickSeconds: 0 }))).toThrow(/^tickSeconds: /);
    expect(parseHealConfig(raw({ stacksDir: "/srv/stacks", tickSeconds: 5 }))).toMatchObject({ stacksDir: "/srv/stacks", tickSeconds: 5 });
  });
});

describe("alerts that keep firing, alerts that resolve", () => {
  function healerWith(playbooks: Playbook[], minIntervalMs = 0) {
    const audit = new MemoryAuditLog();
    const healer = new Healer({
      playbooks,
      seams: { runtime: "docker" },
      audit,
      notifier: new HealNotifier({ postAlerts: async () => undefined }, () => undefined),
      budget: { maxAttempts: 3, windowMs: 3_600_000, minIntervalMs },
      dryRun: false,
      log: quiet,
    });
    return { healer, audit };
  }

  test("a waiting playbook gets the still-firing alert again on every recheck, until it resolves; others never again", async () => {
    const seen: string[] = [];
    const waits: Playbook = {
      name: "waits",
      recheckWhileFiring: true,
      matches: (a) => a.status === "firing" && a.name === "DatabaseDown",
      plan: async (ctx) => {
        seen.push(`waits:${ctx.alert.name}`);
        return [];
      },
      run: async () => ({ kind: "succeeded", detail: "" }),
    };
    const once: Playbook = { ...waits, name: "once", recheckWhileFiring: false, plan: async () => (seen.push("once"), []) };
    const { healer } = healerWith([waits, once]);
    await healer.enqueue(alert("DatabaseDown"));
    await healer.recheck();
    await healer.recheck();
    expect(seen).toEqual(["waits:DatabaseDown", "once", "waits:DatabaseDown", "waits:DatabaseDown"]);
    await healer.enqueue(alert("DatabaseDown", { status: "resolved" }));
    await healer.recheck();
    expect(seen).toHaveLength(4);
    expect(healer.activeAlerts()).toEqual([]);
  });

  test("an action the budget holds back is audited once when the alert comes, not again on every recheck", async () => {
    const acting: Playbook = {
      name: "acting",
      recheckWhileFiring: true,
      matches: (a) => a.status === "firing" && a.name === "DatabaseDown",
      plan: async () => [{ part: { customer: "wayne", role: "database" }, summary: "recover" }],
      run: async () => ({ kind: "failed", detail: "not yet", leftAsBefore: true }),
    };
    const { healer, audit } = healerWith([acting], 300_000);
    await healer.enqueue(alert("DatabaseDown"));
    await healer.recheck();
    await healer.recheck();
    expect(audit.all.map((r) => r.outcome)).toEqual(["failed"]);
    await healer.enqueue(alert("DatabaseDown")); // Alertmanager's repeat: audited as waited
    expect(audit.all.map((r) => r.outcome)).toEqual(["failed", "waited"]);
  });

  test("a resolved alert is observed by a playbook that asks for it, planned as a dry run, never run", async () => {
    const observed: Array<{ status: string; dryRun: boolean }> = [];
    let ran = 0;
    const observer: Playbook = {
      name: "observer",
      observesResolved: true,
      matches: (a) => a.name === "FsbQueueSaturated",
      plan: async (ctx) => {
        observed.push({ status: ctx.alert.status, dryRun: ctx.dryRun });
        return [{ part: { customer: "wayne", role: "line", index: 4 }, summary: "would add a line" }];
      },
      run: async () => (ran++, { kind: "succeeded", detail: "" }),
    };
    const blind: Playbook = { ...observer, name: "blind", observesResolved: false };
    const { healer, audit } = healerWith([observer, blind]);
    expect(await healer.enqueue(alert("FsbQueueSaturated", { status: "resolved" }, "fsb-1"))).toEqual([]);
    expect(observed).toEqual([{ status: "resolved", dryRun: true }]);
    expect(ran).toBe(0);
    expect(await audit.history("wayne", "observer", "wayne/line-4")).toEqual([]);
  });
});

describe("the timer", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "heal-timer-"));
    const wayne = fs.readFileSync(path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.wayne.yaml"),
      wayne.replace("  lchost:lines: 3\n", '  lchost:lines: 3\n  lchost:autoscale: { maxExtraLines: 2, scaleUpAfter: "30s", scaleDownAfter: "2m" }\n'),
    );
    fs.writeFileSync(
      path.join(dir, "Pulumi.gotham.yaml"),
      wayne
        .replace("lchost:customer: wayne", "lchost:customer: gotham")
        .replace("  lchost:lines: 3\n", '  lchost:lines: 3\n  lchost:extraLines: { count: 2, until: "2026-11-29T02:00:00Z", since: "2026-11-29T01:00:00Z" }\n'),
    );
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config: [");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("an autoscale tick per autoscaled customer, the due extra lines removed through the runtime, each in its customer's queue", async () => {
    const queued: string[] = [];
    const applied: string[] = [];
    const lines: LineControl = {
      runtime: "docker",
      stackFileOf: (c) => path.join(dir, `Pulumi.${c}.yaml`),
      apply: async (f) => {
        applied.push(`${path.basename(f)}:${fs.readFileSync(f, "utf8").includes("lchost:extraLines") ? "extra" : "booked"}`);
        return { added: [], removed: ["lc-gotham-line-4"], reloaded: [] };
      },
    };
    let rechecks = 0;
    const timer = new HealTimer({
      healer: {
        enqueue: async (a) => (queued.push(`${a.customer}:${a.name}`), []),
        recheck: async () => (rechecks++, []),
        exclusive: async (customer, task) => (queued.push(`${customer}:exclusive`), task()),
      },
      tickMs: 60_000,
      stacksDir: dir,
      lines,
      now: () => Date.parse("2026-11-29T03:00:00Z"),
      log: quiet,
    });
    await timer.tick();
    expect(rechecks).toBe(1);
    expect(queued.sort()).toEqual(["gotham:exclusive", `wayne:${AUTOSCALE_TICK}`]);
    expect(applied).toEqual(["Pulumi.gotham.yaml:booked"]);
    expect(fs.readFileSync(path.join(dir, "Pulumi.gotham.yaml"), "utf8")).not.toContain("lchost:extraLines");
  });

  test("customers this runtime does not run are left alone", async () => {
    const queued: string[] = [];
    const timer = new HealTimer({
      healer: { enqueue: async (a) => (queued.push(a.customer), []), recheck: async () => [], exclusive: async (c, t) => (queued.push(c), t()) },
      tickMs: 60_000,
      stacksDir: dir,
      lines: { runtime: "docker", stackFileOf: () => undefined, apply: async () => ({ added: [], removed: [], reloaded: [] }) },
      log: quiet,
    });
    await timer.tick();
    expect(queued).toEqual([]);
    expect(fs.readFileSync(path.join(dir, "Pulumi.gotham.yaml"), "utf8")).toContain("lchost:extraLines");
  });
});
