/**
 * The recording rule of SLA accounting (issue 10, docs/sla.md): once a minute, per customer, the share of
 * the entry's blackbox probes that succeeded in one whole UTC minute. `lchost sla report` reads these
 * samples, one per customer and minute, instead of the twelve raw probes of each minute.
 *
 * Prometheus evaluates a rule group at a fixed offset into each interval (a hash of the group), so a plain
 * `avg_over_time(probe_success[1m])` would describe a minute starting at that offset, not a UTC minute.
 * A subquery's steps are aligned to absolute time, so `X[59999ms:1m]` evaluated at t = M + o (M a whole
 * UTC minute, 0 <= o < 60 s) evaluates X exactly once, at M; X then looks at [M - 120 s, M - 60 s): the
 * minute before last, whose last probes (scraped up to a scrape timeout before they are stored) are
 * certainly in the database by now. So a sample recorded at t describes the UTC minute starting at
 * floor(t / 60 s) * 60 s - 120 s, whatever the group's offset (slaMinuteOfSample). Ranges in Prometheus 2.x
 * include both ends, hence 59999 ms windows: a probe stamped exactly on a minute belongs to that minute only.
 */

/** The recorded series: success ratio (0..1) of one UTC minute's probes; absent when the minute had no probe. */
export const SLA_MINUTE_RECORD = "lchost:probe_success:min1";
export const SLA_RULE_GROUP = "lchost-sla";
/** A sample recorded at t describes the minute that started this many minutes before t's minute. */
export const SLA_RECORD_LAG_MINUTES = 2;

const MINUTE_MS = 60_000;

/** The start (ms) of the UTC minute a recorded sample at `sampleMs` describes. */
export function slaMinuteOfSample(sampleMs: number): number {
  return Math.floor(sampleMs / MINUTE_MS) * MINUTE_MS - SLA_RECORD_LAG_MINUTES * MINUTE_MS;
}

/** The sample times [from, to) (ms) that describe the minutes [minuteFrom, minuteTo). */
export function slaSampleWindow(minuteFromMs: number, minuteToMs: number): { fromMs: number; toMs: number } {
  const lag = SLA_RECORD_LAG_MINUTES * MINUTE_MS;
  return { fromMs: minuteFromMs + lag, toMs: minuteToMs + lag };
}

/** Shaped like rules.ts' RecordingRule and RuleGroup (which include this group; typed here to keep imports one way). */
export interface SlaRecordingRule {
  record: string;
  expr: string;
}

export function slaRecordingRule(): SlaRecordingRule {
  const probes = `probe_success{job="blackbox-https"}`;
  const minuteBeforeLast = `avg_over_time(${probes}[59999ms] offset 60001ms)`;
  return {
    record: SLA_MINUTE_RECORD,
    expr: `avg by (customer, edition) (last_over_time((${minuteBeforeLast})[59999ms:1m]))`,
  };
}

/** The group, evaluated once a minute (its own interval: one sample per customer and minute). */
export function slaRuleGroup(): { name: string; interval: string; rules: SlaRecordingRule[] } {
  return { name: SLA_RULE_GROUP, interval: "1m", rules: [slaRecordingRule()] };
}
