import * as fs from "fs";
import * as path from "path";
import { countByCategory, parseTestsslJson, summarizeTestssl, tlsCategory } from "../../../scan/testsslSummary";

// testssl.sh 3.0 --jsonfile: a flat list; severities OK, INFO, LOW, MEDIUM, HIGH, CRITICAL, WARN, FATAL
const flat = JSON.stringify([
  {
    id: "engine_problem",
    ip: "gw.example/127.9.1.4",
    port: "8443",
    severity: "WARN",
    finding: "No engine or GOST support via engine with your ./bin/openssl.Linux.x86_64",
  },
  { id: "SSLv3", ip: "gw.example/127.9.1.4", port: "8443", severity: "HIGH", finding: "offered" },
  { id: "TLS1", ip: "gw.example/127.9.1.4", port: "8443", severity: "LOW", finding: "offered (deprecated)" },
  { id: "TLS1_2", ip: "gw.example/127.9.1.4", port: "8443", severity: "OK", finding: "offered" },
  { id: "cipherlist_3DES_IDEA", ip: "gw.example/127.9.1.4", port: "8443", severity: "MEDIUM", finding: "offered" },
  { id: "cert_chain_of_trust", ip: "gw.example/127.9.1.4", port: "8443", severity: "CRITICAL", finding: "failed (self signed CA in chain)." },
  { id: "cert_expirationStatus", ip: "gw.example/127.9.1.4", port: "8443", severity: "OK", finding: "6 >= 60 days" },
  { id: "SWEET32", ip: "gw.example/127.9.1.4", port: "8443", severity: "LOW", cve: "CVE-2016-2183 CVE-2016-6329", finding: "uses 64 bit block ciphers" },
  { id: "service", ip: "gw.example/127.9.1.4", port: "8443", severity: "INFO", finding: "HTTP" },
]);

describe("testssl summary", () => {
  const entries = parseTestsslJson(flat);
  const findings = summarizeTestssl(entries, "globex", "gw.example:8443 at 127.9.1.4");

  it("keeps weak protocols, suites, certificate problems and vulnerabilities with testssl's severity, drops OK and INFO", () => {
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ["engine_problem", "unknown"],
      ["SSLv3", "high"],
      ["TLS1", "low"],
      ["cipherlist_3DES_IDEA", "medium"],
      ["cert_chain_of_trust", "critical"],
      ["SWEET32", "low"],
    ]);
    expect(findings.find((f) => f.id === "SWEET32")!.message).toBe("vulnerability: SWEET32 uses 64 bit block ciphers (CVE-2016-2183 CVE-2016-6329)");
  });

  it("counts findings per category and severity", () => {
    expect(countByCategory(findings)).toEqual({
      other: { unknown: 1 },
      protocol: { high: 1, low: 1 },
      "cipher suites": { medium: 1 },
      certificate: { critical: 1 },
      vulnerability: { low: 1 },
    });
  });

  it("puts testssl ids in their category", () => {
    expect(
      ["SSLv2", "TLS1_1", "cipherlist_NULL", "cipher_order", "PFS_ECDHE_curves", "cert_trust", "intermediate_cert_badOCSP", "heartbleed", "ROBOT"].map((id) =>
        tlsCategory(id),
      ),
    ).toEqual(["protocol", "protocol", "cipher suites", "cipher suites", "cipher suites", "certificate", "certificate", "vulnerability", "vulnerability"]);
  });

  it("refuses a file that is not a flat testssl result, saying so", () => {
    expect(() => parseTestsslJson("{ nope")).toThrow(/^testssl --jsonfile: not JSON/);
    expect(() => parseTestsslJson('{"scanResult":[]}')).toThrow("testssl --jsonfile: expected a list of { id, severity, finding }");
  });

  it("summarises a captured run against a sandbox gateway: short-lived throw-away certificate, no weak protocol", () => {
    // testssl 3.0.8 against lchost sandbox globex's HAProxy gateway (sandbox CA added), 2026-11-28
    const captured = parseTestsslJson(fs.readFileSync(path.join(__dirname, "fixtures", "testssl-sandbox-gateway.json"), "utf8"));
    const got = summarizeTestssl(captured, "globex", "globex.lchost.local:8443 at 127.31.1.2");
    expect(got.map((f) => [f.id, f.severity])).toEqual([
      ["cipherlist_AVERAGE", "low"],
      ["cert_expirationStatus", "high"],
      ["cert_notAfter", "high"],
      ["cert_revocation", "high"],
      ["DNS_CAArecord", "low"],
      ["security_headers", "medium"],
      ["LUCKY13", "low"],
    ]);
    expect(countByCategory(got)).toMatchObject({ certificate: { high: 3, low: 1 }, "cipher suites": { low: 1 }, vulnerability: { low: 1 } });
    expect(got.some((f) => tlsCategory(f.id) === "protocol")).toBe(false);
  });
});
