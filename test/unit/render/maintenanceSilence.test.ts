import { customerMatchers, maintenanceSilence, parseIsoTime, SilenceInputError } from "../../../render/alertmanager/maintenanceSilence";

const now = new Date("2026-11-28T08:00:00Z");
const happy = () => ({
  stack: { kind: "customer" as const, customer: "wayne" },
  from: new Date("2026-11-28T22:00:00Z"),
  to: new Date("2026-11-28T23:30:00Z"),
  reason: "  MariaDB minor upgrade ",
  now,
});

describe("the maintenance silence of a stack", () => {
  test('a customer\'s silence matches customer="<stack>", is created by lchost and carries the reason as comment', () => {
    expect(maintenanceSilence(happy())).toEqual({
      matchers: [{ name: "customer", value: "wayne", isRegex: false, isEqual: true }],
      startsAt: new Date("2026-11-28T22:00:00Z"),
      endsAt: new Date("2026-11-28T23:30:00Z"),
      createdBy: "lchost",
      comment: "MariaDB minor upgrade",
    });
  });

  test("a shared server's silence covers every tenant with one anchored regex matcher", () => {
    expect(customerMatchers({ kind: "shared-server", name: "shared-dc1", tenants: ["acme", "initech"] })).toEqual([
      { name: "customer", value: "acme|initech", isRegex: true, isEqual: true },
    ]);
  });

  test("a shared server with one tenant gets an exact matcher", () => {
    expect(customerMatchers({ kind: "shared-server", name: "s", tenants: ["acme"] })).toEqual([
      { name: "customer", value: "acme", isRegex: false, isEqual: true },
    ]);
  });

  test("a shared server without tenants is refused (an empty regex would silence nothing or everything)", () => {
    expect(() => customerMatchers({ kind: "shared-server", name: "s", tenants: [] })).toThrow("lchost:tenants: shared server 's' has no tenants");
  });

  test("--to at or before --from is refused naming --to", () => {
    expect(() => maintenanceSilence({ ...happy(), to: happy().from })).toThrow("--to: 2026-11-28T22:00:00.000Z must be after --from 2026-11-28T22:00:00.000Z");
  });

  test("a window that is already over is refused naming --to", () => {
    expect(() => maintenanceSilence({ ...happy(), from: new Date("2026-11-27T01:00:00Z"), to: new Date("2026-11-27T02:00:00Z") })).toThrow(
      /^--to: 2026-11-27T02:00:00.000Z is already over/,
    );
  });

  test("an empty reason is refused naming --reason", () => {
    expect(() => maintenanceSilence({ ...happy(), reason: "   " })).toThrow("--reason: must say why");
  });

  test("the flags named in messages can be others (lchost migrate names its own)", () => {
    expect(() => maintenanceSilence({ ...happy(), reason: "", fields: { reason: "migration" } })).toThrow(/^migration: /);
  });
});

describe("ISO 8601 times", () => {
  test.each(["2026-11-28T22:00:00Z", "2026-11-28T23:00+01:00", "2026-11-28T22:00:00.250Z"])("%s is accepted", (v) => {
    expect(parseIsoTime(v, "--from")).toBeInstanceOf(Date);
  });

  test("a time with an offset means that instant", () => {
    expect(parseIsoTime("2026-11-28T23:00+01:00", "--from").toISOString()).toBe("2026-11-28T22:00:00.000Z");
  });

  test.each(["tomorrow", "2026-11-28", "2026-11-28T22:00:00", "2026-13-40T22:00:00Z", ""])("'%s' is refused naming the flag", (v) => {
    const e = (() => {
      try {
        parseIsoTime(v, "--from");
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SilenceInputError);
    expect((e as Error).message).toMatch(/^--from: '.*' is not an ISO 8601 time with a time zone/);
  });
});
