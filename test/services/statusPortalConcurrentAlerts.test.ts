/**
 * Alertmanager posts many alert groups at once (a host going down fires one per part and customer): every post
 * must be taken and open its own incident. The store's "is one open for this key? else insert" locked the gap of a
 * key not there yet (SELECT … FOR UPDATE under REPEATABLE READ); two such transactions then deadlocked on each
 * other's gap at INSERT, and under a burst some exhausted their retries (5xx). Under READ COMMITTED no gap is
 * locked: the unique open_key makes a second insert of the same key wait and fail as a duplicate, which is retried.
 */
import { amAlert, amPayload, PortalHarness, postAlerts, startPortal } from "../support/portalHarness";

jest.setTimeout(120_000);

let p: PortalHarness;
beforeAll(async () => {
  p = await startPortal();
});
afterAll(async () => {
  await p?.stop();
});

const CUSTOMERS = ["acme", "globex", "initech"];

test("60 alert groups posted at once: every post taken, one open incident each", async () => {
  const posts = Array.from({ length: 60 }, (_, i) =>
    amPayload([
      amAlert(
        { customer: CUSTOMERS[i % 3], part: `line-${Math.floor(i / 3) + 1}`, alertname: "LineDown" },
        { startsAt: new Date(Date.now() - 60_000).toISOString() },
      ),
    ]),
  );
  const answers = await Promise.all(posts.map((body) => postAlerts(p.url, body)));
  const tally: Record<number, number> = {};
  for (const a of answers) tally[a.status] = (tally[a.status] ?? 0) + 1;
  expect(tally).toEqual({ 200: 60 });
  expect(Number((await p.db.query("SELECT COUNT(*) AS n FROM portal_incidents WHERE resolved_at IS NULL"))[0].n)).toBe(60);
});

test("the same alert group posted 20 times at once opens one incident", async () => {
  const body = amPayload([
    amAlert({ customer: "globex", part: "fsb-1", component: "fsb", alertname: "FsbDown" }, { startsAt: new Date(Date.now() - 30_000).toISOString() }),
  ]);
  const answers = await Promise.all(Array.from({ length: 20 }, () => postAlerts(p.url, body)));
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(Number((await p.db.query("SELECT COUNT(*) AS n FROM portal_incidents WHERE open_key LIKE '%fsb-1%' AND resolved_at IS NULL"))[0].n)).toBe(1);
});
