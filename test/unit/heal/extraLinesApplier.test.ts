/**
 * The extra-lines use cases (heal/extraLinesApplier.ts) and `lchost lines` on a copy of the stacks directory,
 * with a recording LineControl in place of a runtime.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { linePlan } from "../../../model/extraLines";
import { parseStackFileText } from "../../../model/stackFile";
import { CustomerConfig } from "../../../model/stackConfig";
import { addExtraLines, expireDueExtraLines, removeExtraLines } from "../../../heal/extraLinesApplier";
import { LineControl } from "../../../heal/seams/lines";
import { linesSpec } from "../../../cli/commands/lines";
import { runCommand } from "../../../cli/args";
import { runLchost } from "../../support/cliRun";

const STACKS = path.join(__dirname, "../../../stacks");
const now = new Date("2026-11-28T12:00:00Z");
let dir: string;
const file = (s: string) => path.join(dir, `Pulumi.${s}.yaml`);
const read = (s: string) => fs.readFileSync(file(s), "utf8");
const linesOf = (s: string, at = now) => linePlan(parseStackFileText(read(s), file(s)).config as CustomerConfig, at);

/** A runtime that records the lines each apply found in the file, and fails the first `failures` applies. */
function recordingLines(failures = 0): LineControl & { applied: number[] } {
  const applied: number[] = [];
  return {
    runtime: "sandbox",
    applied,
    stackFileOf: (customer) => (customer === "wayne" ? file("wayne") : undefined),
    apply: async (f) => {
      applied.push(linePlan(parseStackFileText(fs.readFileSync(f, "utf8"), f).config as CustomerConfig, now).total);
      if (applied.length <= failures) throw new Error("line 4 did not get ready");
      return { added: [], removed: [], reloaded: [] };
    },
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ln-stacks-"));
  for (const s of ["wayne", "globex"]) fs.copyFileSync(path.join(STACKS, `Pulumi.${s}.yaml`), file(s));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("adding and removing extra lines", () => {
  test("--add writes the stack file, then applies it: 3 booked + 2 extra", async () => {
    const lines = recordingLines();
    const r = await addExtraLines({ stackFile: file("wayne"), now, add: 2, until: new Date("2026-11-28T14:00:00Z"), lines });
    expect(r).toMatchObject({ before: 0, after: 2 });
    expect(linesOf("wayne")).toMatchObject({ booked: 3, extra: 2 });
    expect(lines.applied).toEqual([5]);
    await removeExtraLines({ stackFile: file("wayne"), now, lines });
    expect(read("wayne")).toBe(fs.readFileSync(path.join(STACKS, "Pulumi.wayne.yaml"), "utf8"));
    expect(lines.applied).toEqual([5, 3]);
  });

  test("a runtime that fails to apply gets the former file back and applied again, and says so", async () => {
    const lines = recordingLines(1);
    const before = read("wayne");
    await expect(addExtraLines({ stackFile: file("wayne"), now, add: 1, until: new Date("2026-11-28T14:00:00Z"), lines })).rejects.toMatchObject({
      name: "ExtraLinesNotApplied",
      leftAsBefore: true,
      message: expect.stringContaining("line 4 did not get ready; the stack file and the running lines are as before"),
    });
    expect(read("wayne")).toBe(before);
    expect(lines.applied).toEqual([4, 3]);
  });

  test("expiry removes only the due extra lines, through the runtime that runs the customer", async () => {
    const lines = recordingLines();
    await addExtraLines({ stackFile: file("wayne"), now, add: 2, until: new Date("2026-11-28T12:00:40Z") });
    expect((await expireDueExtraLines({ stacksDir: dir, now, lines })).expired).toEqual([]);
    const r = await expireDueExtraLines({ stacksDir: dir, now: new Date("2026-11-28T12:00:40Z"), lines });
    expect(r.expired.map((e) => [e.stackName, e.count])).toEqual([["wayne", 2]]);
    expect(linesOf("wayne")).toMatchObject({ extra: 0, total: 3 });
    expect(lines.applied).toEqual([3]);
  });
});

describe("lchost lines", () => {
  const lchost = (...argv: string[]) => {
    const out: string[] = [];
    return runCommand(linesSpec, argv, (s) => out.push(s), { now: () => now }).then(
      (code) => ({ code, out: out.join("\n"), err: "" }),
      (e) => ({ code: -1, out: out.join("\n"), err: String(e.message) }),
    );
  };

  test.each([
    ["--until in the past", ["wayne", "--add", "2", "--until", "2026-11-28T11:00:00Z"], /^--until: 2026-11-28T11:00:00.000Z is not in the future/],
    ["a zoneless --until", ["wayne", "--add", "2", "--until", "2026-11-28T18:00:00"], /^--until: not a date/],
    [
      "--add on a non-HA edition",
      ["globex", "--add", "1", "--until", "+2h"],
      /^--add: extra lines are for high-availability customers only \(this stack is dedicated/,
    ],
  ])("refuses %s naming the flag; nothing written", async (_what, argv, message) => {
    const before = [read("wayne"), read("globex")];
    const r = await lchost(...argv, "--stacks-dir", dir);
    expect(r.err).toMatch(message);
    expect([read("wayne"), read("globex")]).toEqual(before);
  });

  test("refuses more extra lines than lchost:autoscale.maxExtraLines, naming --add; nothing written", async () => {
    fs.writeFileSync(file("wayne"), read("wayne").replace("  lchost:lines: 3\n", "  lchost:lines: 3\n  lchost:autoscale: { maxExtraLines: 1 }\n"));
    const before = read("wayne");
    const r = await lchost("wayne", "--add", "2", "--until", "+2min", "--stacks-dir", dir);
    expect(r.err).toMatch(/^--add: 0 extra line\(s\) run already; 2 would exceed lchost:autoscale.maxExtraLines \(1\)/);
    expect(read("wayne")).toBe(before);
  });

  test("the refusals exit 2 through the command line, on stderr", async () => {
    const r = await runLchost("lines", "wayne", "--add", "2", "--until", "2000-01-01T00:00:00Z", "--stacks-dir", dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--until: 2000-01-01T00:00:00.000Z is not in the future");
  });

  test("--add --until +2min writes the stack file only (no --target), --remove takes it out again", async () => {
    const r = await lchost("wayne", "--add", "2", "--until", "+2min", "--stacks-dir", dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("wayne: 0 -> 2 extra line(s) until 2026-11-28T12:02:00.000Z; stack file written");
    expect(read("wayne")).toContain('  lchost:extraLines: { count: 2, until: "2026-11-28T12:02:00Z", since: "2026-11-28T12:00:00Z" }\n');
    expect((await lchost("wayne", "--remove", "--stacks-dir", dir)).code).toBe(0);
    expect(read("wayne")).toBe(fs.readFileSync(path.join(STACKS, "Pulumi.wayne.yaml"), "utf8"));
  });

  test("--expire removes due extra lines in every stack of --stacks-dir", async () => {
    await lchost("wayne", "--add", "1", "--until", "+40s", "--stacks-dir", dir);
    const early = await lchost("--expire", "--stacks-dir", dir);
    expect(early.out).toBe("no extra lines are due");
    const out: string[] = [];
    const code = await runCommand(linesSpec, ["--expire", "--stacks-dir", dir], (s) => out.push(s), { now: () => new Date(now.getTime() + 40_000) });
    expect(code).toBe(0);
    expect(out.join("\n")).toContain("expired: wayne (1 line(s), due 2026-11-28T12:00:40.000Z)");
    expect(read("wayne")).not.toContain("lchost:extraLines");
  });

  test("usage: one of --add, --remove, --expire; --until needs --add; --target docker only for a stack lchost up deployed there", async () => {
    expect((await lchost("wayne", "--stacks-dir", dir)).err).toMatch(/give exactly one of --add, --remove, --expire/);
    expect((await lchost("wayne", "--add", "1", "--stacks-dir", dir)).err).toMatch(/--until: required with --add/);
    expect((await lchost("wayne", "--remove", "--until", "+2h", "--stacks-dir", dir)).err).toMatch(/--until: only with --add/);
    expect((await lchost("wayne", "--remove", "--target", "kubernetes", "--stacks-dir", dir)).err).toMatch(/--target: 'kubernetes' is not offered/);
    const before = read("wayne");
    const docker = await lchost("wayne", "--add", "1", "--until", "+2h", "--target", "docker", "--stacks-dir", dir);
    expect(docker.err).toMatch(/--target docker: wayne was not deployed with 'lchost up wayne --target docker'/);
    expect(read("wayne")).toBe(before);
  });
});
