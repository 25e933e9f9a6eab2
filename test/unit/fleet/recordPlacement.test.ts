/** What --write does to a stack file's text: only the placement's keys change. */
import { withConfigKeys } from "../../../fleet/placeStacks";

describe("recording keys in a stack file's text", () => {
  it("replaces a key's value where it stands, keeping its comment", () => {
    const text = "config:\n  lchost:host: h1 # moved in 2026\n  lchost:customer: acme\n";
    expect(withConfigKeys(text, [["lchost:host", "h3"]], "acme")).toBe("config:\n  lchost:host: h3 # moved in 2026\n  lchost:customer: acme\n");
  });

  it("adds new keys as the last lines of the config map, at its indentation, before what follows the map", () => {
    const text =
      "# head\nconfig:\n    lchost:customer: acme\n    lchost:connection:\n      ipAllowList: [192.0.2.0/24]\n# tail comment\nsecretsprovider: passphrase\n";
    expect(
      withConfigKeys(
        text,
        [
          ["lchost:host", "h2"],
          ["docker:host", "ssh://deploy@10.0.0.2"],
        ],
        "acme",
      ),
    ).toBe(
      "# head\nconfig:\n    lchost:customer: acme\n    lchost:connection:\n      ipAllowList: [192.0.2.0/24]\n    lchost:host: h2\n    docker:host: ssh://deploy@10.0.0.2\n# tail comment\nsecretsprovider: passphrase\n",
    );
  });

  it("handles a file without a final newline, and writes host lists inline", () => {
    expect(withConfigKeys("config:\n  lchost:customer: wayne", [["lchost:hosts", ["h1", "h2", "h3"]]], "wayne")).toBe(
      "config:\n  lchost:customer: wayne\n  lchost:hosts: [h1, h2, h3]\n",
    );
  });

  it("refuses a file that is not YAML, naming the stack", () => {
    expect(() => withConfigKeys("config: [", [["lchost:host", "h1"]], "acme")).toThrow(/^acme: not valid YAML/);
  });
});
