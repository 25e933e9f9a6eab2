/**
 * `lchost migrate … --alertmanager <url>` on a real sandbox and the real Alertmanager: the customer's
 * alerts are silenced for the migration, by lchost, and the silence ends when the migration ends (it
 * covers the whole maintenance window the command reports, and not much more).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { migrateCommand } from "../../cli/commands/migrate";
import { sandboxMigrationDir } from "../../cli/commands/migrateOnSandbox";
import { packageRoot } from "../../model/packageRoot";
import { AlertmanagerClient } from "../../render/alertmanager/api";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";

jest.setTimeout(240_000);

// globex's Dedicated Server under a customer name of its own, so it never meets migrateCommandOnSandbox's sandbox
const STACK = "umbrella";
let stacksDir: string;
let am: RunningAlertmanager;

beforeAll(async () => {
  stacksDir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-silence-stacks-"));
  const globex = fs.readFileSync(path.join(packageRoot(), "stacks", "Pulumi.globex.yaml"), "utf8");
  fs.writeFileSync(path.join(stacksDir, `Pulumi.${STACK}.yaml`), globex.replace("lchost:customer: globex", `lchost:customer: ${STACK}`));
  fs.rmSync(sandboxMigrationDir(STACK), { recursive: true, force: true });
  am = await startAlertmanager();
});

afterAll(async () => {
  await am?.stop();
  fs.rmSync(stacksDir, { recursive: true, force: true });
  fs.rmSync(sandboxMigrationDir(STACK), { recursive: true, force: true });
  fs.rmSync(path.join(packageRoot(), ".migrations", STACK), { recursive: true, force: true });
});

test("the migration's maintenance window is silenced for that customer only, from its start until it ends", async () => {
  const lines: string[] = [];
  const t0 = Date.now();
  const code = await migrateCommand(
    [STACK, "--to", "high-performance", "--target", "sandbox", "--yes", "--exit", "--stacks-dir", stacksDir, "--alertmanager", am.url],
    (s) => lines.push(s),
    { isTty: false, confirm: async () => false },
  );
  const t1 = Date.now();
  const text = lines.join("\n");
  expect({ code, text }).toMatchObject({ code: 0 });
  const windowS = Number(/maintenance window (\d+\.\d) s/.exec(text)![1]);
  const silences = await new AlertmanagerClient(am.url).listSilences();
  expect(silences).toHaveLength(1);
  const [s] = silences;
  expect(s).toMatchObject({
    state: "expired",
    createdBy: "lchost",
    matchers: [{ name: "customer", value: STACK, isRegex: false, isEqual: true }],
    comment: "lchost migrate: edition change dedicated (1 line(s)) -> high-performance (1 line(s))",
  });
  expect(text).toMatch(new RegExp(`ok +silence ${STACK}'s alerts in Alertmanager .*: silence ${s.id} until`));
  expect(text).toMatch(new RegExp(`ok +end the alert silence ${s.id}`));
  // it began before the window and was expired (endsAt = when) after it, within the command's run
  const start = Date.parse(s.startsAt);
  const end = Date.parse(s.endsAt);
  expect(start).toBeGreaterThanOrEqual(t0 - 1000);
  expect(end).toBeLessThanOrEqual(t1 + 1000);
  expect(end - start).toBeGreaterThanOrEqual(windowS * 1000);
});
