/**
 * Playbook "autoscale" (issue 12, item 3): on a sustained FSB-bound peak (FsbQueueSaturated / HighLatency
 * firing for lchost:autoscale.scaleUpAfter) one more extra line, up to maxExtraLines; after sustained idle
 * (scaleDownAfter without a peak alert) one extra line less, never below the booked lines. The decision is
 * heal/autoscaleDecision.ts; the lines change through the stack file and the runtime's LineControl
 * (heal/extraLinesApplier.ts setExtraLines, heal/seams/lines.ts).
 *
 * Alertmanager only posts when an alert starts, repeats or resolves, but "sustained" and "idle" are about
 * time passing: the heal service also hands this playbook a tick alert (`autoscaleTick(customer, now)`,
 * name AUTOSCALE_TICK) per autoscaled customer on a timer — every few seconds, or at `recheckAt` of the
 * last decision. The signal state lives in this object (the heal service keeps one for its lifetime; after
 * a restart idle counts from the restart, so an extra line stays at most one scaleDownAfter longer).
 */
import * as fs from "fs";
import { linePlan } from "../../model/extraLines";
import { parseStackFileText } from "../../model/stackFile";
import type { CustomerConfig } from "../../model/stackConfig";
import { AutoscaleDecision, AutoscaleSignals, decideAutoscale, noSignals, observePeakAlert, PEAK_ALERTS } from "../autoscaleDecision";
import { ExtraLinesNotApplied, setExtraLines } from "../extraLinesApplier";
import type { HealAlert, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { lineControlOf } from "../seams/lines";

/** The name of the timer's synthetic alert (never sent by Alertmanager). */
export const AUTOSCALE_TICK = "LchostAutoscaleTick";

/** How long an automatic extra line is booked ahead; each added line pushes the deadline (the idle rule removes it sooner). */
export const AUTOSCALE_HOLD_MS = 24 * 3_600_000;

export function autoscaleTick(customer: string, now: number): HealAlert {
  return {
    name: AUTOSCALE_TICK,
    status: "firing",
    customer,
    labels: { alertname: AUTOSCALE_TICK, customer },
    annotations: {},
    startsAt: new Date(now).toISOString(),
  };
}

const alertKey = (a: HealAlert) => a.fingerprint ?? `${a.name}/${a.labels.part ?? ""}`;

export class AutoscalePlaybook implements Playbook {
  readonly name = "autoscale";
  /** A resolved peak alert starts the idle time (heal/autoscaleDecision.ts). */
  readonly observesResolved = true;
  private readonly signals = new Map<string, AutoscaleSignals>();
  /** The last decision per customer (what a tick scheduler may wait for: recheckAt). */
  readonly lastDecision = new Map<string, AutoscaleDecision>();

  matches(alert: HealAlert): boolean {
    return PEAK_ALERTS.has(alert.name) || alert.name === AUTOSCALE_TICK;
  }

  /** The customer's stack (undefined: no stack file here, or no lchost:autoscale). */
  private stackOf(ctx: PlaybookContext): { file: string; cfg: CustomerConfig & { autoscale: NonNullable<CustomerConfig["autoscale"]> } } | undefined {
    const file = lineControlOf(ctx.seams)?.stackFileOf(ctx.alert.customer);
    if (!file || !fs.existsSync(file)) return undefined;
    const cfg = parseStackFileText(fs.readFileSync(file, "utf8"), file).config;
    if (cfg.role !== "customer" || !cfg.autoscale) return undefined;
    return { file, cfg: cfg as CustomerConfig & { autoscale: NonNullable<CustomerConfig["autoscale"]> } };
  }

  /** Records the alert in the customer's signals and decides. */
  private decide(ctx: PlaybookContext): { decision: AutoscaleDecision; cfg: CustomerConfig; file: string } | undefined {
    const stack = this.stackOf(ctx);
    if (!stack) return undefined;
    const now = ctx.now();
    const customer = ctx.alert.customer;
    let s = this.signals.get(customer) ?? noSignals(now);
    if (PEAK_ALERTS.has(ctx.alert.name)) {
      const startsAt = Date.parse(ctx.alert.startsAt);
      s = observePeakAlert(s, { key: alertKey(ctx.alert), status: ctx.alert.status, startsAt: Number.isNaN(startsAt) ? now : startsAt, at: now });
    }
    this.signals.set(customer, s);
    const extra = linePlan(stack.cfg, new Date(now)).extra;
    const decision = decideAutoscale(s, extra, stack.cfg.autoscale, now);
    this.lastDecision.set(customer, decision);
    return { decision, cfg: stack.cfg, file: stack.file };
  }

  async plan(ctx: PlaybookContext): Promise<PlaybookAction[]> {
    const d = this.decide(ctx);
    if (!d) return [];
    if (d.decision.kind === "hold") {
      ctx.log(`autoscale ${ctx.alert.customer}: hold (${d.decision.why})`);
      return [];
    }
    const booked = d.cfg.lines;
    const extra = d.decision.extraLines;
    const summary =
      d.decision.kind === "add"
        ? `add extra line ${booked + extra} of ${ctx.alert.customer} (${booked} booked + ${extra} extra): ${d.decision.why}`
        : `remove extra line ${booked + extra + 1} of ${ctx.alert.customer}, drained (${booked} booked + ${extra} extra left): ${d.decision.why}`;
    return [{ part: { customer: ctx.alert.customer, role: "line", index: booked + (d.decision.kind === "add" ? extra : extra + 1) }, summary }];
  }

  async run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome> {
    const lines = lineControlOf(ctx.seams);
    if (!lines) return { kind: "skipped", detail: `the ${ctx.seams.runtime} runtime offers no line control here` };
    const d = this.decide(ctx);
    if (!d || d.decision.kind === "hold") return { kind: "skipped", detail: `nothing to do any more (${d?.decision.why ?? "no lchost:autoscale"})` };
    if (ctx.dryRun) return { kind: "skipped", detail: `dry run: would ${action.summary}` };
    const now = ctx.now();
    try {
      const r = await setExtraLines({
        stackFile: d.file,
        now: new Date(now),
        count: d.decision.extraLines,
        until: new Date(now + AUTOSCALE_HOLD_MS),
        lines,
        log: ctx.log,
      });
      const s = this.signals.get(ctx.alert.customer) ?? noSignals(now);
      this.signals.set(ctx.alert.customer, { ...s, lastChangeAt: ctx.now() });
      return {
        kind: "succeeded",
        detail: `${r.stackName}: ${r.before} -> ${r.after} extra line(s)${r.applied ? ` (started ${r.applied.added.length}, stopped ${r.applied.removed.length})` : ""}`,
      };
    } catch (e) {
      if (e instanceof ExtraLinesNotApplied) return { kind: "failed", detail: e.message, leftAsBefore: e.leftAsBefore };
      return { kind: "failed", detail: (e as Error).message, leftAsBefore: true }; // refused before anything was written
    }
  }
}
