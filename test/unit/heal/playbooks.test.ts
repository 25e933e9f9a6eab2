/**
 * The crash-loop and fsb-hang playbooks and the service's budget, on fake seams: what each does, in which
 * order, when it gives up, and what it leaves behind when it fails halfway.
 */
import { MemoryAuditLog } from "../../../heal/service/auditLog";
import { Healer, KeyedQueue } from "../../../heal/service/healer";
import { HealNotifier } from "../../../heal/service/notifications";
import { crashLoopPlaybook } from "../../../heal/playbooks/crashLoop";
import { fsbHangPlaybook } from "../../../heal/playbooks/fsbHang";
import { FSB_PROBE, FsbProbe } from "../../../heal/seams/fsbProbe";
import { HaproxyBalancerControl, lineServers } from "../../../heal/seams/balancerLines";
import type { BalancerControl, HealAlert, HealSeams, PartControl, PartRef, PartStatus } from "../../../heal/playbook";

const alert = (name: string, part: string, startsAt = "2026-11-28T20:00:00Z"): HealAlert => ({
  name,
  status: "firing",
  customer: "hooli",
  labels: { alertname: name, customer: "hooli", part, severity: "critical", component: "line" },
  annotations: {},
  startsAt,
});

class FakeParts implements PartControl {
  calls: string[] = [];
  constructor(
    public status: PartStatus[],
    public onRecreate: (p: PartRef) => void = () => undefined,
    public onRestart: (p: PartRef) => void = () => undefined,
  ) {}
  async list() {
    return this.status.map((s) => ({ ...s }));
  }
  async restart(p: PartRef) {
    this.calls.push(`restart ${p.role}-${p.index}`);
    this.onRestart(p);
  }
  async recreate(p: PartRef) {
    this.calls.push(`recreate ${p.role}-${p.index}`);
    this.onRecreate(p);
  }
}

class FakeBalancer implements BalancerControl {
  calls: string[] = [];
  state: Record<number, string> = { 1: "ready", 2: "ready" };
  failOn?: string;
  async setLineState(_c: string, line: number, state: "drain" | "maint" | "ready") {
    if (this.failOn === state) throw new Error(`${state} refused`);
    this.calls.push(`${state} ${line}`);
    this.state[line] = state;
  }
}

const NOW = Date.parse("2026-11-28T20:10:00Z");
const settings = { restartsAtLeast: 3, unhealthyForMinutes: 5, settleSeconds: 0 };
const fsbSettings = { signTimeoutMs: 100, drainTimeoutMs: 0, recoverTimeoutMs: 1500, drainMs: 0 };

