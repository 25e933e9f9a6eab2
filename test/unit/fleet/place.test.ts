import { editionCatalog } from "../../../model/catalog";
import { Host } from "../../../model/hosts";
import { PlaceableStack, placeFleet, PlacementError } from "../../../fleet/place";
import { datacenterValues, dedicatedValues, haValues, parse, sharedValues } from "../stackFixtures";

const catalog = editionCatalog();
const host = (name: string, memoryMb: number, role?: string, cpuShares = 65536): Host => ({
  name,
  dockerHost: `ssh://deploy@${name}`,
  address: `10.0.0.${name.replace(/\D/g, "") || 1}`,
  capacity: { memoryMb, cpuShares },
  labels: role ? { role } : {},
});
const stack = (stackName: string, values: Record<string, unknown>): PlaceableStack => ({ stackName, config: parse(values, stackName) });
const dedicated = (name: string, extra: Record<string, unknown> = {}) => stack(name, { ...dedicatedValues(), customer: name, ...extra });
const ha = (name: string, lines = 2, extra: Record<string, unknown> = {}) => stack(name, { ...haValues(), customer: name, lines, ...extra });
const tenant = (name: string, shared = "shared-dc1") => stack(name, { ...datacenterValues(), customer: name, sharedServer: shared });
const shared = (name: string, tenants: string[], extra: Record<string, unknown> = {}) => stack(name, { ...sharedValues(), tenants, ...extra });

const R = catalog.editions;
const headroom = catalog.placement.headroomPercent;

function refusal(f: () => unknown): PlacementError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlacementError) return e;
    throw e;
  }
  throw new Error("expected a PlacementError");
}

