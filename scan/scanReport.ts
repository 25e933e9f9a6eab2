/** The scan's findings as a table for people (worst first, with counts) or as JSON. */
import { failingFindings, Finding, ScaledSeverity, SEVERITY_SCALE, sortFindings } from "./severity";

export interface ScanReport {
  failOn: ScaledSeverity;
  failOnUnknown: boolean;
  failed: boolean;
  counts: Record<string, number>;
  findings: Finding[];
}

export function scanReport(findings: Finding[], failOn: ScaledSeverity, failOnUnknown = false): ScanReport {
  const counts: Record<string, number> = Object.fromEntries([...SEVERITY_SCALE, "unknown"].map((s) => [s, 0]));
  for (const f of findings) counts[f.severity]++;
  return { failOn, failOnUnknown, failed: failingFindings(findings, failOn, { failOnUnknown }).length > 0, counts, findings: sortFindings(findings) };
}

export function renderScanTable(r: ScanReport): string[] {
  const rows = r.findings.filter((f) => f.severity !== "info");
  const head = ["severity", "stack", "source", "target", "finding"];
  const cells = rows.map((f) => [f.severity, f.stack, f.source, f.target, f.message]);
  const width = head.map((h, i) => Math.min(40, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(width[i]))).join("  ");
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  return [
    ...(rows.length ? [line(head), ...cells.map(line)] : ["no findings above info"]),
    "",
    `${counts || "no findings"}; fails at ${r.failOn}${r.failOnUnknown ? " and on unknown" : ""}: ${r.failed ? "FAILED" : "passed"}`,
  ];
}
