/**
 * npm run bench:migrate — the maintenance window of Datacenter -> Dedicated for a tenant with 1,000
 * activated tickets, on real local servers (throw-away MariaDB as the shared server, an own MariaDB for
 * the Dedicated side, HAProxy as the entry point, License Central lines). Prints each step, then one
 * JSON line {"bench":"migrate", ...} as the last line of stdout.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackFileText } from "../model/stackFile";
import type { CustomerConfig } from "../model/stackConfig";
import { estimateRows, readUsage } from "../migration/databaseCopy";
import { LocalProcessTarget } from "../migration/localProcessTarget";
import { planMigration } from "../migration/migrationPlan";
import { ProgressLog } from "../migration/progressLog";
import { monthsToCheck } from "../migration/quotaCheck";
import { runMigration } from "../migration/runMigration";
import { datacenterStackFile, seedTenant, startLocalSharedServer } from "./migrationFixtures";

async function main(): Promise<void> {
  const tickets = Number(process.env.BENCH_TICKETS ?? 1000);
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-bench-migrate-"));
  const shared = await startLocalSharedServer(baseDir, "bench");
  let target: LocalProcessTarget | undefined;
  try {
    target = await LocalProcessTarget.create({ customer: "bench", baseDir: path.join(baseDir, "target"), shared: shared.endpoints, initial: { edition: "datacenter", lines: 1 } });
    const seedStart = Date.now();
    await seedTenant((await target.current()).database, tickets);
    const seedMs = Date.now() - seedStart;
    const stackPath = path.join(baseDir, "Pulumi.bench.yaml");
    const text = datacenterStackFile("bench");
    fs.writeFileSync(stackPath, text);
    const view = await target.current();
    const plan = planMigration({
      stackName: "bench",
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
    const rows = r.sourceChecksums.reduce((a, t) => a + t.rows, 0);
    console.log(
      JSON.stringify({
        bench: "migrate",
        from: "datacenter",
        to: "dedicated",
        tickets,
        rows,
        seedMs,
        maintenanceWindowSeconds: Math.round(r.maintenanceMs) / 1000,
        targetSeconds: 30,
        withinTarget: r.maintenanceMs <= 30_000,
        plannedDowntimeSeconds: plan.downtime.seconds,
        steps: Object.fromEntries(r.steps.map((s) => [s.step, s.ms])),
      }),
    );
  } finally {
    await target?.stop();
    await shared.stop();
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
