/**
 * What the heal service does with one authenticated alert: the playbooks whose `matches` accepts it plan their
 * actions; each action asks the budget (heal/actionBudget.ts, history from the audit log), runs (or, in dry run,
 * is only recorded), is audited and notified. Alerts of one customer are handled one after the other (a queue
 * per customer), so two playbooks never act on one customer at the same time; customers do not wait for each other.
 */
import { BudgetPolicy, decide } from "../actionBudget";
import { HealAlert, HealSeams, partKey, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { partOfAlert } from "../playbooks/alertPart";
import type { AuditLog, AuditOutcome } from "./auditLog";
import type { HealNotifier } from "./notifications";

export interface HealerOptions {
  playbooks: Playbook[];
  seams: HealSeams;
  audit: AuditLog;
  notifier: HealNotifier;
  budget: BudgetPolicy;
  dryRun: boolean;
  now?: () => number;
  /** Service log (pino-like): info/warn/error with an object and a message. */
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

export interface HandledAction {
  playbook: string;
  part: string;
  summary: string;
  outcome: AuditOutcome;
  detail: string;
}

/** Runs tasks one at a time per key; different keys run side by side. */
export class KeyedQueue {
  private tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(task, task);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
  /** Resolves when every queued task has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A firing alert not posted again for this long is no longer rechecked (Alertmanager repeats firing alerts far sooner). */
export const ACTIVE_ALERT_TTL_MS = 24 * 3_600_000;
const activeKey = (a: HealAlert) => a.fingerprint ?? `${a.customer}/${a.name}/${a.labels.part ?? ""}`;

export class Healer {
  private readonly queue = new KeyedQueue();
  private readonly now: () => number;

  constructor(private readonly o: HealerOptions) {
    this.now = o.now ?? Date.now;
  }

  get dryRun(): boolean {
    return this.o.dryRun;
  }

  /** Queues the alert behind the customer's earlier ones; the promise is its result (the HTTP route does not wait for it). */
  enqueue(alert: HealAlert): Promise<HandledAction[]> {
    const key = activeKey(alert);
    if (alert.status !== "firing") this.active.delete(key);
    else if (this.o.playbooks.some((p) => p.recheckWhileFiring && p.matches(alert))) this.active.set(key, { alert, seenAt: this.now() });
    return this.queue.run(alert.customer, () => this.handle(alert));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Runs `task` in the customer's queue: never beside a playbook acting on the same customer (the service's timer). */
  exclusive<T>(customer: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(customer, task);
  }

  /**
   * Firing alerts a recheck playbook may still act on, by alert (fingerprint, or name + customer + part): added
   * when one fires, dropped when it resolves or was not posted again for ACTIVE_ALERT_TTL_MS.
   */
  private readonly active = new Map<string, { alert: HealAlert; seenAt: number }>();

  /** Hands every still-firing alert again to the playbooks that wait on purpose (Playbook.recheckWhileFiring). */
  recheck(): Promise<HandledAction[][]> {
    const now = this.now();
    const due: HealAlert[] = [];
    for (const [key, a] of this.active) {
      if (now - a.seenAt > ACTIVE_ALERT_TTL_MS) this.active.delete(key);
      else due.push(a.alert);
    }
    return Promise.all(due.map((a) => this.queue.run(a.customer, () => this.handle(a, (p) => p.recheckWhileFiring === true, true))));
  }

  /** Alerts the service would hand again on its timer (tests, the service's log). */
  activeAlerts(): HealAlert[] {
    return [...this.active.values()].map((a) => a.alert);
  }

  /** `recheck`: handed again by the timer — an action the budget holds back is not audited again every tick. */
  async handle(alert: HealAlert, only: (p: Playbook) => boolean = () => true, recheck = false): Promise<HandledAction[]> {
    const matching = this.o.playbooks.filter((p) => p.matches(alert) && only(p));
    if (alert.status !== "firing") {
      for (const pb of matching.filter((p) => p.observesResolved)) {
        // observed, never acted on: a plan for a resolved alert is not carried out
        await pb.plan({ alert, seams: this.o.seams, dryRun: true, now: this.now, log: () => undefined }).catch(() => undefined);
      }
      this.o.log.info({ customer: alert.customer, alert: alert.name }, "resolved alert: nothing to do");
      return [];
    }
    const done: HandledAction[] = [];
    for (const pb of matching) {
      const lines: string[] = [];
      const ctx: PlaybookContext = { alert, seams: this.o.seams, dryRun: this.o.dryRun, now: this.now, log: (l) => lines.push(l) };
      let actions: PlaybookAction[];
      try {
        actions = await pb.plan(ctx);
      } catch (e) {
        // nothing was changed: audited as skipped, not counted against the budget
        done.push(
          await this.audit(
            alert,
            pb,
            { part: partOfAlert(alert) ?? { customer: alert.customer, role: "line" }, summary: `plan ${pb.name} for ${alert.name}` },
            "skipped",
            `could not plan: ${errText(e)}`,
            null,
            lines,
          ),
        );
        continue;
      }
      if (actions.length === 0) {
        this.o.log.info({ customer: alert.customer, alert: alert.name, playbook: pb.name, why: lines.join("; ") }, "nothing to do");
        continue;
      }
      for (const action of actions) {
        const r = await this.act(alert, pb, ctx, action, lines, recheck);
        if (r) done.push(r);
      }
    }
    return done;
  }

  private async act(
    alert: HealAlert,
    pb: Playbook,
    ctx: PlaybookContext,
    action: PlaybookAction,
    lines: string[],
    recheck = false,
  ): Promise<HandledAction | undefined> {
    if (action.part.customer !== alert.customer)
      return this.audit(
        alert,
        pb,
        action,
        "skipped",
        `refused: the action is on customer ${action.part.customer}, the alert is ${alert.customer}'s`,
        null,
        lines,
      );
    if (this.o.dryRun) return this.audit(alert, pb, action, "planned", "dry run: nothing was changed", null, lines);
    const key = partKey(action.part);
    const d = decide(await this.o.audit.history(alert.customer, pb.name, key), this.now(), this.o.budget);
    if (d.kind === "wait") {
      if (recheck) return undefined; // audited when the alert came; the timer asks again every tick
      return this.audit(alert, pb, action, "waited", d.why, null, lines);
    }
    if (d.kind === "given-up" && recheck) return undefined;
    if (d.kind === "given-up") return this.audit(alert, pb, action, "given-up", d.why, null, lines);
    if (d.kind === "page") {
      const row = await this.audit(alert, pb, action, "paged", d.why, null, lines);
      await this.o.notifier.notify({
        kind: "gave-up",
        part: action.part,
        playbook: pb.name,
        outcome: "gave up",
        summary: action.summary,
        detail: d.why,
        at: new Date(this.now()),
        trigger: alert.name,
      });
      return row;
    }
    lines.push(`attempt ${d.attempt} of ${this.o.budget.maxAttempts}`);
    let outcome: PlaybookOutcome;
    try {
      outcome = await pb.run(ctx, action);
    } catch (e) {
      // a playbook must not throw; if it does, nobody knows what it left behind
      outcome = { kind: "failed", detail: `the playbook threw: ${errText(e)}`, leftAsBefore: false };
    }
    const leftAsBefore = outcome.kind === "failed" ? outcome.leftAsBefore : null;
    const row = await this.audit(alert, pb, action, outcome.kind, outcome.detail, leftAsBefore, lines);
    if (outcome.kind !== "skipped") {
      const detail = outcome.kind === "failed" ? `${outcome.detail} (${outcome.leftAsBefore ? "left as before" : "NOT left as before"})` : outcome.detail;
      await this.o.notifier.notify({
        kind: "action",
        part: action.part,
        playbook: pb.name,
        outcome: outcome.kind,
        summary: action.summary,
        detail,
        at: new Date(this.now()),
        trigger: alert.name,
      });
    }
    return row;
  }

  private async audit(
    alert: HealAlert,
    pb: Playbook,
    action: PlaybookAction,
    outcome: AuditOutcome,
    detail: string,
    leftAsBefore: boolean | null,
    lines: string[],
  ): Promise<HandledAction> {
    const full = lines.length ? `${detail}\n${lines.map((l) => `- ${l}`).join("\n")}` : detail;
    const part = partKey(action.part);
    const row = {
      at: new Date(this.now()),
      customer: alert.customer,
      playbook: pb.name,
      part,
      alertName: alert.name,
      alertFingerprint: alert.fingerprint,
      summary: action.summary,
      dryRun: this.o.dryRun,
      outcome,
      detail: full,
      leftAsBefore,
    };
    try {
      await this.o.audit.record(row);
    } catch (e) {
      this.o.log.error({ customer: alert.customer, playbook: pb.name, part, outcome, err: errText(e) }, "could not write the audit row");
    }
    this.o.log.info({ customer: alert.customer, playbook: pb.name, part, outcome, dryRun: this.o.dryRun, leftAsBefore }, action.summary);
    return { playbook: pb.name, part, summary: action.summary, outcome, detail: full };
  }
}
