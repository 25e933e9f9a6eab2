import { geoNetworkCommands, GeoNetworkSpec } from "../../../../sandbox/geo/geoNetwork";

const spec: GeoNetworkSpec = {
  tag: "geo",
  octet: 247,
  sites: [
    { name: "a", hosts: ["db-1", "line-1"] },
    { name: "b", hosts: ["db-2"] },
    { name: "c", hosts: ["garbd"] },
  ],
  crossSitePorts: [4567, 3306],
  relayBasePort: 41000,
};

describe("geoNetworkCommands", () => {
  const plan = geoNetworkCommands(spec);

  it("gives each host an address in its site's /24, in order, and names each site's namespace after the tag", () => {
    expect(plan.hosts).toEqual([
      { host: "db-1", site: "a", netns: "geoa", address: "10.247.1.1" },
      { host: "line-1", site: "a", netns: "geoa", address: "10.247.1.2" },
      { host: "db-2", site: "b", netns: "geob", address: "10.247.2.1" },
      { host: "garbd", site: "c", netns: "geoc", address: "10.247.3.1" },
    ]);
    expect(plan.sitePrefixes).toEqual({ "10.247.1.": "a", "10.247.2.": "b", "10.247.3.": "c" });
  });

  it("redirects every (host, cross-site port) arriving from a site link to its own relay port, and the relay forwards it to that host and port", () => {
    expect(plan.routes).toHaveLength(8);
    expect(plan.routes[0]).toEqual({ listenPort: 41000, target: { host: "10.247.1.1", port: 4567 } });
    expect(plan.routes[7]).toEqual({ listenPort: 41007, target: { host: "10.247.3.1", port: 3306 } });
    expect(plan.wanRules).toContain("-A PREROUTING ! -i geo-w0 -d 10.247.2.1/32 -p tcp --dport 4567 -j REDIRECT --to-ports 41004");
  });

  it("drops forwarded traffic between sites (only this machine's link is forwarded), so nothing bypasses the relay", () => {
    expect(plan.wanRules).toMatch(/:FORWARD DROP/);
    expect(plan.wanRules.split("\n").filter((l) => l.startsWith("-A FORWARD"))).toEqual(["-A FORWARD -i geo-w0 -j ACCEPT", "-A FORWARD -o geo-w0 -j ACCEPT"]);
  });

  it("creates only namespaces and interfaces named with the tag, and removes them all again", () => {
    const created = plan.up.filter((c) => c[0] === "ip" && c[1] === "netns" && c[2] === "add").map((c) => c[3]);
    expect(created).toEqual(["geowan", "geoa", "geob", "geoc"]);
    const deleted = plan.down.filter((c) => c[1] === "netns" && c[2] === "del").map((c) => c[3]);
    expect(deleted.sort()).toEqual([...created].sort());
    for (const c of plan.up.filter((x) => x[1] === "link" && x[2] === "add")) {
      expect(c[3]).toMatch(/^geo-/);
      expect(c[8]).toMatch(/^geo-/);
    }
  });

  it.each([
    [{ tag: "Geo" }, "tag"],
    [{ octet: 300 }, "octet"],
    [{ sites: [{ name: "a", hosts: ["x"] }] }, "sites: 1 given"],
    [
      {
        sites: [
          { name: "a", hosts: ["x"] },
          { name: "a", hosts: ["y"] },
        ],
      },
      "sites[1].name: a is given twice",
    ],
    [
      {
        sites: [
          { name: "a", hosts: ["x"] },
          { name: "b", hosts: ["x"] },
        ],
      },
      "sites[].hosts: x is placed twice",
    ],
    [{ relayBasePort: 65530 }, "relayBasePort"],
  ])("refuses %j naming the field", (change, field) => {
    expect(() => geoNetworkCommands({ ...spec, ...(change as Partial<GeoNetworkSpec>) })).toThrow(field);
  });
});
