/**
 * npm run bench:migrate — the maintenance window of Datacenter -> Dedicated for a tenant with 1,000
 * activated tickets, on the sandbox (`lchost sandbox`): the tenant on a shared-server sandbox (real
 * MariaDB, FSB emulator, HAProxy, License Central), the Dedicated Server a second sandbox started from
 * the changed stack file, the customer's entry moved by a graceful reload. Prints each step with its
 * duration, then one JSON line {"bench":"migrate", ...} as the last line of stdout. Exit 1 when the
 * window exceeds the 30 s target.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackFileText } from "../model/stackFile";
import type { CustomerConfig } from "../model/stackConfig";
import { estimateRows, readUsage } from "../migration/databaseCopy";
import { planMigration } from "../migration/migrationPlan";
import { ProgressLog } from "../migration/progressLog";
import { monthsToCheck } from "../migration/quotaCheck";
import { runMigration } from "../migration/runMigration";
import { SandboxTarget } from "../migration/sandboxTarget";
import { datacenterStackFile, seedTenant, sharedServerStackFile } from "./migrationFixtures";

const TARGET_SECONDS = 30;

async function main(): Promise<number> {
  const tickets = Number(process.env.BENCH_TICKETS ?? 1000);
  const customer = "bench";
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "lcmig-"));
  fs.chmodSync(baseDir, 0o711); // the database nodes run as mysql and must reach their directories
  const stackPath = path.join(baseDir, `Pulumi.${customer}.yaml`);
  const sharedPath = path.join(baseDir, "Pulumi.shared-dc1.yaml");
  const text = datacenterStackFile(customer);
  fs.writeFileSync(stackPath, text);
  fs.writeFileSync(sharedPath, sharedServerStackFile([customer]));
  let target: SandboxTarget | undefined;
  try {
    const startedAt = Date.now();
    target = await SandboxTarget.start({ stackFile: stackPath, sharedStackFile: sharedPath, workDir: path.join(baseDir, "t"), serviceLogLevel: "warn" });
    const sandboxStartMs = Date.now() - startedAt;
    const seedStart = Date.now();
    await seedTenant((await target.current()).database, tickets);
    const seedMs = Date.now() - seedStart;
    const view = await target.current();
    const plan = planMigration({
      stackName: customer,
      stackFileText: text,
      stackFilePath: stackPath,
      current: parseStackFileText(text, stackPath).config as CustomerConfig,
      target: { edition: "dedicated" },
      usage: await readUsage(view.database, monthsToCheck(new Date())),
      rows: await estimateRows(view.database),
    });
    const log = new ProgressLog((l) => console.log(l));
    const r = await runMigration({ plan, target, log, workDir: path.join(baseDir, "dumps"), stackFile: { path: stackPath, oldText: text } });
    console.log(r.message);
    for (const s of r.steps) console.log(`  step ${s.step.padEnd(60)} ${(s.ms / 1000).toFixed(2)} s`);
    const rows = r.sourceChecksums.reduce((a, t) => a + t.rows, 0);
    const withinTarget = r.maintenanceMs <= TARGET_SECONDS * 1000;
    console.log(
      JSON.stringify({
        bench: "migrate",
        target: "sandbox",
        from: "datacenter",
        to: "dedicated",
        tickets,
        rows,
        sandboxStartMs,
        seedMs,
        maintenanceWindowSeconds: Math.round(r.maintenanceMs) / 1000,
        targetSeconds: TARGET_SECONDS,
        withinTarget,
        plannedDowntimeSeconds: plan.downtime.seconds,
        steps: Object.fromEntries(r.steps.map((s) => [s.step, s.ms])),
      }),
    );
    return withinTarget ? 0 : 1;
  } finally {
    await target?.stop();
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
