/**
 * lchost migrate end to end on the sandbox (`lchost sandbox`: real MariaDB/Galera, HAProxy, FSB emulators
 * and License Central lines, from the rendered files): a Datacenter tenant with 1,000 activated tickets
 * on its shared server's sandbox goes Datacenter -> Dedicated -> High Performance -> HA (3 lines) -> High
 * Performance -> Datacenter. After every step the data is identical (per-table SHA-256), the month's usage
 * is unchanged and the customer's entry (the same address all along) serves activations; a failure after
 * the dump rolls back; HA lines come and go under load without a failed request.
 */
import * as fs from "fs";
import * as path from "path";
import { adminTicket } from "../../bench/migrationFixtures";
import { EditionId } from "../../model/catalog";
import { parseStackFileText } from "../../model/stackFile";
import type { CustomerConfig } from "../../model/stackConfig";
import { tableChecksums } from "../../migration/databaseCopy";
import { planMigration } from "../../migration/migrationPlan";
import { ProgressLog } from "../../migration/progressLog";
import { MigrationRolledBack, runMigration } from "../../migration/runMigration";
import {
  activateThroughEntry as activate,
  business,
  migrate as migrateCustomer,
  SandboxCustomer,
  startDatacenterCustomer,
  stopCustomer,
  throughEntry as entry,
  usageNow as usage,
} from "./support/sandboxCustomer";

jest.setTimeout(240_000);

const CUSTOMER = "acme";
const TICKETS = 1000;
let acme: SandboxCustomer;

beforeAll(async () => {
  acme = await startDatacenterCustomer(CUSTOMER, TICKETS);
});

afterAll(async () => {
  await stopCustomer(acme);
});

const usageNow = () => usage(acme);
const migrate = (edition: EditionId, lines?: number, beforeStep?: (s: string) => Promise<void>) => migrateCustomer(acme, edition, lines, beforeStep);
const throughEntry = (method: string, urlPath: string, body?: unknown) => entry(acme, method, urlPath, body);
const activateThroughEntry = (tag: string) => activate(acme, tag);

describe("lchost migrate on the sandbox", () => {
  test("a failure after the dump (the restore target killed) leaves the customer on Datacenter with its data intact, and says so", async () => {
    const before = await tableChecksums((await acme.target.current()).database);
    const usageBefore = await usageNow();
    const entryBefore = acme.target.entryInfo().url;
    const kill = async (step: string) => {
      if (step !== "restore") return;
      const next = acme.target.deployments().next!;
      next.kill(next.endpoints[CUSTOMER].databases[0].process, "SIGKILL");
    };
    const err = await migrate("dedicated", undefined, kill).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationRolledBack);
    expect(err.message).toMatch(/rolled back: acme stays on datacenter, its data intact \(7 tables, same checksums as at the dump\)/);
    expect((await acme.target.current()).shape.edition).toBe("datacenter");
    expect(parseStackFileText(fs.readFileSync(acme.stackPath, "utf8"), acme.stackPath).config).toMatchObject({ edition: "datacenter" });
    expect(business(await tableChecksums((await acme.target.current()).database))).toEqual(business(before));
    expect(await usageNow()).toEqual(usageBefore);
    expect(acme.target.deployments().next).toBeUndefined();
    expect(acme.target.entryInfo().url).toBe(entryBefore);
    expect(await activateThroughEntry("after-rollback")).toBe(201);
  });

  const chain: Array<[EditionId, number | undefined]> = [
    ["dedicated", undefined],
    ["high-performance", undefined],
    ["high-availability", 3],
    ["high-performance", undefined],
    ["datacenter", undefined],
  ];
  for (const [edition, lines] of chain) {
    test(`moves to ${edition}${lines ? ` with ${lines} lines` : ""}: same checksums, same usage, services answer at the same address`, async () => {
      const usageBefore = await usageNow();
      const entryBefore = acme.target.entryInfo().url;
      const r = await migrate(edition, lines);
      expect(r.outcome).toBe("migrated");
      acme.report.push(`  => maintenance window ${(r.maintenanceMs / 1000).toFixed(2)} s`);
      const view = await acme.target.current();
      expect(view.shape).toEqual({ edition, lines: lines ?? 1 });
      expect(view.lines).toHaveLength(lines ?? 1);
      // the new database holds exactly what the old one held at the dump, on every node
      const now = await Promise.all(view.databaseNodes.map((n) => tableChecksums(n, { galera: view.galera })));
      for (const node of now) expect(business(node)).toEqual(business(r.sourceChecksums));
      expect(r.sourceChecksums.find((t) => t.table === "lc_tickets")!.rows).toBeGreaterThanOrEqual(TICKETS);
      expect(await usageNow()).toEqual(usageBefore);
      expect(parseStackFileText(fs.readFileSync(acme.stackPath, "utf8"), acme.stackPath).config).toMatchObject({ edition, lines: lines ?? 1 });
      expect(acme.target.entryInfo().url).toBe(entryBefore);
      expect(await activateThroughEntry(edition)).toBe(201);
      if (edition === "high-availability") await scaleUnderLoad();
    });
  }

  test("the old deployments' data is kept until cleanup", async () => {
    const kept = acme.target.retainedData();
    // Datacenter's schema (renamed when the tenant came back), the Dedicated, High Performance, HA and second High Performance sandboxes
    expect(kept.length).toBe(5);
    expect(kept.some((k) => /^schema lc_acme_retired_\d+ on shared-dc1-acme$/.test(k))).toBe(true);
    expect(kept.filter((k) => /^sandbox acme-g\d+ /.test(k))).toHaveLength(4);
    expect((await acme.target.cleanup()).length).toBe(5);
    expect(acme.target.retainedData()).toEqual([]);
  });
});

