/**
 * Issue 6: "every pair of editions works in both directions". One closed walk from Datacenter takes each
 * of the 12 ordered pairs of the four editions exactly once (High Availability with 3 lines: single
 * database <-> 3-node Galera cluster), on the real sandbox (SandboxTarget) with 200 activated tickets.
 * After every step: identical per-table SHA-256 on every node, the same month's usage, the stack file
 * says the new edition, and an activation through the customer's stable entry succeeds.
 */
import { EDITION_IDS, EditionId } from "../../model/catalog";
import { tableChecksums } from "../../migration/databaseCopy";
import {
  activateThroughEntry,
  business,
  currentStack,
  everyOrderedPairWalk,
  migrate,
  SandboxCustomer,
  startDatacenterCustomer,
  stopCustomer,
  usageNow,
} from "./support/sandboxCustomer";

jest.setTimeout(240_000);

const TICKETS = 200;
const HA_LINES = 3;
const walk = everyOrderedPairWalk<EditionId>(EDITION_IDS, "datacenter");
const steps = walk.slice(1).map((to, i) => [walk[i], to] as const);
let initech: SandboxCustomer;

beforeAll(async () => {
  initech = await startDatacenterCustomer("initech", TICKETS);
});

afterAll(async () => {
  await stopCustomer(initech);
});

test("the walk starts and ends at Datacenter and takes each of the 12 ordered pairs of editions exactly once", () => {
  expect(EDITION_IDS).toHaveLength(4);
  expect(walk[0]).toBe("datacenter");
  expect(walk[walk.length - 1]).toBe("datacenter");
  const pairs = steps.map(([from, to]) => `${from} -> ${to}`);
  const every = EDITION_IDS.flatMap((from) => EDITION_IDS.filter((to) => to !== from).map((to) => `${from} -> ${to}`));
  expect(every).toHaveLength(12);
  expect([...pairs].sort()).toEqual([...every].sort());
});

describe.each(steps.map(([from, to], i) => [i + 1, from, to] as const))("step %i: %s -> %s", (_n, from, to) => {
  test("same checksums on every node, same usage, an activation through the same entry", async () => {
    expect(currentStack(initech).config.edition).toBe(from);
    const usageBefore = await usageNow(initech);
    const entryBefore = initech.target.entryInfo().url;
    const lines = to === "high-availability" ? HA_LINES : undefined;
    const r = await migrate(initech, to, lines);
    expect(r.outcome).toBe("migrated");
    initech.report.push(`  => ${from} -> ${to}: maintenance window ${(r.maintenanceMs / 1000).toFixed(2)} s`);
    const view = await initech.target.current();
    expect(view.shape).toEqual({ edition: to, lines: lines ?? 1 });
    const now = await Promise.all(view.databaseNodes.map((n) => tableChecksums(n, { galera: view.galera })));
    expect(now).toHaveLength(to === "high-availability" ? 3 : 1);
    for (const node of now) expect(business(node)).toEqual(business(r.sourceChecksums));
    expect(r.sourceChecksums.find((t) => t.table === "lc_tickets")!.rows).toBeGreaterThanOrEqual(TICKETS);
    expect(await usageNow(initech)).toEqual(usageBefore);
    expect(currentStack(initech).config).toMatchObject({ edition: to, lines: lines ?? 1 });
    expect(initech.target.entryInfo().url).toBe(entryBefore);
    expect(await activateThroughEntry(initech, `${from}-${to}`)).toBe(201);
  });
});
