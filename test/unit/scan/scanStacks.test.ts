import { loadStack } from "../../../model/stackFile";
import type { Plan } from "../../../planner/mockPlanner";
import { gatewayOf, imagesOf, scanStacks, ScanTools } from "../../../scan/scanStacks";
import { scanReport, renderScanTable } from "../../../scan/scanReport";
import { failingFindings, Finding, parseSeverity } from "../../../scan/severity";

const plan = (images: string[]): Plan =>
  ({
    stack: "x",
    resources: images.map((image, i) => ({ type: "docker:index/container:Container", name: `c${i}`, inputs: { image } })),
    outputs: {},
    millis: 0,
  }) as unknown as Plan;

const finding = (severity: Finding["severity"]): Finding => ({ stack: "globex", source: "tls", severity, id: "x", target: "t", message: "m" });

/** Tools that answer from fixtures and record what they were asked. */
function fakeTools(over: Partial<ScanTools> = {}): ScanTools & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    plan: async (s) => plan(s.stackName === "globex" ? ["lchost/mariadb:dev", "lchost/haproxy:dev"] : ["lchost/haproxy:dev"]),
    testssl: async (t) => (
      asked.push(`testssl ${t.ip ?? t.host}:${t.port} sni ${t.host}`),
      { entries: [{ id: "TLS1", severity: "LOW", finding: "offered (deprecated)" }] }
    ),
    imageUpdates: async (image) => (
      asked.push(`image ${image}`),
      image.includes("haproxy")
        ? { updates: [{ package: "libssl3", installed: "3.0.20", candidate: "3.0.22", suite: "Debian-Security:12/oldstable-security" }] }
        : { problem: "docker run failed (exit 1): Cannot connect to the Docker daemon" }
    ),
    policies: async () => [{ policy: "entry-point-timeouts", enforcementLevel: "mandatory", message: "no timeout", resource: "urn:x" }],
    ...over,
  };
}

describe("severity threshold", () => {
  it("fails on findings at or above the threshold only", () => {
    const all = [finding("low"), finding("medium"), finding("high")];
    expect(failingFindings(all, "high").map((f) => f.severity)).toEqual(["high"]);
    expect(failingFindings(all, "medium").map((f) => f.severity)).toEqual(["medium", "high"]);
    expect(failingFindings([finding("critical")], "high")).toHaveLength(1);
    expect(failingFindings([finding("info")], "low")).toHaveLength(0);
  });

  it("fails on unknown findings (nothing could be checked) only when asked to", () => {
    expect(failingFindings([finding("unknown")], "low")).toHaveLength(0);
    expect(failingFindings([finding("unknown")], "critical", { failOnUnknown: true })).toHaveLength(1);
  });

  it("refuses a threshold that is not a severity, naming the flag and the allowed values", () => {
    expect(() => parseSeverity("severe")).toThrow("--fail-on: 'severe' is not a severity; allowed: info, low, medium, high, critical");
    expect(parseSeverity(" HIGH ")).toBe("high");
  });
});

describe("lchost scan use case", () => {
  it("scans the published gateway name on lchost:httpsPort, or a given address with that name as SNI", () => {
    const globex = loadStack("globex");
    const cfg = globex.config as { customer: string; domain: string; httpsPort: number };
    expect(gatewayOf(globex)).toEqual({ host: `${cfg.customer}.${cfg.domain}`, port: cfg.httpsPort });
    expect(gatewayOf(globex, { host: "127.9.1.4", port: 8443 })).toEqual({ host: `${cfg.customer}.${cfg.domain}`, port: 8443, ip: "127.9.1.4" });
  });

  it("lists each image of a plan once", () => {
    expect(imagesOf(plan(["b", "a", "b"]))).toEqual(["a", "b"]);
  });

  it("reports TLS, image and policy findings per stack, scanning an image shared by stacks once", async () => {
    const tools = fakeTools();
    const findings = await scanStacks([loadStack("globex"), loadStack("hooli")], tools);
    expect(tools.asked.filter((a) => a.startsWith("image"))).toEqual(["image lchost/haproxy:dev", "image lchost/mariadb:dev"]);
    const globex = findings.filter((f) => f.stack === "globex");
    expect(globex.map((f) => [f.source, f.severity, f.id])).toEqual([
      ["tls", "low", "TLS1"],
      ["image", "high", "libssl3"],
      ["image", "unknown", "image-scan"],
      ["policy", "high", "entry-point-timeouts"],
    ]);
    expect(globex.find((f) => f.severity === "unknown")!.message).toMatch(/Cannot connect to the Docker daemon/);
    expect(findings.filter((f) => f.stack === "hooli" && f.source === "image")).toHaveLength(1);
  });

  it("turns a testssl that could not run into an unknown finding instead of failing the scan", async () => {
    const findings = await scanStacks(
      [loadStack("globex")],
      fakeTools({ testssl: async () => ({ problem: "testssl.sh is not installed (apt-get install -y testssl.sh)" }) }),
      { parts: ["tls"] },
    );
    expect(findings).toEqual([expect.objectContaining({ source: "tls", severity: "unknown", id: "testssl", message: expect.stringMatching(/not installed/) })]);
  });

  it("runs only the parts asked for", async () => {
    const tools = fakeTools({
      plan: async () => {
        throw new Error("planned although only tls was asked for");
      },
    });
    await expect(scanStacks([loadStack("globex")], tools, { parts: ["tls"] })).resolves.toHaveLength(1);
  });

  it("reports counts and fails at the threshold; the table lists the worst first", async () => {
    const findings = await scanStacks([loadStack("globex")], fakeTools());
    const atHigh = scanReport(findings, "high");
    expect(atHigh.failed).toBe(true);
    expect(atHigh.counts).toMatchObject({ low: 1, high: 2, unknown: 1 });
    expect(
      scanReport(
        findings.filter((f) => f.severity !== "high"),
        "high",
      ).failed,
    ).toBe(false);
    const table = renderScanTable(atHigh);
    expect(table[0]).toMatch(/^severity\s+stack\s+source\s+target\s+finding$/);
    expect(table[1]).toMatch(/^high/);
    expect(table[table.length - 1]).toBe("1 low, 2 high, 1 unknown; fails at high: FAILED");
  });
});
