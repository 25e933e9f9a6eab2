/**
 * tableChecksums against a real MariaDB: the schema's columns and primary keys are read in two queries for
 * all tables (migration/databaseCopy.ts), so each table must still get its own columns and key order —
 * a composite key, a table without a primary key, a view (not a table) and a same-named table in another
 * schema must not mix in.
 */
import * as mysql from "mysql2/promise";
import { tableChecksums } from "../../migration/databaseCopy";
import { createTestDatabase, dropTestDatabase, testDbSettings } from "../support/mariadbServer";

jest.setTimeout(60_000);

const SCHEMA = [
  "CREATE TABLE a_keyed (k2 INT NOT NULL, k1 INT NOT NULL, v VARCHAR(20), PRIMARY KEY (k1, k2))",
  "CREATE TABLE b_nokey (x INT, y VARCHAR(10))",
  "CREATE VIEW c_view AS SELECT k1 FROM a_keyed",
];

async function fill(db: string, order: "forward" | "backward", extra = ""): Promise<void> {
  const conn = await mysql.createConnection({ ...testDbSettings(), database: db, multipleStatements: true });
  try {
    for (const s of SCHEMA) await conn.query(s);
    const keyed = [
      [2, 1, "b"],
      [1, 2, "c"],
      [1, 1, "a"],
    ];
    const nokey = [
      [3, "z"],
      [1, "x"],
      [2, null],
    ];
    for (const r of order === "forward" ? keyed : [...keyed].reverse()) await conn.query("INSERT INTO a_keyed (k2, k1, v) VALUES (?, ?, ?)", r);
    for (const r of order === "forward" ? nokey : [...nokey].reverse()) await conn.query("INSERT INTO b_nokey (x, y) VALUES (?, ?)", r);
    if (extra) await conn.query(extra);
  } finally {
    await conn.end();
  }
}

const dbs: string[] = [];
afterAll(async () => {
  for (const d of dbs) await dropTestDatabase(d);
});

async function fresh(order: "forward" | "backward", extra = ""): Promise<string> {
  const db = await createTestDatabase("cksum");
  dbs.push(db);
  await fill(db, order, extra);
  return db;
}

const sums = (database: string) => tableChecksums({ ...testDbSettings(), database });

test("each base table once, in name order, the same whatever order the rows were written in", async () => {
  const one = await sums(await fresh("forward"));
  const two = await sums(await fresh("backward"));
  expect(one.map((t) => [t.table, t.rows])).toEqual([
    ["a_keyed", 3],
    ["b_nokey", 3],
  ]);
  expect(two).toEqual(one);
});

test("a changed value, or a table of the same name in another schema, is seen for what it is", async () => {
  const base = await sums(await fresh("forward"));
  const changed = await sums(await fresh("forward", "UPDATE a_keyed SET v = 'B' WHERE k1 = 1 AND k2 = 2"));
  expect(changed.find((t) => t.table === "a_keyed")!.sha256).not.toBe(base.find((t) => t.table === "a_keyed")!.sha256);
  expect(changed.find((t) => t.table === "b_nokey")).toEqual(base.find((t) => t.table === "b_nokey"));
  // another schema with an a_keyed of other columns must not lend its columns or key to ours
  const other = await createTestDatabase("cksum_other");
  dbs.push(other);
  const conn = await mysql.createConnection({ ...testDbSettings(), database: other });
  await conn.query("CREATE TABLE a_keyed (zz INT PRIMARY KEY)");
  await conn.end();
  expect(await sums(dbs[dbs.length - 2])).toEqual(changed);
});
