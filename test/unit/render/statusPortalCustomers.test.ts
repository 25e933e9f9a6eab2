import { loadFleet } from "../../../model/fleet";
import { stacksDir } from "../../../model/stackFile";
import { portalParts, renderPortalCustomers } from "../../../render/statusPortal/customersFile";
import { parsePortalCustomersJson } from "../../../status-portal/src/env";

const HASH = `scrypt$32768$8$1$${"A".repeat(24)}$${"B".repeat(44)}`;

describe("the status portal's customers file from the example fleet", () => {
  const fleet = loadFleet(stacksDir());
  const byName = (n: string) => fleet.customers.find((c) => c.customer === n)!;

  test("each edition's parts as its customers' pages list them", () => {
    expect(portalParts(byName("wayne"))).toEqual(["entry", "line-1", "line-2", "line-3", "database", "fsb-1", "fsb-2", "fsb-3"]);
    expect(portalParts(byName("hooli"))).toEqual(["entry", "line-1", "database", "fsb-1"]);
    // a Dedicated Server signs with the team's shared FSB, a tenant with its shared server's: one shared "fsb"
    expect(portalParts(byName("globex"))).toEqual(["entry", "line-1", "database", "fsb"]);
    expect(portalParts(byName("acme"))).toEqual(["entry", "line-1", "database", "fsb"]);
  });

  test("the guarantee is the catalog's availability; the file passes the portal's own parser", () => {
    const text = renderPortalCustomers(fleet, () => HASH);
    const parsed = parsePortalCustomersJson(text);
    expect(parsed.customers.wayne).toMatchObject({ edition: "high-availability", guaranteePercent: 99.9, timeZone: "Europe/Berlin", passwordHash: HASH });
    expect(parsed.customers.globex.guaranteePercent).toBe(99.5);
    expect(Object.keys(parsed.customers).sort()).toEqual(fleet.customers.map((c) => c.customer).sort());
  });

  test("a hash the portal would refuse is refused at render time, naming the customer", () => {
    expect(() => renderPortalCustomers(fleet, () => "plain-password")).toThrow(/customers\.\w+\.passwordHash/);
  });
});