describe("fleet placement", () => {
  it("needs the catalog's resources per line and database node, and keeps the catalog's headroom free", () => {
    const p = placeFleet({ hosts: [host("h1", 10_000)], stacks: [dedicated("globex")], catalog });
    expect(p.assignments).toEqual([
      expect.objectContaining({
        stack: "globex",
        customer: "globex",
        hosts: ["h1"],
        source: "placed",
        needs: { memoryMb: 2 * R.dedicated.resources.memoryMb, cpuShares: 2 * R.dedicated.resources.cpuShares },
      }),
    ]);
    expect(p.hosts[0].usable.memoryMb).toBe(Math.floor((10_000 * (100 - headroom)) / 100));
  });

  it("never puts a customer where its need exceeds what is usable after the headroom", () => {
    const need = 2 * R.dedicated.resources.memoryMb;
    // capacity exactly the need: fits only without headroom, so it is refused
    const e = refusal(() => placeFleet({ hosts: [host("h1", need)], stacks: [dedicated("globex")], catalog }));
    expect(e.unplaced).toEqual(["globex"]);
    expect(e.message).toMatch(
      /globex \(dedicated\) needs 2048 MB \/ 2048 CPU shares on one host; no host labelled role: dedicated or without a role has that much left/,
    );
  });

  it("spreads customers: each goes to the host with most free memory", () => {
    const p = placeFleet({ hosts: [host("h1", 20_000), host("h2", 20_000)], stacks: ["a", "b", "c", "d"].map((n) => dedicated(n)), catalog });
    expect(p.assignments.map((a) => [a.stack, a.hosts[0]])).toEqual([
      ["a", "h1"],
      ["b", "h2"],
      ["c", "h1"],
      ["d", "h2"],
    ]);
  });

  it("is deterministic: the same fleet in another order gives the same assignment", () => {
    const hosts = [host("h1", 30_000), host("h2", 30_000), host("h3", 30_000, "dedicated")];
    const hp = stack("c", { ...haValues(), customer: "c", edition: "high-performance", lines: undefined });
    const stacks = [dedicated("a"), ha("b", 3), hp, ha("d"), dedicated("e")];
    const one = placeFleet({ hosts, stacks, catalog });
    const two = placeFleet({ hosts: [...hosts].reverse(), stacks: [...stacks].reverse(), catalog });
    expect(two.assignments).toEqual(one.assignments);
  });

  it("puts a High Availability customer's Galera nodes on distinct hosts and counts each part on its host", () => {
    const p = placeFleet({ hosts: [host("h1", 20_000), host("h2", 20_000), host("h3", 20_000), host("h4", 8_000)], stacks: [ha("wayne", 4)], catalog });
    const a = p.assignments[0];
    expect(new Set(a.parts!.databaseNodes).size).toBe(3);
    expect(a.hosts).toHaveLength(3);
    expect(a.hosts).not.toContain("h4");
    const per = R["high-availability"].resources.memoryMb;
    const used = Object.fromEntries(p.hosts.map((h) => [h.host, h.used.memoryMb]));
    // 4 lines round-robin over 3 hosts + one database node each: 3, 2, 2 sized containers
    expect(Object.values(used).sort((x, y) => y - x)).toEqual([3 * per, 2 * per, 2 * per, 0]);
  });

  it("refuses an HA customer when fewer than three hosts can take its parts, naming it", () => {
    const e = refusal(() => placeFleet({ hosts: [host("h1", 40_000), host("h2", 40_000), host("h3", 2_000)], stacks: [ha("wayne")], catalog }));
    expect(e.unplaced).toEqual(["wayne"]);
    expect(e.message).toMatch(/wayne \(high-availability\) needs 3 distinct hosts/);
  });

  it("puts shared servers on role: shared hosts with all their tenants, and own-server customers elsewhere", () => {
    const p = placeFleet({
      hosts: [host("h1", 40_000, "shared"), host("h2", 40_000, "dedicated")],
      stacks: [shared("shared-dc1", ["acme", "initech"]), tenant("acme"), tenant("initech"), dedicated("globex")],
      catalog,
    });
    expect(p.assignments.map((a) => [a.stack, a.hosts.join(","), a.source])).toEqual([
      ["acme", "h1", "shared-server"],
      ["globex", "h2", "placed"],
      ["initech", "h1", "shared-server"],
      ["shared-dc1", "h1", "placed"],
    ]);
    const h1 = p.hosts.find((h) => h.host === "h1")!;
    expect(h1.used.memoryMb).toBe(catalog.placement.sharedServerResources.memoryMb + 2 * R.datacenter.resources.memoryMb);
  });

  it("keeps the hosts stacks already name and counts them first", () => {
    const p = placeFleet({ hosts: [host("h1", 20_000), host("h2", 20_000)], stacks: [dedicated("a", { host: "h2" }), dedicated("b")], catalog });
    expect(p.assignments.map((a) => [a.stack, a.hosts[0], a.source])).toEqual([
      ["a", "h2", "recorded"],
      ["b", "h1", "placed"],
    ]);
  });

  it("refuses a fleet that does not fit, naming every customer left over (a shared server with its tenants)", () => {
    const e = refusal(() =>
      placeFleet({
        hosts: [host("h1", 3_000, "shared"), host("h2", 6_000, "dedicated")],
        stacks: [shared("shared-dc1", ["acme", "initech"]), tenant("acme"), tenant("initech"), dedicated("a"), dedicated("b"), dedicated("c")],
        catalog,
      }),
    );
    // h2 (4,800 MB usable) takes two Dedicated Servers of 2,048 MB; h1 (2,400 MB usable) not the shared server's 2,048 + 2 x 512 MB
    expect(e.unplaced).toEqual(["acme", "c", "initech", "shared-dc1"]);
    expect(e.message).toMatch(/shared server shared-dc1 with its 2 tenant stack\(s\) needs 3072 MB/);
    expect(e.message).toMatch(/not placed: acme, c, initech, shared-dc1$/);
  });

  it("refuses a host already over capacity by the stacks that name it", () => {
    const e = refusal(() => placeFleet({ hosts: [host("h1", 4_000)], stacks: [dedicated("a", { host: "h1" }), dedicated("b", { host: "h1" })], catalog }));
    expect(e.message).toMatch(/host h1: the stacks that name it \(a, b\) need 4096 MB \/ 4096 CPU shares, more than its usable 3200 MB/);
  });

  it("refuses a tenant whose shared server is not in the fleet", () => {
    const e = refusal(() => placeFleet({ hosts: [host("h1", 40_000)], stacks: [tenant("acme", "shared-elsewhere")], catalog }));
    expect(e.unplaced).toEqual(["acme"]);
    expect(e.message).toMatch(/acme: lchost:sharedServer 'shared-elsewhere' is not a shared-server stack of this fleet/);
  });
});
