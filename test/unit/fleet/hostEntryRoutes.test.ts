import { hostEntryRoutes, HostEntryRoutesError } from "../../../fleet/hostEntryRoutes";
import { parseHostInventory } from "../../../model/hosts";
import { httpsPortsDistinctPerHost, HTTPS_PORTS_DISTINCT_PER_HOST } from "../../../policies/fleet/httpsPortsDistinctPerHost";
import { stackFile } from "../stackFixtures";

const inventory = parseHostInventory(
  [
    "hosts:",
    "  - { name: h1, dockerHost: 'ssh://deploy@10.20.0.11', address: 10.20.0.11, capacity: { memoryMb: 65536, cpuShares: 32768 } }",
    "  - { name: h2, dockerHost: 'ssh://deploy@10.20.0.12', address: 10.20.0.12, capacity: { memoryMb: 65536, cpuShares: 32768 } }",
    "  - { name: h3, dockerHost: 'ssh://deploy@10.20.0.13', address: 10.20.0.13, capacity: { memoryMb: 65536, cpuShares: 32768 } }",
    "  - { name: h4, dockerHost: 'ssh://deploy@10.20.0.14', address: 10.20.0.14, capacity: { memoryMb: 65536, cpuShares: 32768 } }",
  ].join("\n"),
  "hosts.yaml",
);

/** A valid own-server customer's keys (the edition's required settings), with `extra` on top. */
function own(customer: string, edition: string, extra: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { customer, edition, domain: "lchost.example", connection: { ipAllowList: ["198.51.100.0/24"] } };
  if (edition === "dedicated")
    Object.assign(base, { fsb: { mode: "shared", sharedUrl: "http://fsb.dc1.lchost.local:7070", tokenKey: "fsbToken" }, fsbToken: { secure: "v1:y" } });
  else Object.assign(base, { fsb: { mode: "emulator" } });
  return { ...base, ...extra };
}

/** A placed fleet behind the host entries: a shared server with two tenants, two Dedicated Servers, one HA customer. */
function fleet(change: Record<string, Record<string, unknown> | null> = {}) {
  const values: Record<string, Record<string, unknown>> = {
    "shared-dc1": { role: "shared-server", tenants: ["acme", "initech"], domain: "dc1.lchost.example", host: "h1", httpsPort: 20001, behindHostEntry: true },
    acme: { customer: "acme", edition: "datacenter", sharedServer: "shared-dc1" },
    initech: { customer: "initech", edition: "datacenter", sharedServer: "shared-dc1" },
    globex: own("globex", "dedicated", { host: "h2", httpsPort: 20001, behindHostEntry: true }),
    hooli: own("hooli", "high-performance", { host: "h2", httpsPort: 20002, behindHostEntry: true }),
    wayne: own("wayne", "high-availability", { lines: 2, hosts: ["h3", "h2", "h4"], httpsPort: 20003, behindHostEntry: true }),
  };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete values[k];
    else values[k] = v;
  }
  return Object.entries(values).map(([name, v]) => stackFile(name, v));
}

const problemsOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof HostEntryRoutesError) return e.problems;
    throw e;
  }
  throw new Error("not refused");
};

