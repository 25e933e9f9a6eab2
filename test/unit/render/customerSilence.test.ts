import { customerSilence } from "../../../render/alertmanager/silence";

const ok = () => ({ customer: "wayne", from: "2026-12-01T22:00:00Z", to: "2026-12-01T23:30:00+01:00", reason: "edition change", createdBy: "lchost migrate" });

describe("customerSilence", () => {
  it("matches exactly the customer's label over the window, times in UTC", () => {
    expect(customerSilence(ok())).toEqual({
      matchers: [{ name: "customer", value: "wayne", isRegex: false, isEqual: true }],
      startsAt: "2026-12-01T22:00:00.000Z",
      endsAt: "2026-12-01T22:30:00.000Z",
      createdBy: "lchost migrate",
      comment: "edition change",
    });
  });

  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    ["a time without zone", { from: "2026-12-01T22:00:00" }, /from: '2026-12-01T22:00:00' is not an ISO 8601 time with a zone/],
    ["a date that does not exist", { to: "2026-13-01T22:00:00Z" }, /to: '2026-13-01T22:00:00Z' is not an ISO 8601 time/],
    ["an end before the start", { to: "2026-12-01T21:00:00Z" }, /to: '2026-12-01T21:00:00Z' must be after from/],
    ["an empty reason", { reason: "  " }, /reason: required/],
    ["a customer pattern instead of a name", { customer: "way.*" }, /customer: 'way\.\*' is not a customer's DNS label/],
  ];
  it.each(refusals)("refuses %s, naming the field", (_what, change, message) => {
    expect(() => customerSilence({ ...ok(), ...change })).toThrow(message);
  });
});
