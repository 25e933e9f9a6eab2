import { dueExtraLines, nextExtraLinesDeadline, StackLines } from "../../../heal/extraLinesExpiry";

const now = new Date("2026-11-28T12:00:00Z");
const stack = (name: string, until?: string): StackLines => ({
  stackName: name,
  customer: name,
  bookedLines: 2,
  ...(until ? { extraLines: { count: 2, until } } : {}),
});

describe("which stacks' extra lines are due", () => {
  test("due at or after the deadline, the longest overdue first; stacks without extra lines or ahead of it are not", () => {
    const due = dueExtraLines(
      [
        stack("a", "2026-11-28T11:00:00Z"),
        stack("b"),
        stack("c", "2026-11-28T12:00:00Z"),
        stack("d", "2026-11-28T12:00:01Z"),
        stack("e", "2026-11-27T00:00:00Z"),
      ],
      now,
    );
    expect(due.map((d) => [d.stackName, d.lateMs])).toEqual([
      ["e", 36 * 3_600_000],
      ["a", 3_600_000],
      ["c", 0],
    ]);
  });

  test("the next deadline ahead, for a timer", () => {
    expect(
      nextExtraLinesDeadline([stack("a", "2026-11-28T11:00:00Z"), stack("d", "2026-11-28T13:00:00Z"), stack("f", "2026-11-28T12:30:00Z")], now)?.toISOString(),
    ).toBe("2026-11-28T12:30:00.000Z");
    expect(nextExtraLinesDeadline([stack("b")], now)).toBeUndefined();
  });
});
