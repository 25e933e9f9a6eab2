import { HostsError, lineDatabaseNode, parseHostInventory, placeParts, resolveStackHosts } from "../../../model/hosts";

const inventoryText = `
hosts:
  - name: h1
    dockerHost: ssh://deploy@10.0.0.11
    address: 10.0.0.11
    capacity: { memoryMb: 16384, cpuShares: 8192 }
    labels: { role: dedicated }
  - name: h2
    dockerHost: tcp://10.0.0.12:2376
    address: 10.0.0.12
    capacity: { memoryMb: 16384, cpuShares: 8192 }
  - name: h3
    dockerHost: unix:///var/run/docker.sock
    address: "2001:db8::13"
    capacity: { memoryMb: 8192, cpuShares: 4096 }
`;

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof HostsError) return e.problems;
    throw e;
  }
  throw new Error("expected a HostsError");
}

describe("host inventory", () => {
  it("parses hosts with their endpoints, addresses, capacity and labels", () => {
    const inv = parseHostInventory(inventoryText, "fleet/hosts.yaml");
    expect(inv.hosts.map((h) => [h.name, h.dockerHost, h.address])).toEqual([
      ["h1", "ssh://deploy@10.0.0.11", "10.0.0.11"],
      ["h2", "tcp://10.0.0.12:2376", "10.0.0.12"],
      ["h3", "unix:///var/run/docker.sock", "2001:db8::13"],
    ]);
    expect(inv.byName.get("h1")?.labels).toEqual({ role: "dedicated" });
    expect(inv.byName.get("h2")?.labels).toEqual({});
  });

  it("refuses a duplicate host, a bad endpoint, a bad address and missing capacity, naming each field", () => {
    const bad = `
hosts:
  - { name: h1, dockerHost: ssh://10.0.0.11, address: 10.0.0.11, capacity: { memoryMb: 1024, cpuShares: 1024 } }
  - { name: h1, dockerHost: ssh://10.0.0.12, address: 10.0.0.12, capacity: { memoryMb: 1024, cpuShares: 1024 } }
  - { name: h3, dockerHost: ssh://10.0.0.13, address: not-an-ip, capacity: { memoryMb: 1024, cpuShares: 1024 } }
  - { name: h4, dockerHost: ssh://10.0.0.14, address: 10.0.0.11, capacity: { memoryMb: 1024, cpuShares: 1024 } }
`;
    expect(problemsOf(() => parseHostInventory(bad, "hosts.yaml"))).toEqual([
      'hosts[1].name: "h1" is already the name of hosts[0]',
      'hosts[2].address: "not-an-ip" is not an IPv4 or IPv6 address',
      "hosts[3].address: 10.0.0.11 is already the address of hosts[0]",
    ]);
    const schema = problemsOf(() => parseHostInventory("hosts:\n  - { name: h1, dockerHost: 'http://x:1', address: 10.0.0.1, colour: red }\n", "hosts.yaml"));
    expect(schema).toEqual(
      expect.arrayContaining([
        'hosts.yaml.hosts[0]: missing "capacity"',
        'hosts.yaml.hosts[0]: unknown key "colour"',
        expect.stringMatching(/^hosts\.yaml\.hosts\[0\]\.dockerHost: must match pattern/),
      ]),
    );
    expect(problemsOf(() => parseHostInventory("hosts: [", "hosts.yaml"))[0]).toMatch(/^not valid YAML/);
  });
});

