import { parseArbitrator } from "../../../cli/commands/sandbox";
import { UsageError } from "../../../cli/errors";

describe("lchost sandbox --arbitrator (hosts as namespaces, 2 hosts)", () => {
  it("takes <host name>=<IPv4 address>", () => {
    expect(parseArbitrator("h3=10.20.0.13")).toEqual({ name: "h3", address: "10.20.0.13" });
    expect(parseArbitrator(undefined)).toBeUndefined();
  });

  it("refuses anything else naming the flag", () => {
    for (const bad of ["h3", "H3=10.0.0.1", "h3=10.0.0", "h3=10.0.0.1;rm"]) {
      expect(() => parseArbitrator(bad)).toThrow(UsageError);
      expect(() => parseArbitrator(bad)).toThrow(/^--arbitrator: /);
    }
  });
});
