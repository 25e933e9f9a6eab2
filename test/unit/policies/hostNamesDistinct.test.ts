import * as fs from "fs";
import { loadStackFile, stackFilePath, stacksDir } from "../../../model/stackFile";
import { claimedHostNames, HOST_NAMES_DISTINCT, hostNamesDistinct } from "../../../policies/fleet/hostNamesDistinct";
import { datacenterValues, dedicatedValues, parse, sharedValues } from "../stackFixtures";

const stack = (stackName: string, values: Record<string, unknown>) => ({ stackName, config: parse(values, stackName) });

describe("host-names-distinct (fleet-wide)", () => {
  it("the example stacks each claim their own host name", () => {
    const stacks = fs
      .readdirSync(stacksDir())
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map((s) => loadStackFile(stackFilePath(s)));
    expect(hostNamesDistinct(stacks)).toEqual([]);
    expect(claimedHostNames(stacks).find((c) => c.customer === "acme")?.hostName).toBe("acme.dc1.lchost.local");
  });

  it("names both stacks when two customers claim the same host name", () => {
    const v = hostNamesDistinct([stack("globex", dedicatedValues()), stack("globex-copy", { ...dedicatedValues() })]);
    expect(v).toEqual([
      {
        policy: HOST_NAMES_DISTINCT,
        enforcementLevel: "mandatory",
        resource: "globex-copy",
        message:
          "stack globex-copy (customer 'globex') and stack globex (customer 'globex') both claim the host name globex.lchost.local; each customer needs its own (lchost:customer, lchost:domain)",
      },
    ]);
  });

  it("sees a tenant under its shared server's domain, so a Dedicated Server there collides with it", () => {
    const stacks = [
      stack("shared-dc1", sharedValues()),
      stack("acme", datacenterValues()),
      stack("acme-dedicated", { ...dedicatedValues(), customer: "acme", domain: "dc1.lchost.local" }),
    ];
    expect(hostNamesDistinct(stacks).map((x) => x.message)).toEqual([expect.stringContaining("both claim the host name acme.dc1.lchost.local")]);
    // the same customer under another domain is another host name
    expect(hostNamesDistinct([stacks[0], stacks[1], stack("acme-dedicated", { ...dedicatedValues(), customer: "acme" })])).toEqual([]);
  });
});
