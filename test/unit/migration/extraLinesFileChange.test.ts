/** lchost:extraLines written into a stack file as a splice: every other byte stays as the operator wrote it. */
import * as fs from "fs";
import * as path from "path";
import { changeExtraLines } from "../../../migration/extraLinesFileChange";

const file = path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml");
const original = fs.readFileSync(file, "utf8");
const until = new Date("2026-12-01T18:00:00Z");
const since = new Date("2026-11-28T12:00:00Z");

describe("changeExtraLines", () => {
  test("adds one line after lchost:lines and changes nothing else (flow maps, comments, quoting kept)", () => {
    const c = changeExtraLines(original, file, { count: 2, until, since });
    expect(c.problems).toEqual([]);
    const added = '  lchost:extraLines: { count: 2, until: "2026-12-01T18:00:00Z", since: "2026-11-28T12:00:00Z" }\n';
    expect(c.text).toBe(original.replace("  lchost:lines: 3\n", `  lchost:lines: 3\n${added}`));
    expect(c.stack?.config).toMatchObject({ lines: 3, extraLines: { count: 2, until: "2026-12-01T18:00:00Z" } });
  });

  test("replaces a present entry where it stands, and removing it gives the original bytes back", () => {
    const two = changeExtraLines(original, file, { count: 2, until, since }).text;
    const three = changeExtraLines(two, file, { count: 3, until: new Date("2026-12-02T00:00:00Z"), since }).text;
    expect(three).toBe(two.replace('count: 2, until: "2026-12-01T18:00:00Z"', 'count: 3, until: "2026-12-02T00:00:00Z"'));
    expect(changeExtraLines(three, file, undefined).text).toBe(original);
  });

  test("a block-style entry written by hand is replaced whole", () => {
    const hand = original.replace("  lchost:lines: 3\n", "  lchost:lines: 3\n  lchost:extraLines:\n    count: 1 # peak\n    until: 2026-12-01T18:00:00Z\n");
    expect(changeExtraLines(hand, file, undefined).text).toBe(original);
  });

  test("removing from a file without the key changes nothing", () => {
    expect(changeExtraLines(original, file, undefined).text).toBe(original);
  });

  test("a file without lchost:lines gets the entry last in config:", () => {
    const noLines = original.replace("  lchost:lines: 3\n", "");
    const c = changeExtraLines(noLines, file, { count: 1, until });
    expect(c.text.endsWith('  lchost:extraLines: { count: 1, until: "2026-12-01T18:00:00Z" }\n')).toBe(true);
    expect(c.text.startsWith(noLines)).toBe(true);
  });

  test("the changed file is validated: problems name the key", () => {
    const c = changeExtraLines(original, file, { count: 14, until });
    expect(c.problems).toContain("lchost:extraLines.count: 3 booked + 14 extra lines exceed the 16 lines a High Availability customer may run");
    expect(c.stack).toBeUndefined();
  });

  test("a flow-style config: map is refused rather than rewritten", () => {
    expect(() => changeExtraLines('config: { "lchost:customer": wayne }\n', file, { count: 1, until })).toThrow(/config: must be a block map/);
  });
});
