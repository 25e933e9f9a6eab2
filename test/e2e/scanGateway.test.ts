/**
 * lchost scan's TLS part for real: testssl.sh against a running sandbox's HAProxy gateway (the stack's
 * published name as SNI, the sandbox CA trusted), summarised into findings.
 */
import { spawnSync } from "child_process";
import { loadStack } from "../../model/stackFile";
import { runTestssl } from "../../scan/testsslRun";
import { scanStacks } from "../../scan/scanStacks";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";

jest.setTimeout(900_000); // testssl alone takes a minute or more on a loaded 2-core machine

const haveTestssl = spawnSync("sh", ["-c", "command -v testssl || command -v testssl.sh"]).status === 0;
// outside CI a machine without the Debian package skips this, saying so; in CI it must run
if (!haveTestssl && process.env.CI) throw new Error("testssl.sh is not installed: apt-get install -y testssl.sh");
if (!haveTestssl) process.stdout.write("scanGateway: skipped — testssl.sh is not installed (apt-get install -y testssl.sh)\n");

(haveTestssl ? describe : describe.skip)("lchost scan against a sandbox gateway (testssl.sh)", () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox({ stacks: ["globex"], name: `e2e-scan-${process.pid}`, removeOnStop: true, serviceLogLevel: "warn" });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("scans the gateway: no protocol below TLS 1.2 offered, every finding with a severity", async () => {
    const gw = sb.endpoints.globex.gateway!;
    const unexpected = async () => {
      throw new Error("only the TLS part was asked for");
    };
    const findings = await scanStacks(
      [loadStack("globex")],
      { testssl: (t) => runTestssl(t, { timeoutMs: 800_000 }), plan: unexpected, imageUpdates: unexpected, policies: unexpected },
      {
        parts: ["tls"],
        address: { host: gw.address, port: gw.port },
        caFile: sb.tls.caCert,
      },
    );
    expect(findings.filter((f) => f.id === "testssl")).toEqual([]); // testssl ran and wrote its result
    expect(findings.every((f) => f.stack === "globex" && f.source === "tls" && f.target === `${gw.host}:${gw.port} at ${gw.address}`)).toBe(true);
    expect(findings.filter((f) => ["SSLv2", "SSLv3", "TLS1", "TLS1_1"].includes(f.id))).toEqual([]);
  });
});
