/** What a fleet run prints: the plain lines, the live frame and its redraw, the summary table, the verdict. */
import { countsLine, cut, formatDuration, liveLines, plainLine, printable, redraw, summaryTable, verdictLine } from "../../../fleet/run/progressRender";

const counts = { waiting: 4, running: 2, succeeded: 3, failed: 1, skipped: 0 };

test("durations: tenths under a minute, then minutes and seconds, then hours and minutes", () => {
  expect([formatDuration(8149), formatDuration(59_940), formatDuration(65_000), formatDuration(3_720_000)]).toEqual(["8.1s", "59.9s", "1m05s", "1h02m"]);
});

test("plain lines carry the time since the run started", () => {
  expect(plainLine({ kind: "started", name: "acme" }, 12_340)).toBe("[12.3s] acme: started");
  expect(plainLine({ kind: "succeeded", name: "acme", ms: 8100 }, 20_400)).toBe("[20.4s] acme: succeeded in 8.1s");
  expect(plainLine({ kind: "failed", name: "acme", ms: 3000, reason: "image missing (exit 4)" }, 5000)).toBe(
    "[5.0s] acme: failed after 3.0s: image missing (exit 4)",
  );
  expect(plainLine({ kind: "skipped", name: "globex", reason: "dependency failed: shared-1" }, 5000)).toBe(
    "[5.0s] globex: skipped (dependency failed: shared-1)",
  );
});

test("the live frame: one line per running stack with its elapsed time and last log line cut to the width, then the counts", () => {
  const lines = liveLines(
    {
      now: 100_000,
      runStartedAt: 38_000,
      running: [
        { name: "acme", startedAt: 87_700, lastLine: "\x1b[32mcreating container lc-acme-line-1\x1b[0m\twaiting for health" },
        { name: "shared-dc1", startedAt: 99_000, lastLine: "" },
      ],
      counts,
    },
    50,
  );
  expect(lines).toEqual(["acme        12.3s  creating container lc-acme-lin…", "shared-dc1   1.0s  ", "done 3, failed 1, skipped 0, running 2, waiting 4…"]);
  expect(lines.every((l) => l.length <= 50)).toBe(true);
  expect(countsLine(counts, 62_000)).toBe("done 3, failed 1, skipped 0, running 2, waiting 4; 1m02s");
});

test("the redraw moves up over the previous frame and clears it; the first frame moves nowhere", () => {
  expect(redraw(0, ["a", "b"])).toBe("\r\x1b[Ja\nb\n");
  expect(redraw(2, ["c"])).toBe("\x1b[2A\r\x1b[Jc\n");
});

test("log lines lose escape sequences and control characters; cut lines end with an ellipsis", () => {
  expect(printable("\x1b[1;31merror\x1b[0m: \x07bad\r")).toBe("error: bad");
  expect(cut("abcdef", 4)).toBe("abc…");
  expect(cut("abc", 4)).toBe("abc");
  expect(cut("abc", 0)).toBe("");
});

test("the summary table: stack, edition, host, result, time, log; a skipped stack has no log; the verdict names the failed and skipped", () => {
  const rows = [
    {
      name: "shared-1",
      edition: "shared-server",
      hosts: ["h1"],
      status: "failed" as const,
      reason: "image missing (exit 4)",
      seconds: 3.2,
      log: ".fleet/r/shared-1.log",
    },
    { name: "acme", edition: "datacenter", hosts: ["h1"], status: "skipped" as const, reason: "dependency failed: shared-1", log: ".fleet/r/acme.log" },
    { name: "wayne", edition: "high-availability", hosts: ["h1", "h2", "h3"], status: "succeeded" as const, seconds: 75, log: ".fleet/r/wayne.log" },
    { name: "hooli", edition: "dedicated", hosts: [], status: "succeeded" as const, earlier: true, seconds: 9, log: ".fleet/r/hooli.log" },
  ];
  expect(summaryTable(rows).split("\n")).toEqual([
    "STACK     EDITION            HOST      RESULT                                TIME   LOG",
    "shared-1  shared-server      h1        failed: image missing (exit 4)        3.2s   .fleet/r/shared-1.log",
    "acme      datacenter         h1        skipped: dependency failed: shared-1  -      -",
    "wayne     high-availability  h1,h2,h3  succeeded                             1m15s  .fleet/r/wayne.log",
    "hooli     dedicated          -         succeeded (earlier attempt)           -      .fleet/r/hooli.log",
  ]);
  expect(verdictLine(rows, "up")).toBe("fleet up: 2 of 4 stack(s) succeeded; failed: shared-1; skipped: acme");
  expect(verdictLine(rows.slice(2), "up")).toBe("fleet up: all 2 stack(s) succeeded");
});