/** HA 3 -> 4 -> 3 lines while two clients drive activations through the entry point: no request may fail. */
async function scaleUnderLoad(): Promise<void> {
  const v = await acme.target.current();
  const tickets: string[] = [];
  for (let i = 0; i < 120; i++) tickets.push(await adminTicket(v.lines[0].adminUrl, v.adminToken, `load-${i}-${Date.now()}`));
  const failures: string[] = [];
  let done = 0;
  let stop = false;
  const worker = async (w: number) => {
    while (!stop) {
      const ticket = tickets.pop();
      if (!ticket) return; // bounded: one activation per prepared ticket
      const res = await throughEntry("POST", `/depot/v1/tickets/${ticket}/activations`, { container: `load-${w}`, idempotencyKey: `load-${ticket}` }).catch(
        (e) => ({ status: 0, body: String(e) }),
      );
      if (res.status !== 201) failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      done++;
    }
  };
  const workers = [worker(1), worker(2)];
  const plan = (lines: number) => {
    const text = fs.readFileSync(acme.stackPath, "utf8");
    return planMigration({
      stackName: CUSTOMER,
      stackFileText: text,
      stackFilePath: acme.stackPath,
      current: parseStackFileText(text, acme.stackPath).config as CustomerConfig,
      target: { edition: "high-availability", lines },
      usage: [],
      rows: 0,
    });
  };
  for (const lines of [4, 3]) {
    const p = plan(lines);
    expect(p).toMatchObject({ kind: "scale-lines", maintenance: false });
    const r = await runMigration({
      plan: p,
      target: acme.target,
      log: new ProgressLog((l) => acme.report.push(`  ${l}`)),
      workDir: path.join(acme.baseDir, "dumps"),
      stackFile: { path: acme.stackPath, oldText: fs.readFileSync(acme.stackPath, "utf8") },
    });
    expect(r.outcome).toBe("scaled");
    expect((await acme.target.current()).lines).toHaveLength(lines);
  }
  stop = true;
  await Promise.all(workers);
  acme.report.push(`  HA 3 -> 4 -> 3 lines under load: ${done} activations, ${failures.length} failed`);
  expect(failures).toEqual([]);
  expect(done).toBeGreaterThan(20);
}
