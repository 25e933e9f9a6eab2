import { UsageError } from "../../../cli/args";
import { scanOptionsOf } from "../../../cli/commands/scan";

describe("lchost scan arguments", () => {
  it("scans one stack with every part, failing at high by default", () => {
    const o = scanOptionsOf(["globex"]);
    expect(o.stacks.map((s) => s.stackName)).toEqual(["globex"]);
    expect(o).toMatchObject({ parts: ["tls", "images", "policies"], failOn: "high", failOnUnknown: false, json: false, address: undefined });
  });

  it("takes a sandbox gateway address, a threshold, parts to skip and --all", () => {
    expect(scanOptionsOf(["globex", "--address", "127.9.1.4:8443", "--fail-on", "medium", "--skip", "images,policies", "--json"])).toMatchObject({
      address: { host: "127.9.1.4", port: 8443 },
      failOn: "medium",
      parts: ["tls"],
      json: true,
    });
    expect(scanOptionsOf(["--all"]).stacks.length).toBeGreaterThan(3);
  });

  it.each([
    [["globex", "--fail-on", "severe"], /--fail-on: 'severe' is not a severity/],
    [["globex", "--address", "127.9.1.4"], /--address: '127.9.1.4' is not host:port/],
    [["globex", "--address", "h:70000"], /--address: 'h:70000' is not host:port/],
    [["globex", "--skip", "tls,dns"], /--skip: 'dns' is not a part of the scan; allowed: tls, images, policies/],
    [["--all", "globex"], /--all scans every stack/],
    [["--all", "--address", "127.0.0.1:443"], /--address names one gateway/],
    [["globex", "--ca-file", "/nonexistent/ca.crt"], /--ca-file: \/nonexistent\/ca.crt does not exist/],
  ])("refuses %j naming the flag", (argv, message) => {
    expect(() => scanOptionsOf(argv as string[])).toThrow(UsageError);
    expect(() => scanOptionsOf(argv as string[])).toThrow(message as RegExp);
  });
});
