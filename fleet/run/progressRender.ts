/**
 * What a fleet run prints, as pure functions: the live display redrawn in place on a terminal, the plain
 * lines for CI and pipes, and the summary table at the end.
 */
import { StackStatus } from "./scheduler";

/** 8.1s, 59.9s, 1m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** A log line fit for one terminal line: escape sequences and control characters out, tabs as spaces. */
export function printable(line: string): string {
  // escape sequences and control characters are exactly what must go, hence the control characters in the patterns
  return (
    line
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
      .replace(/\t/g, " ")
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x1f\x7f]/g, "")
      .trim()
  );
}

/** At most `width` characters; a cut line ends with '…'. */
export function cut(line: string, width: number): string {
  if (width <= 0) return "";
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

export type PlainEvent =
  | { kind: "started"; name: string }
  | { kind: "succeeded"; name: string; ms: number }
  | { kind: "failed"; name: string; ms: number; reason: string }
  | { kind: "skipped"; name: string; reason: string };

/** `[12.3s] acme: started`, `[20.4s] acme: succeeded in 8.1s`, `... failed: <reason>`, `... skipped: <reason>`. */
export function plainLine(e: PlainEvent, sinceRunStartMs: number): string {
  const at = `[${(Math.max(0, sinceRunStartMs) / 1000).toFixed(1)}s]`;
  if (e.kind === "started") return `${at} ${e.name}: started`;
  if (e.kind === "succeeded") return `${at} ${e.name}: succeeded in ${formatDuration(e.ms)}`;
  if (e.kind === "failed") return `${at} ${e.name}: failed after ${formatDuration(e.ms)}: ${e.reason}`;
  return `${at} ${e.name}: skipped (${e.reason})`;
}

export interface LiveView {
  now: number;
  runStartedAt: number;
  running: Array<{ name: string; startedAt: number; lastLine: string }>;
  counts: Record<StackStatus, number>;
}

/** `done 3, failed 1, skipped 0, running 2, waiting 4; 1m02s` */
export function countsLine(counts: Record<StackStatus, number>, elapsedMs: number): string {
  return `done ${counts.succeeded}, failed ${counts.failed}, skipped ${counts.skipped}, running ${counts.running}, waiting ${counts.waiting}; ${formatDuration(elapsedMs)}`;
}

/** The live display: one line per running stack (name, elapsed, its last log line cut to the width), then the counts. */
export function liveLines(view: LiveView, width: number): string[] {
  const nameWidth = Math.min(24, Math.max(0, ...view.running.map((r) => r.name.length)));
  const lines = view.running.map((r) => {
    const head = `${r.name.padEnd(nameWidth)} ${formatDuration(view.now - r.startedAt).padStart(6)}  `;
    return cut(head + printable(r.lastLine), width);
  });
  lines.push(cut(countsLine(view.counts, view.now - view.runStartedAt), width));
  return lines;
}

/** The bytes that replace the previous frame (of `previousLines` lines) by `lines`, the cursor left below them. */
export function redraw(previousLines: number, lines: string[]): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}A` : "";
  return `${up}\r\x1b[J${lines.join("\n")}\n`;
}

export interface SummaryRow {
  name: string;
  edition: string;
  hosts: string[];
  status: StackStatus;
  reason?: string;
  earlier?: boolean;
  seconds?: number;
  log: string;
}

function resultText(r: SummaryRow): string {
  if (r.earlier) return "succeeded (earlier attempt)";
  if (r.status === "failed" || r.status === "skipped") return `${r.status}: ${r.reason ?? ""}`.trim();
  return r.status;
}

/** The table at the end of a run: stack, edition, host, result, time, log file. */
export function summaryTable(rows: SummaryRow[]): string {
  const header = ["STACK", "EDITION", "HOST", "RESULT", "TIME", "LOG"];
  const cells = rows.map((r) => [
    r.name,
    r.edition,
    r.hosts.join(",") || "-",
    resultText(r),
    r.seconds === undefined || r.earlier ? "-" : formatDuration(r.seconds * 1000),
    r.status === "skipped" && !r.earlier ? "-" : r.log,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}

/** The closing line: all succeeded, or the failed and skipped stacks by name. */
export function verdictLine(rows: SummaryRow[], kind: string): string {
  const failed = rows.filter((r) => r.status === "failed").map((r) => r.name);
  const skipped = rows.filter((r) => r.status === "skipped").map((r) => r.name);
  if (!failed.length && !skipped.length) return `fleet ${kind}: all ${rows.length} stack(s) succeeded`;
  const parts = [];
  if (failed.length) parts.push(`failed: ${failed.join(", ")}`);
  if (skipped.length) parts.push(`skipped: ${skipped.join(", ")}`);
  return `fleet ${kind}: ${rows.length - failed.length - skipped.length} of ${rows.length} stack(s) succeeded; ${parts.join("; ")}`;
}
