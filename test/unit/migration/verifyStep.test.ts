/**
 * The window's verify step: every node of the new database checked against the source's checksums, all
 * nodes at once, and a difference on any node names that node and fails the step.
 */
import type { DbConnection } from "../../../migration/databaseCopy";
import type { TableChecksum } from "../../../migration/tableChecksums";

const calls: Array<{ host: string; release: () => void }> = [];
const answers = new Map<string, TableChecksum[]>();

jest.mock("../../../migration/databaseCopy", () => ({
  dumpDatabase: jest.fn(),
  tableChecksums: (node: { host: string }) =>
    new Promise<TableChecksum[]>((resolve) => calls.push({ host: node.host, release: () => resolve(answers.get(node.host)!) })),
}));

import { MigrationRun, verifyStep } from "../../../migration/migrationSteps";

const SOURCE: TableChecksum[] = [
  { table: "lc_tickets", rows: 3, sha256: "aaa" },
  { table: "lc_activations", rows: 2, sha256: "bbb" },
];
const node = (host: string) => ({ host, port: 3306, user: "u", password: "p", database: "license_central" }) as DbConnection;
const NODES = [node("db-1"), node("db-2"), node("db-3")];

function run(): MigrationRun {
  return { source: SOURCE, verified: [] } as unknown as MigrationRun;
}

/** Runs the step and releases the nodes' reads only once all three have started (fails if they run one by one). */
async function verify(c: MigrationRun): Promise<string | void> {
  const step = verifyStep(() => ({ nodes: NODES, galera: true }));
  const done = (step.run as (c: MigrationRun) => Promise<string | void>)(c);
  for (let i = 0; i < 50 && calls.length < NODES.length; i++) await new Promise((r) => setImmediate(r));
  expect(calls.map((x) => x.host)).toEqual(["db-1", "db-2", "db-3"]);
  calls.splice(0).forEach((x) => x.release());
  return done;
}

beforeEach(() => {
  calls.length = 0;
  for (const n of NODES)
    answers.set(
      n.host,
      SOURCE.map((t) => ({ ...t })),
    );
});

test("identical nodes: every node's checksums are kept, read at the same time", async () => {
  const c = run();
  await expect(verify(c)).resolves.toBe("2 tables identical on 3 node(s)");
  expect(c.verified).toHaveLength(3);
});

test("a node that differs fails the step naming that node and the table; the others are not blamed", async () => {
  answers.set("db-2", [SOURCE[0], { table: "lc_activations", rows: 1, sha256: "ccc" }]);
  answers.set("db-3", [SOURCE[0], { ...SOURCE[1], sha256: "ddd" }]);
  const c = run();
  const err = await verify(c).then(
    () => undefined,
    (e: Error) => e.message,
  );
  expect(err).toMatch(
    /^db-2:3306\/license_central: table lc_activations: 1 rows in the new database, 2 in the source \| db-3:3306\/license_central: table lc_activations: same 2 rows but different content/,
  );
  expect(err).not.toContain("db-1");
  expect(c.verified).toHaveLength(0);
});