describe("the host entries' routes from a placed fleet", () => {
  const routes = hostEntryRoutes(fleet(), inventory);
  const on = (host: string) => routes.find((r) => r.host.name === host)!.routes.map((r) => `${r.serverName} -> ${r.gateway.address}:${r.gateway.port}`);

  it("routes a shared server's tenants by their host names to the shared server's gateway on its host", () => {
    expect(on("h1")).toEqual(["acme.dc1.lchost.example -> 127.0.0.1:20001", "initech.dc1.lchost.example -> 127.0.0.1:20001"]);
    expect(routes.find((r) => r.host.name === "h1")!.routes.map((r) => r.gatewayStack)).toEqual(["shared-dc1", "shared-dc1"]);
  });

  it("routes each own-server customer to its gateway's own port on its host, and an HA customer on both balancer hosts", () => {
    expect(on("h2")).toEqual([
      "globex.lchost.example -> 127.0.0.1:20001",
      "hooli.lchost.example -> 127.0.0.1:20002",
      "wayne.lchost.example -> 127.0.0.1:20003",
    ]);
    expect(on("h3")).toEqual(["wayne.lchost.example -> 127.0.0.1:20003"]);
    expect(on("h4")).toEqual([]);
  });

  it("lists every inventory host, sorted, a host without customers with no routes", () => {
    expect(routes.map((r) => [r.host.name, r.routes.length])).toEqual([
      ["h1", 2],
      ["h2", 3],
      ["h3", 1],
      ["h4", 0],
    ]);
  });

  it("refuses a gateway stack without lchost:behindHostEntry, naming the stack and the key", () => {
    const globex = own("globex", "dedicated", { host: "h2", httpsPort: 20001 });
    expect(problemsOf(() => hostEntryRoutes(fleet({ globex }), inventory))).toEqual([
      "stack globex: lchost:behindHostEntry: not set; its gateway must take the entry's PROXY v2 header (set lchost:behindHostEntry: true in the stack file; docs/hosts.md)",
    ]);
  });

  it("refuses a gateway stack without an explicit lchost:httpsPort (the default 443 is the entry's)", () => {
    const globex = own("globex", "dedicated", { host: "h2", behindHostEntry: true });
    const problems = problemsOf(() => hostEntryRoutes(fleet({ globex }), inventory));
    expect(problems).toContain(
      "stack globex: lchost:httpsPort: not set; behind the host's entry each gateway needs its own port on the host (write one in the stack file: fleet place does not assign ports yet)",
    );
    expect(problems).toContain(
      `[${HTTPS_PORTS_DISTINCT_PER_HOST}] stack globex: lchost:httpsPort 443 on host h2 is the port of the host's HTTPS entry; give the stack a port of its own (write one in the stack file: fleet place does not assign ports yet)`,
    );
  });

  it("refuses a customer that is not placed", () => {
    const globex = own("globex", "dedicated", { httpsPort: 20001, behindHostEntry: true });
    expect(problemsOf(() => hostEntryRoutes(fleet({ globex }), inventory))).toEqual([
      "stack globex: lchost:host: not set; the stack is not placed, so no host's entry can route to it (lchost fleet place --write)",
    ]);
  });

  it("refuses a tenant whose shared server is not among the stacks", () => {
    expect(problemsOf(() => hostEntryRoutes(fleet({ "shared-dc1": null }), inventory))).toEqual([
      "stack acme: lchost:sharedServer: 'shared-dc1' is not a shared-server stack among the stacks; its gateway cannot be routed",
      "stack initech: lchost:sharedServer: 'shared-dc1' is not a shared-server stack among the stacks; its gateway cannot be routed",
    ]);
  });

  it("refuses two customers with one host name, naming both", () => {
    const hooli = own("globex", "high-performance", { host: "h2", httpsPort: 20002, behindHostEntry: true });
    expect(problemsOf(() => hostEntryRoutes(fleet({ hooli }), inventory))).toEqual([
      expect.stringMatching(/^\[host-names-distinct\] stack (hooli|globex) .* both claim the host name globex\.lchost\.example/),
    ]);
  });
});

describe(`the fleet-wide policy ${HTTPS_PORTS_DISTINCT_PER_HOST}`, () => {
  it("passes the fleet above: one port per gateway per host (the same port on two hosts is fine)", () => {
    expect(httpsPortsDistinctPerHost(fleet(), { inventory, entryPort: 443 })).toEqual([]);
  });

  it("refuses two stacks publishing one port on one host, naming both and the host", () => {
    const hooli = own("hooli", "high-performance", { host: "h2", httpsPort: 20001, behindHostEntry: true });
    expect(httpsPortsDistinctPerHost(fleet({ hooli }), { inventory })).toEqual([
      {
        policy: HTTPS_PORTS_DISTINCT_PER_HOST,
        enforcementLevel: "mandatory",
        resource: "hooli",
        message:
          "stack hooli and stack globex both publish lchost:httpsPort 20001 on host h2; each gateway on a host needs its own port (write free ones in the stack files: fleet place does not assign ports yet)",
      },
    ]);
  });

  it("counts an HA stack on each of its balancer pair's hosts", () => {
    const hooli = own("hooli", "high-performance", { host: "h3", httpsPort: 20003, behindHostEntry: true });
    expect(httpsPortsDistinctPerHost(fleet({ hooli }), { inventory }).map((v) => v.message)).toEqual([
      "stack wayne and stack hooli both publish lchost:httpsPort 20003 on host h3; each gateway on a host needs its own port (write free ones in the stack files: fleet place does not assign ports yet)",
    ]);
  });

  it("counts stacks without the key by their default port: two on one host collide", () => {
    const globex = own("globex", "dedicated", { host: "h2" });
    const hooli = own("hooli", "high-performance", { host: "h2" });
    expect(httpsPortsDistinctPerHost(fleet({ globex, hooli }), { inventory }).map((v) => v.resource)).toEqual(["hooli"]);
  });
});
