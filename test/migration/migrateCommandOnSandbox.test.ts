/**
 * `lchost migrate <stack> --to <edition> --target sandbox --yes --exit` through the CLI command itself:
 * globex (Dedicated Server) is started as a sandbox, moved to High Performance, its stack file written,
 * every process stopped; `--cleanup --target sandbox` then removes the kept Dedicated sandbox.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { migrateCommand } from "../../cli/commands/migrate";
import { sandboxMigrationDir } from "../../cli/commands/migrateOnSandbox";
import { packageRoot } from "../../model/packageRoot";
import { loadStackFile } from "../../model/stackFile";

jest.setTimeout(120_000);

const STACK = "globex";
let stacksDir: string;

beforeAll(() => {
  stacksDir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-cli-stacks-"));
  fs.copyFileSync(path.join(packageRoot(), "stacks", `Pulumi.${STACK}.yaml`), path.join(stacksDir, `Pulumi.${STACK}.yaml`));
  fs.rmSync(sandboxMigrationDir(STACK), { recursive: true, force: true });
});

afterAll(() => {
  fs.rmSync(stacksDir, { recursive: true, force: true });
  fs.rmSync(sandboxMigrationDir(STACK), { recursive: true, force: true });
  fs.rmSync(path.join(packageRoot(), ".migrations", STACK), { recursive: true, force: true });
});

const run = async (argv: string[]) => {
  const lines: string[] = [];
  const code = await migrateCommand([...argv, "--stacks-dir", stacksDir], (s) => lines.push(s), { isTty: false, confirm: async () => false });
  return { code, text: lines.join("\n") };
};

test("--target sandbox --yes --exit migrates the stack's sandbox, writes the stack file and leaves no process running", async () => {
  const r = await run([STACK, "--to", "high-performance", "--target", "sandbox", "--yes", "--exit"]);
  expect(r.code).toBe(0);
  expect(r.text).toMatch(/Dedicated Server -> High Performance \[edition-change, up\]/);
  expect(r.text).toMatch(/globex is now high-performance; maintenance window \d+\.\d s \(planned ~\d+(\.\d)? s\); data verified \(7 tables\)/);
  expect(r.text).toMatch(/the customer's entry: https:\/\/127\.\d+\.0\.1:8443 \(SNI\/Host globex\.lchost\.local/);
  expect(r.text).toMatch(/stopped; no sandbox process left$/);
  expect(loadStackFile(path.join(stacksDir, `Pulumi.${STACK}.yaml`)).config).toMatchObject({ edition: "high-performance" });
  const pids = JSON.parse(fs.readFileSync(path.join(sandboxMigrationDir(STACK), "s", `${STACK}-g2`, "sandbox.json"), "utf8")).processes.map(
    (p: { pid: number }) => p.pid,
  );
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
});

test("--cleanup --target sandbox removes the former edition's sandbox, and a second run finds nothing", async () => {
  const kept = path.join(sandboxMigrationDir(STACK), "s", `${STACK}-g1`);
  expect(fs.existsSync(kept)).toBe(true);
  const r = await run([STACK, "--cleanup", "--target", "sandbox", "--yes"]);
  expect(r).toEqual({ code: 0, text: `removed: sandbox ${STACK}-g1 (${kept})` });
  expect(fs.existsSync(kept)).toBe(false);
  expect((await run([STACK, "--cleanup", "--target", "sandbox", "--yes"])).text).toBe("nothing kept from former deployments");
});
