/**
 * Which operations stack `lchost sandbox --operations` runs and the copy it plans (sandbox/ops/operationsStack.ts):
 * its fleet is exactly the sandbox's stacks; --fast-alerts sets the test intervals; the copy is a valid stack file.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadStackFile } from "../../../model/stackFile";
import { FAST_ALERT_INTERVALS, findOperationsStack, prepareOperationsStack } from "../../../sandbox/ops/operationsStack";
import { runLchost } from "../../support/cliRun";

const stacks = path.join(__dirname, "..", "..", "..", "stacks");

describe("the sandbox's operations stack", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-stack-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const write = (dir: string, name: string, config: Record<string, unknown>) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), YAML.stringify({ config }));
  };
  const ops = {
    "lchost:role": "operations",
    "lchost:domain": "dc9.lchost.local",
    "lchost:operations": { onCall: { email: ["oncall@lchost.example"] }, smtp: { smarthost: "smtp.lchost.example:587", from: "alerts@lchost.example" } },
  };

  it("without a stacks directory holding one, the built-in stack is used, and its copy is a valid operations stack watching exactly the given stacks", () => {
    const empty = path.join(tmp, "empty");
    fs.mkdirSync(empty);
    const p = prepareOperationsStack([path.join(stacks, "Pulumi.wayne.yaml"), path.join(stacks, "Pulumi.hooli.yaml")], {}, path.join(tmp, "work"), empty);
    expect(p.source).toBe("built-in");
    const file = loadStackFile(p.file);
    expect(file.config.role).toBe("operations");
    const fleetDir = path.join(tmp, "work", "fleet");
    expect((file.config as any).fleet.stacksDir).toBe(fleetDir);
    expect(fs.readdirSync(fleetDir).sort()).toEqual(["Pulumi.hooli.yaml", "Pulumi.wayne.yaml"]);
  });

  it("the first operations stack of the stacks directory (by file name) is the default; other roles are passed over", () => {
    const dir = path.join(tmp, "stacks");
    write(dir, "a-customer", { "lchost:customer": "a", "lchost:edition": "dedicated" });
    write(dir, "ops-dc2", ops);
    write(dir, "ops-dc9", ops);
    expect(findOperationsStack(dir)).toBe(path.join(dir, "Pulumi.ops-dc2.yaml"));
    const p = prepareOperationsStack([], {}, path.join(tmp, "work"), dir);
    expect(p).toMatchObject({ stackName: "ops-dc2", source: path.join(dir, "Pulumi.ops-dc2.yaml") });
  });

  it("--fast-alerts sets the test intervals over the stack's own", () => {
    const dir = path.join(tmp, "stacks");
    write(dir, "ops-dc2", { ...ops, "lchost:operations": { ...ops["lchost:operations"], intervals: { scrapeSeconds: 30 } } });
    const p = prepareOperationsStack([], { stack: "ops-dc2", fastAlerts: true }, path.join(tmp, "work"), dir);
    expect((loadStackFile(p.file).config as any).operations.intervals).toMatchObject(FAST_ALERT_INTERVALS);
    const shipped = prepareOperationsStack([], { stack: "ops-dc2" }, path.join(tmp, "work2"), dir);
    expect((loadStackFile(shipped.file).config as any).operations.intervals.scrapeSeconds).toBe(30);
  });

  it("--operations naming a stack that is not an operations stack is refused, naming its role", () => {
    expect(() => prepareOperationsStack([], { stack: "wayne" }, tmp, stacks)).toThrow(
      /--operations: stack file .*Pulumi.wayne.yaml has lchost:role '\(none\)'/,
    );
    expect(() => prepareOperationsStack([], { stack: "nope" }, tmp, stacks)).toThrow(/--operations: no stack 'nope'/);
  });

  it("lchost sandbox: a bad --operations or --fast-alerts alone is a usage error (exit 2) naming the flag, before anything starts", async () => {
    const notOps = await runLchost("sandbox", "wayne", "--operations", "wayne");
    expect(notOps).toMatchObject({ code: 2 });
    expect(notOps.err).toMatch(/--operations: stack file .*Pulumi.wayne.yaml has lchost:role '\(none\)'/);
    expect(await runLchost("sandbox", "wayne", "--fast-alerts")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--fast-alerts: only with --operations/),
    });
    expect(await runLchost("sandbox", "wayne", "hooli")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/several stacks run together with --operations/),
    });
  });
});
