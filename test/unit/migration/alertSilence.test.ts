import { migrationSilence, silenceWindowSeconds } from "../../../migration/alertSilence";
import type { MigrationPlan } from "../../../migration/migrationPlan";
import { redeploySteps } from "../../../migration/redeployOrder";
import { stagedSteps } from "../../../migration/stagedOrder";

const plan = {
  stackName: "globex",
  from: { edition: "dedicated", lines: 1 },
  to: { edition: "high-availability", lines: 3 },
  downtime: { seconds: 42, parts: [] },
} as unknown as MigrationPlan;

test("the silence lasts the estimated window doubled plus 15 minutes", () => {
  expect(silenceWindowSeconds(42)).toBe(84 + 900);
  expect(silenceWindowSeconds(0)).toBe(900);
});

test("a migration's silence matches the customer, starts now and says what the migration does", () => {
  const now = new Date("2026-11-28T08:00:00Z");
  expect(migrationSilence(plan, now)).toEqual({
    matchers: [{ name: "customer", value: "globex", isRegex: false, isEqual: true }],
    startsAt: now,
    endsAt: new Date(now.getTime() + 984_000),
    createdBy: "lchost",
    comment: "lchost migrate: edition change dedicated (1 line(s)) -> high-availability (3 line(s))",
  });
});

test.each([
  ["staged", stagedSteps()],
  ["redeploy", redeploySteps()],
])("the %s order silences alerts first (with its undo) and ends the silence last", (_order, steps) => {
  const c = { silenceId: "abc", opts: { alertSilencer: {} }, plan } as any;
  expect(steps[0].hook).toBe("silence");
  expect(steps[0].undo).toBeDefined();
  expect((steps[steps.length - 1].name as (c: unknown) => string)(c)).toBe("end the alert silence abc");
  expect(steps.findIndex((s) => s.pointOfNoReturn)).toBeLessThan(steps.length - 1);
});

test("without an Alertmanager neither silence step runs", () => {
  const c = { opts: {}, plan } as any;
  for (const steps of [stagedSteps(), redeploySteps()]) {
    expect(steps[0].when!(c)).toBe(false);
    expect(steps[steps.length - 1].when!(c)).toBe(false);
  }
});
