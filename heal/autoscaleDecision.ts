/**
 * When `lchost heal` adds or removes an automatic extra line (issue 12, item 3). Pure: the playbook
 * (heal/playbooks/autoscale.ts) keeps the per-customer signal state with `observePeakAlert` and asks
 * `decideAutoscale` on every alert and on its timer tick.
 *
 *  - a sustained FSB-bound peak — an FsbQueueSaturated or HighLatency alert firing without a pause for
 *    scaleUpAfter — adds one line, never above maxExtraLines, and not again before the last added line has
 *    had scaleUpAfter to take its share;
 *  - sustained idle — no peak alert firing for scaleDownAfter since the last one resolved and since the last
 *    change — removes one extra line, never below the booked lines (only extra lines go).
 */

/** The monitoring issue's alerts that mean "the lines' signing is the bottleneck". */
export const PEAK_ALERTS: ReadonlySet<string> = new Set(["FsbQueueSaturated", "HighLatency"]);

export interface AutoscaleSignals {
  /** Peak alerts firing now, by key (fingerprint or name/part), with when each started (ms). */
  firing: Record<string, number>;
  /** When the last peak alert resolved (ms); undefined: none has yet. */
  lastResolvedAt?: number;
  /** When this customer's extra lines last changed (ms). */
  lastChangeAt?: number;
  /** When the watching began (ms): extra lines of a peak before it count as idle from then. */
  watchingSince: number;
}

export const noSignals = (now: number): AutoscaleSignals => ({ firing: {}, watchingSince: now });

export interface PeakAlertObservation {
  key: string;
  status: "firing" | "resolved";
  /** ms */
  startsAt: number;
  /** ms: when it was received (a resolve counts from then). */
  at: number;
}

/** The signals after one peak alert (a new state; the old one is not changed). */
export function observePeakAlert(s: AutoscaleSignals, o: PeakAlertObservation): AutoscaleSignals {
  const firing = { ...s.firing };
  if (o.status === "firing") {
    firing[o.key] = Math.min(firing[o.key] ?? o.startsAt, o.startsAt);
    return { ...s, firing };
  }
  if (!(o.key in firing)) return s;
  delete firing[o.key];
  return { ...s, firing, lastResolvedAt: o.at };
}

export interface AutoscaleSettingsMs {
  maxExtraLines: number;
  scaleUpAfterMs: number;
  scaleDownAfterMs: number;
}

export type AutoscaleDecision =
  | { kind: "add"; extraLines: number; why: string }
  | { kind: "remove"; extraLines: number; why: string }
  /** Nothing now; `recheckAt` (ms) when the answer may change without a new alert. */
  | { kind: "hold"; why: string; recheckAt?: number };

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

export function decideAutoscale(s: AutoscaleSignals, extraRunning: number, cfg: AutoscaleSettingsMs, now: number): AutoscaleDecision {
  const starts = Object.values(s.firing);
  if (starts.length > 0) {
    const peakSince = Math.min(...starts);
    const sustainedAt = peakSince + cfg.scaleUpAfterMs;
    if (now < sustainedAt) return { kind: "hold", why: `peak for ${secs(now - peakSince)}, not yet ${secs(cfg.scaleUpAfterMs)}`, recheckAt: sustainedAt };
    if (extraRunning >= cfg.maxExtraLines)
      return {
        kind: "hold",
        why: `peak for ${secs(now - peakSince)}, but ${extraRunning} extra line(s) run already (lchost:autoscale.maxExtraLines ${cfg.maxExtraLines})`,
      };
    // the last line added needs its time to take load before the peak can be judged again
    const settledAt = s.lastChangeAt !== undefined ? s.lastChangeAt + cfg.scaleUpAfterMs : -Infinity;
    if (now < settledAt)
      return {
        kind: "hold",
        why: `a line was added ${secs(now - s.lastChangeAt!)} ago; judging the peak again after ${secs(cfg.scaleUpAfterMs)}`,
        recheckAt: settledAt,
      };
    return { kind: "add", extraLines: extraRunning + 1, why: `FSB-bound peak sustained for ${secs(now - peakSince)} (≥ ${secs(cfg.scaleUpAfterMs)})` };
  }
  if (extraRunning <= 0) return { kind: "hold", why: "no peak and no extra line: the booked lines serve" };
  const idleSince = Math.max(s.watchingSince, s.lastResolvedAt ?? -Infinity, s.lastChangeAt ?? -Infinity);
  const idleAt = idleSince + cfg.scaleDownAfterMs;
  if (now < idleAt) return { kind: "hold", why: `idle for ${secs(now - idleSince)}, not yet ${secs(cfg.scaleDownAfterMs)}`, recheckAt: idleAt };
  return { kind: "remove", extraLines: extraRunning - 1, why: `idle for ${secs(now - idleSince)} (≥ ${secs(cfg.scaleDownAfterMs)})` };
}
