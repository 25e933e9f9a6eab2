/**
 * The heal service's timer. Alertmanager posts when an alert starts, repeats or resolves; three things are about
 * time passing instead, so the service looks every `tickSeconds`:
 *   - autoscale: each customer whose stack has `lchost:autoscale` and runs on this runtime gets a tick alert
 *     (heal/playbooks/autoscale.ts: "sustained" peak, "idle" time);
 *   - temporary extra lines whose deadline passed are removed, drained (heal/extraLinesApplier.ts);
 *   - alerts still firing are handed again to the playbooks that wait on purpose (Galera's grace time, a node
 *     counted as lost only after a while: Healer.recheck).
 * Each customer's work runs in that customer's queue of the healer, so the timer never acts on a customer at the
 * same time as a playbook. A tick still running when the next is due is not doubled: the next one is skipped.
 */
import { expireDueExtraLines } from "../extraLinesApplier";
import { StackDirIndex } from "../stackDirIndex";
import { autoscaleTick } from "../playbooks/autoscale";
import type { LineControl } from "../seams/lines";
import type { Healer } from "./healer";

export interface HealTimerOptions {
  healer: Pick<Healer, "enqueue" | "recheck" | "exclusive">;
  tickMs: number;
  /** The stack files (absent: no autoscale, no extra-lines expiry). */
  stacksDir?: string;
  lines?: LineControl;
  now?: () => number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

interface CustomerStack {
  customer: string;
  autoscale: boolean;
  extraUntil?: number;
}

/** The customer stacks of the index's folder (files that are no valid stack file are left out; the expiry names them). */
export function customerStacks(index: StackDirIndex): CustomerStack[] {
  return index
    .stacks()
    .flatMap(({ stack: { config: c } }) =>
      c.role === "customer"
        ? [{ customer: c.customer, autoscale: c.autoscale !== undefined, extraUntil: c.extraLines ? Date.parse(c.extraLines.until) : undefined }]
        : [],
    );
}

export class HealTimer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly index?: StackDirIndex;

  constructor(private readonly o: HealTimerOptions) {
    if (o.stacksDir) this.index = new StackDirIndex(o.stacksDir);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.timer.unref();
  }

  /** One round (also called by tests); resolves when its work is done. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    const now = (this.o.now ?? Date.now)();
    const work: Array<Promise<unknown>> = [this.o.healer.recheck()];
    const dir = this.o.stacksDir;
    const lines = this.o.lines;
    if (dir && lines && this.index) {
      for (const s of customerStacks(this.index)) {
        const due = s.extraUntil !== undefined && s.extraUntil <= now;
        // asked only of the few customers with something to do: it looks through the folder
        if ((!s.autoscale && !due) || lines.stackFileOf(s.customer) === undefined) continue; // nothing, or not deployed on this runtime
        if (s.autoscale) work.push(this.o.healer.enqueue(autoscaleTick(s.customer, now)));
        if (due)
          work.push(
            this.o.healer.exclusive(s.customer, () =>
              expireDueExtraLines({
                stacksDir: dir,
                now: new Date(now),
                lines,
                only: (c) => c === s.customer,
                log: (line) => this.o.log.info({ customer: s.customer }, line),
              }),
            ),
          );
      }
    }
    const results = await Promise.allSettled(work);
    for (const r of results)
      if (r.status === "rejected") this.o.log.warn({ err: String((r.reason as Error)?.message ?? r.reason) }, "heal timer: a task failed");
  }
}
