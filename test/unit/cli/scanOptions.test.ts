import { runCommand } from "../../../cli/args";
import { ScanCommandOptions, scanOptionsOf, scanSpec } from "../../../cli/commands/scan";
import { UsageError } from "../../../cli/errors";

/** The options `lchost scan <argv>` would run with, parsed by the command's own commander spec. */
async function optionsOf(argv: string[]): Promise<ScanCommandOptions> {
  let options: ScanCommandOptions | undefined;
  await runCommand({ ...scanSpec, run: async (parsed) => ((options = scanOptionsOf(parsed)), 0) }, argv, () => undefined);
  if (!options) throw new Error("not run");
  return options;
}

describe("lchost scan arguments", () => {
  it("scans one stack with every part, failing at high by default", async () => {
    const o = await optionsOf(["globex"]);
    expect(o.stacks.map((s) => s.stackName)).toEqual(["globex"]);
    expect(o).toMatchObject({ parts: ["tls", "images", "policies"], failOn: "high", failOnUnknown: false, json: false, address: undefined });
  });

  it("takes a sandbox gateway address, a threshold, parts to skip and --all", async () => {
    expect(await optionsOf(["globex", "--address", "127.9.1.4:8443", "--fail-on", "medium", "--skip", "images,policies", "--json"])).toMatchObject({
      address: { host: "127.9.1.4", port: 8443 },
      failOn: "medium",
      parts: ["tls"],
      json: true,
    });
    expect((await optionsOf(["--all"])).stacks.length).toBeGreaterThan(3);
  });

  it.each([
    [["globex", "--fail-on", "severe"], /--fail-on: 'severe' is not a severity/],
    [["globex", "--address", "127.9.1.4"], /--address: '127.9.1.4' is not host:port/],
    [["globex", "--address", "h:70000"], /--address: 'h:70000' is not host:port/],
    [["globex", "--skip", "tls,dns"], /--skip: 'dns' is not a part of the scan; allowed: tls, images, policies/],
    [["--all", "globex"], /--all scans every stack/],
    [["--all", "--address", "127.0.0.1:443"], /--address names one gateway/],
    [["globex", "--ca-file", "/nonexistent/ca.crt"], /--ca-file: \/nonexistent\/ca.crt does not exist/],
  ])("refuses %j naming the flag", async (argv, message) => {
    await expect(optionsOf(argv as string[])).rejects.toThrow(UsageError);
    await expect(optionsOf(argv as string[])).rejects.toThrow(message as RegExp);
  });
});
