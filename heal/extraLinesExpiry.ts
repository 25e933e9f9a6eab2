/**
 * Which stacks' temporary extra lines are due to go (issue 12: "removes them afterwards by itself"). Pure:
 * the caller reads the stack files (heal/extraLinesApplier.ts) and removes the due lines, drained.
 */
import type { ExtraLinesSetting } from "../model/stackConfig";

export interface StackLines {
  stackName: string;
  /** lchost:customer */
  customer: string;
  bookedLines: number;
  extraLines?: ExtraLinesSetting;
}

export interface DueExtraLines {
  stackName: string;
  customer: string;
  count: number;
  until: Date;
  /** How long past the deadline (0: exactly at it). */
  lateMs: number;
}

/** The stacks whose lchost:extraLines deadline is at or before `now`, the longest overdue first. */
export function dueExtraLines(stacks: StackLines[], now: Date): DueExtraLines[] {
  const due: DueExtraLines[] = [];
  for (const s of stacks) {
    if (!s.extraLines) continue;
    const until = new Date(s.extraLines.until);
    if (Number.isNaN(until.getTime())) continue; // the validator refuses such a file; nothing to expire in it
    const lateMs = now.getTime() - until.getTime();
    if (lateMs >= 0) due.push({ stackName: s.stackName, customer: s.customer, count: s.extraLines.count, until, lateMs });
  }
  return due.sort((a, b) => b.lateMs - a.lateMs || a.stackName.localeCompare(b.stackName));
}

/** When the next deadline falls (a timer can sleep until then); undefined: no extra lines ahead. */
export function nextExtraLinesDeadline(stacks: StackLines[], now: Date): Date | undefined {
  const ahead = stacks
    .map((s) => (s.extraLines ? new Date(s.extraLines.until) : undefined))
    .filter((d): d is Date => d !== undefined && !Number.isNaN(d.getTime()) && d.getTime() > now.getTime())
    .sort((a, b) => a.getTime() - b.getTime());
  return ahead[0];
}