function healer(seams: HealSeams, o: { dryRun?: boolean; maxAttempts?: number; clock?: { t: number } } = {}) {
  const audit = new MemoryAuditLog();
  const posted: any[] = [];
  const clock = o.clock ?? { t: NOW };
  // fake time that also passes (playbooks wait for deadlines); tests jump it forward with clock.t += …
  const realStart = Date.now();
  const h = new Healer({
    playbooks: [fsbHangPlaybook(fsbSettings), crashLoopPlaybook(settings)],
    seams,
    audit,
    notifier: new HealNotifier({ postAlerts: async (a) => void posted.push(...a) }, () => undefined),
    budget: { maxAttempts: o.maxAttempts ?? 2, windowMs: 3600_000, minIntervalMs: 60_000 },
    dryRun: o.dryRun ?? false,
    now: () => clock.t + (Date.now() - realStart),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { h, audit, posted, clock };
}

const line = (i: number, s: Partial<PartStatus> = {}): PartStatus => ({
  customer: "hooli",
  role: "line",
  index: i,
  running: true,
  healthy: true,
  restarts: 0,
  ...s,
});
const fsb = (i: number, s: Partial<PartStatus> = {}): PartStatus => ({
  customer: "hooli",
  role: "fsb",
  index: i,
  running: true,
  healthy: true,
  restarts: 0,
  ...s,
});

describe("crash-loop", () => {
  it("recreates a line the runtime restarted repeatedly; a running healthy line is left alone", async () => {
    const parts = new FakeParts([line(1), line(2, { restarts: 4 })], () => (parts.status[1] = line(2)));
    const { h, audit, posted } = healer({ runtime: "docker", parts });
    await h.handle(alert("LineDown", "line-2", "2026-11-28T20:09:30Z"));
    expect(parts.calls).toEqual(["recreate line-2"]);
    expect(audit.all.map((r) => [r.outcome, r.part])).toEqual([["succeeded", "hooli/line-2"]]);
    expect(posted.map((p) => [p.labels.alertname, p.labels.customer, p.labels.playbook, p.labels.part])).toEqual([
      ["HealAction", "hooli", "crash-loop", "line-2"],
    ]);
    await h.handle(alert("LineDown", "line-1"));
    expect(parts.calls).toEqual(["recreate line-2"]);
  });

  it("waits N minutes for a part that is merely down (the restart policy first), then recreates it", async () => {
    const parts = new FakeParts([line(2, { running: false })], () => (parts.status[0] = line(2)));
    const { h, clock } = healer({ runtime: "docker", parts });
    await h.handle(alert("LineDown", "line-2", "2026-11-28T20:08:00Z"));
    expect(parts.calls).toEqual([]);
    clock.t = Date.parse("2026-11-28T20:13:30Z");
    await h.handle(alert("LineDown", "line-2", "2026-11-28T20:08:00Z"));
    expect(parts.calls).toEqual(["recreate line-2"]);
  });

  it("after K failed attempts pages on-call once (HealGaveUp) and tries nothing more; one action per interval", async () => {
    const parts = new FakeParts([line(2, { running: false })], () => {
      throw new Error("port in use");
    });
    const { h, audit, posted, clock } = healer({ runtime: "docker", parts });
    const a = alert("LineDown", "line-2", "2026-11-28T20:00:00Z");
    await h.handle(a);
    await h.handle(a); // within the interval: waits
    clock.t += 61_000;
    await h.handle(a);
    clock.t += 61_000;
    await h.handle(a); // budget spent: page
    clock.t += 61_000;
    await h.handle(a); // given up
    clock.t += 3600_000;
    await h.handle(a); // still given up
    expect(parts.calls).toEqual(["recreate line-2", "recreate line-2"]);
    expect(audit.all.map((r) => r.outcome)).toEqual(["failed", "waited", "failed", "paged", "given-up", "given-up"]);
    expect(audit.all.filter((r) => r.outcome === "failed").every((r) => r.leftAsBefore === true && /port in use/.test(r.detail))).toBe(true);
    expect(posted.map((p) => p.labels.alertname)).toEqual(["HealAction", "HealAction", "HealGaveUp"]);
    expect(posted[2].labels.severity).toBe("critical");
  });

  it("a recreated part that dies again during the settle time is a failure", async () => {
    const parts = new FakeParts([line(2, { running: false })], () => undefined);
    const pb = crashLoopPlaybook({ ...settings, settleSeconds: 1 });
    const ctx = {
      alert: alert("LineDown", "line-2", "2026-11-28T19:00:00Z"),
      seams: { runtime: "docker" as const, parts },
      dryRun: false,
      now: Date.now,
      log: () => undefined,
    };
    const [action] = await pb.plan(ctx);
    const out = await pb.run(ctx, action);
    expect(out).toMatchObject({ kind: "failed", leftAsBefore: true });
  });

  it("a runtime without part control: skipped, 'not here'", async () => {
    const { h, audit } = healer({ runtime: "sandbox" });
    await h.handle(alert("LineDown", "line-2"));
    expect(audit.all.map((r) => [r.outcome, /not here/.test(r.detail)])).toEqual([["skipped", true]]);
  });

  it("dry run: planned, nothing recreated", async () => {
    const parts = new FakeParts([line(2, { restarts: 9 })]);
    const { h, audit } = healer({ runtime: "docker", parts }, { dryRun: true });
    await h.handle(alert("LineDown", "line-2"));
    expect(parts.calls).toEqual([]);
    expect(audit.all.map((r) => [r.outcome, r.dryRun])).toEqual([["planned", true]]);
  });
});

describe("fsb-hang", () => {
  function hungFsb() {
    let signs = false;
    const probe: FsbProbe = { sign: async () => (signs ? { ok: true, ms: 5 } : { ok: false, ms: 100, detail: "no signature within 100 ms" }) };
    return { probe, setSigns: (v: boolean) => (signs = v) };
  }

  it("takes the line out (drain, maint), restarts the FSB, puts the line back once it signs", async () => {
    const f = hungFsb();
    const balancer = new FakeBalancer();
    const parts = new FakeParts([line(2), fsb(2)], undefined, () => f.setSigns(true));
    const { h, audit } = healer({ runtime: "sandbox", parts, balancer, [FSB_PROBE]: f.probe });
    await h.handle(alert("FsbDown", "fsb-2"));
    expect([...balancer.calls, ...parts.calls]).toEqual(["drain 2", "maint 2", "ready 2", "restart fsb-2"]);
    expect(balancer.calls).toEqual(["drain 2", "maint 2", "ready 2"]);
    expect(audit.all.map((r) => [r.playbook, r.outcome])).toEqual([["fsb-hang", "succeeded"]]);
  });

  it("an FSB that signs, or that crashed (not running), is not this playbook's case", async () => {
    const f = hungFsb();
    f.setSigns(true);
    const balancer = new FakeBalancer();
    const parts = new FakeParts([fsb(2)]);
    const { h } = healer({ runtime: "sandbox", parts, balancer, [FSB_PROBE]: f.probe });
    await h.handle(alert("FsbNotSigning", "fsb-2"));
    const down = new FakeParts([fsb(2, { running: false })]);
    const h2 = healer({ runtime: "sandbox", parts: down, balancer, [FSB_PROBE]: hungFsb().probe });
    await h2.h.handle(alert("FsbNotSigning", "fsb-2"));
    expect(balancer.calls).toEqual([]);
    expect(parts.calls).toEqual([]);
  });

  it("restart fails and the FSB does not sign: the line stays in maintenance and the audit row says so", async () => {
    const f = hungFsb();
    const balancer = new FakeBalancer();
    const parts = new FakeParts([fsb(2)], undefined, () => {
      throw new Error("engine unavailable");
    });
    const { h, audit, posted } = healer({ runtime: "sandbox", parts, balancer, [FSB_PROBE]: f.probe });
    await h.handle(alert("FsbNotSigning", "fsb-2"));
    expect(balancer.state[2]).toBe("maint");
    expect(audit.all[0]).toMatchObject({ outcome: "failed", leftAsBefore: false });
    expect(audit.all[0].detail).toMatch(/line 2 left in maintenance/);
    expect(posted[0].labels.outcome).toBe("failed");
  });

  it("restart fails but the FSB signs again: the line goes back, left as before", async () => {
    const f = hungFsb();
    const balancer = new FakeBalancer();
    const parts = new FakeParts([fsb(2)], undefined, () => {
      f.setSigns(true);
      throw new Error("restart timed out");
    });
    const { h, audit } = healer({ runtime: "sandbox", parts, balancer, [FSB_PROBE]: f.probe });
    await h.handle(alert("FsbNotSigning", "fsb-2"));
    expect(balancer.state[2]).toBe("ready");
    expect(audit.all[0]).toMatchObject({ outcome: "failed", leftAsBefore: true });
  });

  it("the balancer refuses maint after drain: the line is put back, nothing restarted", async () => {
    const f = hungFsb();
    const balancer = new FakeBalancer();
    balancer.failOn = "maint";
    const parts = new FakeParts([fsb(2)]);
    const { h, audit } = healer({ runtime: "sandbox", parts, balancer, [FSB_PROBE]: f.probe });
    await h.handle(alert("FsbNotSigning", "fsb-2"));
    expect(balancer.calls).toEqual(["drain 2", "ready 2"]);
    expect(parts.calls).toEqual([]);
    expect(audit.all[0]).toMatchObject({ outcome: "failed", leftAsBefore: true });
  });
});

describe("the queue per customer", () => {
  it("runs one customer's tasks one after the other, other customers beside them", async () => {
    const q = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name} end`);
    };
    void q.run("hooli", task("h1", 60));
    void q.run("hooli", task("h2", 10));
    void q.run("wayne", task("w1", 10));
    await q.idle();
    expect(events.indexOf("h2 start")).toBeGreaterThan(events.indexOf("h1 end"));
    expect(events.indexOf("w1 start")).toBeLessThan(events.indexOf("h1 end"));
  });
});

describe("balancer lines", () => {
  const stat = [
    "# pxname,svname,qcur,status",
    "license_central,line1,0,UP",
    "license_central,line2,0,UP",
    "license_central,line12,0,UP",
    "license_central,BACKEND,0,UP",
  ].join("\n");
  it("finds line<N> exactly (line2 is not line12) and sets its state on every backend", async () => {
    expect(lineServers(stat, 2)).toEqual([{ backend: "license_central", server: "line2" }]);
    const sent: string[] = [];
    const b = new HaproxyBalancerControl(async (_c, cmd) => {
      sent.push(cmd);
      return cmd === "show stat" ? stat : "";
    });
    await b.setLineState("hooli", 2, "maint");
    expect(sent).toEqual(["show stat", "set server license_central/line2 state maint"]);
    await expect(b.setLineState("hooli", 7, "drain")).rejects.toThrow(/no server line7/);
  });
});
