/**
 * How bad a scan finding is. `info` < `low` < `medium` < `high` < `critical`; `unknown` means the scan
 * could not look (no Docker engine, no apt lists, testssl failed) and is outside that scale: it fails
 * a scan only when asked to (`failOnUnknown`), so a machine without Docker can still gate on TLS.
 */
export const SEVERITY_SCALE = ["info", "low", "medium", "high", "critical"] as const;
export type ScaledSeverity = (typeof SEVERITY_SCALE)[number];
export type Severity = ScaledSeverity | "unknown";

export interface Finding {
  stack: string;
  /** What looked: the TLS scan of the gateway, the packages of an image, the policy pack. */
  source: "tls" | "image" | "policy";
  severity: Severity;
  /** Stable id of the check (testssl id, package name, policy name). */
  id: string;
  /** What was scanned: `host:port`, the image, the resource. */
  target: string;
  message: string;
}

export function parseSeverity(text: string, what = "--fail-on"): ScaledSeverity {
  const s = text.trim().toLowerCase();
  if ((SEVERITY_SCALE as readonly string[]).includes(s)) return s as ScaledSeverity;
  throw new Error(`${what}: '${text}' is not a severity; allowed: ${SEVERITY_SCALE.join(", ")}`);
}

export function severityRank(s: Severity): number {
  return s === "unknown" ? -1 : SEVERITY_SCALE.indexOf(s);
}

/** The findings that make the scan fail: at or above the threshold (and `unknown` ones when asked). */
export function failingFindings(findings: Finding[], threshold: ScaledSeverity, opts: { failOnUnknown?: boolean } = {}): Finding[] {
  const min = severityRank(threshold);
  return findings.filter((f) => (f.severity === "unknown" ? Boolean(opts.failOnUnknown) : severityRank(f.severity) >= min));
}

/** Worst first, then by stack, source and id. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === "unknown" ? 2.5 : severityRank(f.severity)); // unknown shown beside high: it needs a look
  return [...findings].sort((a, b) => rank(b) - rank(a) || a.stack.localeCompare(b.stack) || a.source.localeCompare(b.source) || a.id.localeCompare(b.id));
}
