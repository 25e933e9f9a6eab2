/**
 * The window's dump step: the dump and the source's checksums run side by side (both only read a quiet
 * database in maintenance), and the step ends only when both have settled, so a failure of one never
 * leaves the other running into the rollback.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TableChecksum } from "../../../migration/tableChecksums";

const pending: Record<string, { resolve: (v: any) => void; reject: (e: Error) => void }> = {};
const started: string[] = [];
const promiseFor = (what: string) =>
  new Promise<any>((resolve, reject) => {
    started.push(what);
    pending[what] = { resolve, reject };
  });

jest.mock("../../../migration/databaseCopy", () => ({
  dumpDatabase: () => promiseFor("dump"),
  tableChecksums: () => promiseFor("checksums"),
}));

import { dumpSteps, MigrationRun } from "../../../migration/migrationSteps";
import { WINDOW_STEP } from "../../../migration/windowSteps";

const SOURCE: TableChecksum[] = [{ table: "lc_tickets", rows: 3, sha256: "aaa" }];
const db = { host: "db", port: 3306, user: "u", password: "p", database: "license_central" };

function run(): MigrationRun {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-dumpstep-"));
  return { source: [], verified: [], old: { database: db, galera: false }, opts: { workDir }, plan: { stackName: "acme" } } as unknown as MigrationRun;
}

async function ticks(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Starts the step; answers its promise and whether it settled before the test released anything. */
async function start(c: MigrationRun) {
  const steps = dumpSteps();
  expect(steps.map((s) => s.name)).toEqual([WINDOW_STEP.dump]);
  let settled = false;
  const done = (steps[0].run as (c: MigrationRun) => Promise<string | void>)(c).finally(() => (settled = true));
  done.catch(() => undefined);
  await ticks();
  return { done, settled: () => settled };
}

beforeEach(() => {
  started.length = 0;
});

test("the checksums start while the dump still runs, and the step reports both", async () => {
  const c = run();
  const { done } = await start(c);
  expect(started.sort()).toEqual(["checksums", "dump"]);
  pending.checksums.resolve(SOURCE);
  pending.dump.resolve({ bytes: 2048 });
  await expect(done).resolves.toMatch(/^2 KiB -> .*acme-.*\.sql; source: 1 tables, 3 rows$/);
  expect(c.source).toEqual(SOURCE);
});

test("a failed checksum read waits for the dump to end before the step fails", async () => {
  const { done, settled } = await start(run());
  pending.checksums.reject(new Error("connection lost"));
  await ticks();
  expect(settled()).toBe(false);
  pending.dump.resolve({ bytes: 10 });
  await expect(done).rejects.toThrow("connection lost");
});

test("a failed dump keeps the checksums it got: the rollback judges the old data with them", async () => {
  const c = run();
  const { done, settled } = await start(c);
  pending.dump.reject(new Error("mariadb-dump exited with 2"));
  await ticks();
  expect(settled()).toBe(false);
  pending.checksums.resolve(SOURCE);
  await expect(done).rejects.toThrow("mariadb-dump exited with 2");
  expect(c.source).toEqual(SOURCE);
});
