/**
 * The alert silence of `lchost migrate` (migration/alertSilence.ts) run by the real step runner against the
 * real Alertmanager: it silences the customer's alerts while the migration runs, ends when the migration
 * ends, is expired by a rollback, and a missing Alertmanager stops the migration before anything changes.
 */
import { AlertmanagerClient } from "../../render/alertmanager/api";
import { endAlertSilenceStep, silenceAlertsStep } from "../../migration/alertSilence";
import type { MigrationRun } from "../../migration/migrationSteps";
import { ProgressLog } from "../../migration/progressLog";
import { runSteps, Step, StepsRolledBack } from "../../migration/stepRunner";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";

jest.setTimeout(120_000);

let am: RunningAlertmanager;
beforeAll(async () => {
  am = await startAlertmanager();
});
afterAll(async () => am?.stop());

function run(customer: string, url = am.url): { c: MigrationRun; lines: string[] } {
  const lines: string[] = [];
  const log = new ProgressLog((l) => lines.push(l));
  const plan = {
    stackName: customer,
    from: { edition: "dedicated", lines: 1 },
    to: { edition: "high-performance", lines: 1 },
    downtime: { seconds: 20, parts: [] },
  };
  const c = { opts: { log, alertSilencer: new AlertmanagerClient(url, { timeoutMs: 2000 }) }, plan } as unknown as MigrationRun;
  return { c, lines };
}

/** Alertmanager's verdict on a firing alert of `customer` posted now. */
async function alertState(customer: string, alertname: string): Promise<string> {
  const labels = { alertname, customer, severity: "critical", component: "line", part: "line-1" };
  await fetch(`${am.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ labels, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString() }]),
  });
  for (let i = 0; i < 50; i++) {
    const alerts = (await (await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`)).json()) as any[];
    const a = alerts.find((x) => x.labels.customer === customer);
    if (a) return a.status.state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alert ${alertname} of ${customer} never showed`);
}

const silencesOf = async (customer: string) =>
  (await new AlertmanagerClient(am.url).listSilences()).filter((s) => s.matchers.some((m) => m.name === "customer" && m.value === customer));

const during = (check: () => Promise<void>): Step<MigrationRun> => ({ name: "maintenance (checked)", run: check });
const failing: Step<MigrationRun> = { name: "restore", run: async () => Promise.reject(new Error("restore broke")) };

test("during the migration the customer's alerts are silenced (another customer's are not); the silence ends with the migration", async () => {
  const { c, lines } = run("globex");
  let inside: string[] = [];
  await runSteps(
    [
      silenceAlertsStep(),
      during(async () => {
        inside = [await alertState("globex", "LineDown"), await alertState("hooli", "LineDown")];
      }),
      endAlertSilenceStep(),
    ],
    c,
    { log: c.opts.log },
  );
  expect(inside).toEqual(["suppressed", "active"]);
  const [s] = await silencesOf("globex");
  expect(s).toMatchObject({
    state: "expired",
    createdBy: "lchost",
    comment: "lchost migrate: edition change dedicated (1 line(s)) -> high-performance (1 line(s))",
  });
  expect(lines[0]).toMatch(new RegExp(`ok +silence globex's alerts in Alertmanager .*: silence ${s.id} until \\S+ at the latest`));
  expect(lines[2]).toMatch(new RegExp(`ok +end the alert silence ${s.id}`));
  expect(await alertState("globex", "LineDown2")).toBe("active");
});

test("a rollback expires the silence (the undo runs after the old deployment is back)", async () => {
  const { c, lines } = run("wayne");
  const err = await runSteps([silenceAlertsStep(), failing, endAlertSilenceStep()], c, { log: c.opts.log }).catch((e) => e);
  expect(err).toBeInstanceOf(StepsRolledBack);
  const [s] = await silencesOf("wayne");
  expect(s.state).toBe("expired");
  expect(lines.join("\n")).toMatch(new RegExp(`ok +end the alert silence ${s.id}`));
});

test("an Alertmanager that cannot be reached stops the migration at its first step, nothing changed", async () => {
  const { c } = run("initech", "http://127.0.0.1:9");
  const done: string[] = [];
  const err = await runSteps([silenceAlertsStep(), { name: "maintenance on", run: async () => void done.push("maintenance") }], c, { log: c.opts.log }).catch(
    (e) => e,
  );
  expect(err).toBeInstanceOf(StepsRolledBack);
  expect(err.message).toMatch(/Alertmanager not reachable .*; the migration did not start, nothing changed/);
  expect(done).toEqual([]);
});

test("an Alertmanager gone by the end does not fail a migration that is done: the line says the silence was not expired", async () => {
  const { c, lines } = run("hooli");
  await runSteps(
    [
      silenceAlertsStep(),
      during(async () => {
        (c.opts as any).alertSilencer = new AlertmanagerClient("http://127.0.0.1:9", { timeoutMs: 500 });
      }),
      endAlertSilenceStep(),
    ],
    c,
    { log: c.opts.log },
  );
  const [s] = await silencesOf("hooli");
  expect(s.state).toBe("active");
  expect(lines.join("\n")).toMatch(new RegExp(`WARNING: the alert silence ${s.id} could not be expired .*lchost maintenance unsilence ${s.id}`));
  expect(lines[lines.length - 1]).toMatch(/ok +end the alert silence .*: NOT expired/);
});
