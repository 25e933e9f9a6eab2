/** lchost fleet place on stacks directories written for the test: the table, --write, and what it refuses. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EXIT } from "../../../cli/exitCodes";
import { writeFleet } from "../../../bench/fleet";
import { loadFleetStacks, recordPlacement } from "../../../fleet/placeStacks";
import { editionCatalog } from "../../../model/catalog";
import { runLchost } from "../../support/cliRun";

jest.setTimeout(60_000);

interface TestHost {
  name: string;
  memoryMb: number;
  cpuShares?: number;
  role?: string;
}

function inventoryText(hosts: TestHost[]): string {
  return YAML.stringify({
    hosts: hosts.map((h, i) => ({
      name: h.name,
      dockerHost: `ssh://deploy@10.30.0.${i + 1}`,
      address: `10.30.0.${i + 1}`,
      capacity: { memoryMb: h.memoryMb, cpuShares: h.cpuShares ?? 131072 },
      ...(h.role ? { labels: { role: h.role } } : {}),
    })),
  });
}

/** <root>/stacks and <root>/fleet/hosts.yaml, the layout the inventory is found by. */
function project(hosts: TestHost[]): { root: string; stacks: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-place-"));
  fs.mkdirSync(path.join(root, "stacks"));
  fs.mkdirSync(path.join(root, "fleet"));
  fs.writeFileSync(path.join(root, "fleet", "hosts.yaml"), inventoryText(hosts));
  return { root, stacks: path.join(root, "stacks") };
}

const globexText = `# Globex: Dedicated Server since 2025
config:
  lchost:customer: globex   # the firm code
  lchost:edition: dedicated
  # only the ERP may call the web services
  lchost:connection:
    ipAllowList: ["198.51.100.0/24"]
  lchost:fsb: { mode: shared, sharedUrl: "http://fsb.dc1.lchost.local:7070", tokenKey: fsbToken }
  lchost:fsbToken:
    secure: v1:c2FsdA==:Y2lwaGVy
`;

const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));

