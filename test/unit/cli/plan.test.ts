import { runLchost } from "../../support/cliRun";

const run = runLchost;

describe("lchost plan", () => {
  it("prints the resource tree and a summary of the HA example", async () => {
    const r = await run("plan", "wayne");
    expect(r.code).toBe(0);
    expect(r.out).toContain("lchost:editions:HighAvailabilityPackage wayne");
    expect(r.out).toMatch(/summary: \d+ resources \(High Availability Package, 3 line\(s\), availability 99.9 %\)/);
  });

  it("prints JSON with resources, violations and summary, secrets masked", async () => {
    const r = await run("plan", "globex", "--json");
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ stack: "globex", edition: "dedicated", platform: "docker", violations: [] });
    const lc = report.resources.find((x: any) => x.inputs.name === "lc-globex-line-1");
    expect(lc.inputs.envs).toContain("[secret]");
    expect(r.out).not.toMatch(/planned(dbpassword|admintoken)/);
  });

  it("plans a Datacenter tenant with its shared server's outputs", async () => {
    const r = await run("plan", "acme", "--json");
    const report = JSON.parse(r.out);
    expect(report.summary.outputs.endpoints.depot).toBe("https://acme.dc1.lchost.local:443/depot/v1");
  });

  it("exits 2 and names the file and key on an invalid stack file", async () => {
    const r = await run("plan", "--stack-file", "/nonexistent/Pulumi.x.yaml");
    expect(r.code).toBe(2);
    expect(r.err).toContain("invalid stack configuration /nonexistent/Pulumi.x.yaml");
  });

  it("exits 2 on an unknown option, naming it", async () => {
    const r = await run("plan", "wayne", "--jsn");
    expect(r.code).toBe(2);
    expect(r.err).toBe("lchost plan: unknown option '--jsn' (see lchost plan --help)");
  });

  it("explains how to install Pulumi when up has no CLI, exit 4 (missing prerequisite)", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent"; // no pulumi here, even on a machine that has it
    const r = await run("up", "wayne").finally(() => (process.env.PATH = path));
    expect(r.code).toBe(4);
    expect(r.err).toContain("the Pulumi CLI was not found on PATH");
    expect(r.err).toContain("'lchost plan <stack>' works offline");
  });
});