describe("a stack's hosts", () => {
  const inv = parseHostInventory(inventoryText, "fleet/hosts.yaml");

  it("resolves inventory names and inline hosts to the same Host shape", () => {
    const hosts = resolveStackHosts(["h2", { name: "edge", dockerHost: "ssh://10.9.0.1", address: "10.9.0.1" }], inv);
    expect(hosts).toEqual([inv.byName.get("h2"), { name: "edge", dockerHost: "ssh://10.9.0.1", address: "10.9.0.1", labels: {} }]);
  });

  it("names the entry that is unknown, and duplicates", () => {
    expect(problemsOf(() => resolveStackHosts(["h1", "h9"], inv))).toEqual(['lchost:hosts[1]: no host "h9" in fleet/hosts.yaml (known: h1, h2, h3)']);
    expect(problemsOf(() => resolveStackHosts(["h1"], undefined))[0]).toMatch(
      /lchost:hosts\[0\]: "h1" names an inventory host, but there is no fleet\/hosts\.yaml/,
    );
    expect(problemsOf(() => resolveStackHosts(["h1", "h1"], inv))).toEqual([
      'lchost:hosts[1].name: "h1" is already the name of lchost:hosts[0]',
      "lchost:hosts[1].address: 10.0.0.11 is already the address of lchost:hosts[0]",
    ]);
  });
});

describe("placing a High Availability stack's parts", () => {
  const inv = parseHostInventory(inventoryText, "fleet/hosts.yaml");
  const [h1, h2, h3] = inv.hosts;

  it("spreads lines round-robin, Galera nodes on distinct hosts and the balancer pair on two hosts", () => {
    expect(placeParts({ hosts: [h1, h2, h3], lines: 4, databaseNodes: 3 })).toEqual({
      lines: ["h1", "h2", "h3", "h1"],
      fsbs: ["h1", "h2", "h3", "h1"],
      databaseNodes: ["h1", "h2", "h3"],
      lineDatabaseNodes: [1, 2, 3, 1],
      balancers: ["h1", "h2"],
    });
  });

  it("puts two data nodes on two hosts and the arbitrator on a third", () => {
    expect(placeParts({ hosts: [h1, h2], lines: 2, databaseNodes: 3, arbitrator: h3 })).toEqual({
      lines: ["h1", "h2"],
      fsbs: ["h1", "h2"],
      databaseNodes: ["h1", "h2"],
      lineDatabaseNodes: [1, 2],
      arbitrator: "h3",
      balancers: ["h1", "h2"],
    });
  });

  it("points the lines at the data nodes round-robin: with an arbitrator never at the node it replaces", () => {
    expect(placeParts({ hosts: [h1, h2], lines: 5, databaseNodes: 3, arbitrator: h3 }).lineDatabaseNodes).toEqual([1, 2, 1, 2, 1]);
    expect(placeParts({ hosts: [h1, h2, h3], lines: 5, databaseNodes: 3 }).lineDatabaseNodes).toEqual([1, 2, 3, 1, 2]);
  });

  it("gives the line's database node by one rule for every deployment (lineDatabaseNode)", () => {
    expect([1, 2, 3, 4].map((line) => lineDatabaseNode(line, 3))).toEqual([1, 2, 3, 1]);
    expect([1, 2, 3, 4].map((line) => lineDatabaseNode(line, 1))).toEqual([1, 1, 1, 1]);
    expect(() => lineDatabaseNode(0, 3)).toThrow("lineDatabaseNode: line 0; lines count from 1");
    expect(() => lineDatabaseNode(1, 0)).toThrow("lineDatabaseNode: 0 data nodes; at least 1");
  });

  it("refuses what would not survive the loss of one host", () => {
    expect(problemsOf(() => placeParts({ hosts: [h1], lines: 2, databaseNodes: 3 }))).toEqual([
      "lchost:hosts: High Availability needs at least 2 hosts, got 1",
    ]);
    expect(problemsOf(() => placeParts({ hosts: [h1, h2], lines: 2, databaseNodes: 3 }))[0]).toMatch(
      /3 Galera nodes need 3 distinct hosts, or 2 hosts plus a Galera arbitrator \(garbd\) on a third; got 2 host\(s\) and no arbitrator/,
    );
    expect(problemsOf(() => placeParts({ hosts: [h1, h2], lines: 2, databaseNodes: 3, arbitrator: h2 }))[0]).toMatch(
      /arbitrator's host "h2" must not also hold a data node/,
    );
  });
});
