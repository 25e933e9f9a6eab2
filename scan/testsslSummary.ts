/**
 * Summarises a testssl.sh `--jsonfile` result (a flat array of `{ id, ip, port, severity, finding }`)
 * into findings: offered weak protocols, weak cipher suites, certificate problems and known
 * vulnerabilities, each with testssl's own severity. OK/INFO lines are dropped; WARN and FATAL lines
 * (testssl could not test something) become `unknown`.
 */
import type { Finding, Severity } from "./severity";

export interface TestsslEntry {
  id: string;
  ip?: string;
  port?: string;
  severity: string;
  finding: string;
  cve?: string;
}

export type TlsCategory = "protocol" | "cipher suites" | "certificate" | "vulnerability" | "other";

const PROTOCOL_IDS = /^(SSLv2|SSLv3|TLS1|TLS1_1|TLS1_2|TLS1_3|NPN|ALPN.*)$/;

export function tlsCategory(id: string, cve?: string): TlsCategory {
  if (PROTOCOL_IDS.test(id)) return "protocol";
  if (/^(cipher|cipherlist_|cipher_order|P?FS|DH_groups|supportedciphers|std_)/.test(id)) return "cipher suites";
  if (/^(cert|intermediate_cert|chain_of_trust|OCSP|DNS_CAArecord|certificate|pwnedkeys|crl)/i.test(id)) return "certificate";
  if (
    cve ||
    /^(heartbleed|CCS|ticketbleed|ROBOT|secure_renego|secure_client_renego|CRIME_TLS|BREACH|POODLE_SSL|fallback_SCSV|SWEET32|FREAK|DROWN|LOGJAM|BEAST|LUCKY13|RC4|winshock|GREASE)/i.test(
      id,
    )
  )
    return "vulnerability";
  return "other";
}

function severityOf(testssl: string): Severity | undefined {
  switch (testssl.toUpperCase()) {
    case "LOW":
      return "low";
    case "MEDIUM":
      return "medium";
    case "HIGH":
      return "high";
    case "CRITICAL":
      return "critical";
    case "WARN":
    case "FATAL":
      return "unknown";
    default:
      return undefined; // OK, INFO, DEBUG: nothing to report
  }
}

/** Reads the JSON text testssl wrote; throws naming the file's problem. */
export function parseTestsslJson(text: string): TestsslEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`testssl --jsonfile: not JSON (${(e as Error).message})`);
  }
  // the flat form `--jsonfile` writes (not `--jsonfile-pretty`, which nests per section)
  if (!Array.isArray(data)) throw new Error("testssl --jsonfile: expected a list of { id, severity, finding }");
  return data
    .filter((e): e is TestsslEntry => e && typeof e.id === "string" && typeof e.severity === "string")
    .map((e) => ({ ...e, finding: String(e.finding ?? "") }));
}

export function summarizeTestssl(entries: TestsslEntry[], stack: string, target: string): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    const severity = severityOf(e.severity);
    if (!severity) continue;
    const category = tlsCategory(e.id, e.cve);
    out.push({ stack, source: "tls", severity, id: e.id, target, message: `${category}: ${e.id} ${e.finding}${e.cve ? ` (${e.cve})` : ""}`.trim() });
  }
  return out;
}

/** Counts per category and severity, for the table's summary line. */
export function countByCategory(findings: Finding[]): Record<string, Partial<Record<Severity, number>>> {
  const out: Record<string, Partial<Record<Severity, number>>> = {};
  for (const f of findings) {
    if (f.source !== "tls") continue;
    const category = f.message.slice(0, f.message.indexOf(":"));
    out[category] ??= {};
    out[category][f.severity] = (out[category][f.severity] ?? 0) + 1;
  }
  return out;
}
