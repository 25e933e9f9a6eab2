import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { collectFleetStatus } from "../../../fleet/fleetStatus";
import { parseSelect } from "../../../fleet/select";
import { DockerEngine } from "../../../dockerRun/dockerEngine";

/** Engines stand-ins: one that never answers, one whose containers are all gone (the collector's paths without an engine). */
const silent = { request: () => new Promise(() => undefined) } as unknown as DockerEngine;
const empty = { request: async () => ({ status: 404, body: { message: "No such container" } }) } as unknown as DockerEngine;

describe("fleet status read from the deployments", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleet-status-"));
  const stacksDir = path.join(root, "stacks");
  const stateDir = path.join(root, "state");
  fs.mkdirSync(stacksDir);
  fs.mkdirSync(stateDir);
  const own = (c: string) =>
    `config:\n  lchost:customer: ${c}\n  lchost:edition: high-performance\n  lchost:connection:\n    ipAllowList: [198.51.100.0/24]\n  lchost:fsb:\n    mode: emulator\n`;
  for (const c of ["globex", "hooli", "initech"]) fs.writeFileSync(path.join(stacksDir, `Pulumi.${c}.yaml`), own(c));
  const state = (c: string, dockerHost: string) =>
    fs.writeFileSync(
      path.join(stateDir, `${c}.json`),
      JSON.stringify({ resources: [], outputs: { migration: { dockerHost, lineContainers: [`lc-${c}-line-1`] }, adminToken: { secret: true, value: "t" } } }),
    );
  state("globex", "tcp://10.0.0.1:2376");
  state("hooli", "tcp://10.0.0.2:2376");
  const engineFor = (h: string) => (h.includes("10.0.0.1") ? silent : empty);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("says which customer is unreachable, why, and still reports the others", async () => {
    const rows = await collectFleetStatus({ stacksDir, stateDir, engineFor, timeoutMs: 300 });
    expect(rows.map((r) => [r.customer, r.state])).toEqual([
      ["globex", "unreachable"],
      ["hooli", "deployed"],
      ["initech", "not deployed"],
    ]);
    expect(rows[0].detail).toBe("docker inspect lc-globex-line-1: no answer within 300 ms");
    expect(rows[1]).toMatchObject({ lines: 1, readyLines: 0, images: [], detail: "no line is ready: usage not read" });
    expect(rows[2]).toEqual({ customer: "initech", stack: "initech", edition: "high-performance", hosts: [], state: "not deployed" });
  });

  it("reads only the selected customers", async () => {
    const rows = await collectFleetStatus({ stacksDir, stateDir, engineFor, select: [parseSelect("customer=initech,hooli")] });
    expect(rows.map((r) => r.customer)).toEqual(["hooli", "initech"]);
  });

  it("refuses a stacks directory that is not one, naming --stacks-dir", async () => {
    await expect(collectFleetStatus({ stacksDir: path.join(root, "nope"), stateDir })).rejects.toThrow(/^--stacks-dir: '.*nope' is not a directory$/);
  });
});