describe("lchost fleet place", () => {
  it("places 150 generated stacks on 4 hosts: everyone placed, no host over its usable capacity, HA parts on distinct hosts", async () => {
    const p = project([
      { name: "h1", memoryMb: 65536, role: "shared" },
      { name: "h2", memoryMb: 131072, role: "dedicated" },
      { name: "h3", memoryMb: 131072 },
      { name: "h4", memoryMb: 131072, role: "dedicated" },
    ]);
    const generated = writeFleet(p.stacks, 150);
    const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(EXIT.ok);
    const result = JSON.parse(r.out);
    const customers = new Set(result.assignments.filter((a: any) => a.customer).map((a: any) => a.customer));
    expect(customers.size).toBe(150);
    expect(generated.every((s) => customers.has(s.name))).toBe(true);
    for (const h of result.hosts) {
      expect(h.used.memoryMb).toBeLessThanOrEqual(h.usable.memoryMb);
      expect(h.used.cpuShares).toBeLessThanOrEqual(h.usable.cpuShares);
      expect(h.usable.memoryMb).toBe(Math.floor((h.capacity.memoryMb * (100 - editionCatalog().placement.headroomPercent)) / 100));
    }
    const ha = result.assignments.filter((a: any) => a.kind === "high-availability");
    expect(ha.length).toBeGreaterThan(0);
    for (const a of ha) {
      expect(new Set(a.parts.databaseNodes).size).toBe(a.parts.databaseNodes.length);
      expect(a.hosts).not.toContain("h1");
    }
    // the role: shared host holds shared servers and their tenants only
    const onH1 = result.assignments.filter((a: any) => a.hosts.includes("h1")).map((a: any) => a.kind);
    expect(onH1.length).toBeGreaterThan(0);
    expect(new Set(onH1)).toEqual(new Set(["shared-server", "datacenter"]));
  });

  it("--write records each host in its stack file, keeping comments and key order; a second run places nothing", async () => {
    const p = project([{ name: "h1", memoryMb: 8192 }]);
    fs.writeFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), globexText);
    const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/^globex +globex +dedicated +h1 +2048 +2048 +placed$/m);
    expect(r.out).toMatch(/1 stack\(s\) placed; recorded in 1 stack file\(s\)/);
    expect(fs.readFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), "utf8")).toBe(`${globexText}  lchost:host: h1\n  docker:host: ssh://deploy@10.30.0.1\n`);
    expect(fs.readdirSync(p.stacks)).toEqual(["Pulumi.globex.yaml"]); // no temporary file left
    const again = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toMatch(/^globex +globex +dedicated +h1 +2048 +2048 +recorded$/m);
    expect(again.out).toMatch(/0 stack\(s\) placed$/);
  });

  it("--write records an HA customer's hosts as lchost:hosts, which the program's schema accepts", async () => {
    const p = project([
      { name: "h1", memoryMb: 16384 },
      { name: "h2", memoryMb: 16384 },
      { name: "h3", memoryMb: 16384 },
    ]);
    writeFleet(p.stacks, 20);
    fs.readdirSync(p.stacks)
      .filter((f) => !/cust019/.test(f))
      .forEach((f) => fs.rmSync(path.join(p.stacks, f)));
    const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
    expect(r.code).toBe(EXIT.ok);
    const cfg = YAML.parse(fs.readFileSync(path.join(p.stacks, "Pulumi.cust019.yaml"), "utf8")).config;
    expect(cfg["lchost:edition"]).toBe("high-availability");
    expect([...cfg["lchost:hosts"]].sort()).toEqual(["h1", "h2", "h3"]);
    expect(cfg["docker:host"]).toBeUndefined();
    expect(loadFleetStacks(p.stacks).stacks[0].config).toMatchObject({ hosts: cfg["lchost:hosts"] });
  });

  it("writes nothing when one new stack file would not validate", () => {
    const p = project([{ name: "h1", memoryMb: 16384 }]);
    fs.writeFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), globexText);
    fs.writeFileSync(path.join(p.stacks, "Pulumi.initech.yaml"), globexText.replace(/globex/g, "initech"));
    const before = snapshot(p.stacks);
    const fleet = loadFleetStacks(p.stacks);
    const needs = { memoryMb: 2048, cpuShares: 2048 };
    // a stale assignment: h9 left the inventory since it was computed
    expect(() =>
      recordPlacement(fleet, [
        { stack: "globex", customer: "globex", kind: "dedicated", hosts: ["h1"], needs, source: "placed" },
        { stack: "initech", customer: "initech", kind: "dedicated", hosts: ["h9"], needs, source: "placed" },
      ]),
    ).toThrow(/Pulumi\.initech\.yaml: lchost:host: no host "h9" in .*\nno stack file was changed/);
    expect(snapshot(p.stacks)).toEqual(before);
  });

  describe("refuses bad input, naming the field, and writes nothing", () => {
    it("an inventory with a duplicate host (exit 2)", async () => {
      const p = project([
        { name: "h1", memoryMb: 8192 },
        { name: "h1", memoryMb: 8192 },
      ]);
      fs.writeFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), globexText);
      const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(/hosts\.yaml: hosts\[1\]\.name: "h1" is already the name of hosts\[0\]/);
      expect(fs.readFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), "utf8")).toBe(globexText);
    });

    it("a stack naming an unknown host (exit 2)", async () => {
      const p = project([{ name: "h1", memoryMb: 8192 }]);
      fs.writeFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), `${globexText}  lchost:host: h7\n`);
      const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(/Pulumi\.globex\.yaml: lchost:host: no host "h7" in .*hosts\.yaml \(known: h1\)/);
    });

    it("two customers with the same host name (exit 1, both stacks named)", async () => {
      const p = project([{ name: "h1", memoryMb: 16384 }]);
      fs.writeFileSync(path.join(p.stacks, "Pulumi.globex.yaml"), globexText);
      fs.writeFileSync(path.join(p.stacks, "Pulumi.globex-eu.yaml"), globexText);
      const before = snapshot(p.stacks);
      const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
      expect(r.code).toBe(EXIT.findings);
      expect(r.err).toMatch(
        /\[host-names-distinct\] stack globex \(customer 'globex'\) and stack globex-eu \(customer 'globex'\) both claim the host name globex\.lchost\.local/,
      );
      expect(r.err).toMatch(/nothing was written/);
      expect(snapshot(p.stacks)).toEqual(before);
    });

    it("capacity too small (exit 1, the customers that do not fit named)", async () => {
      const p = project([
        { name: "h1", memoryMb: 4096 },
        { name: "h2", memoryMb: 4096 },
      ]);
      for (const c of ["globex", "initech", "umbrella"]) fs.writeFileSync(path.join(p.stacks, `Pulumi.${c}.yaml`), globexText.replace(/globex/g, c));
      const before = snapshot(p.stacks);
      const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--write");
      expect(r.code).toBe(EXIT.findings);
      // 3,276 MB usable per host: one Dedicated Server (2,048 MB) each, the third does not fit
      expect(r.err).toMatch(/umbrella \(dedicated\) needs 2048 MB \/ 2048 CPU shares on one host/);
      expect(r.err).toMatch(/not placed: umbrella\nnothing was written/);
      expect(snapshot(p.stacks)).toEqual(before);
    });

    it("a missing inventory names the file and the flag (exit 2)", async () => {
      const p = project([{ name: "h1", memoryMb: 8192 }]);
      const r = await runLchost("fleet", "place", "--stacks-dir", p.stacks, "--inventory", path.join(p.root, "nope.yaml"));
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(/nope\.yaml: no such host inventory file/);
    });
  });
});
