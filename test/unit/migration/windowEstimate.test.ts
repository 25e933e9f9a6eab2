/**
 * Issue 16.14: the plan's maintenance window comes from the order that will actually run. Every ordered
 * pair of editions is planned for the Docker target (docker-run: a new generation started beside the old
 * deployment; `pulumi up`: the update inside the window), then run by the real order (redeployOrder.ts,
 * the real step runner) against a target that answers at once: the steps that ran between "maintenance on"
 * and "maintenance off" must be, one for one and in order, the parts of the plan's estimate. Pure: the
 * admin calls and the checksums are stubbed, nothing is started.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dockerStackFiles, everyOrderedPairWalk } from "../../../bench/migrationFixtures";
import { EDITION_IDS, EditionId } from "../../../model/catalog";
import { parseStackFileText } from "../../../model/stackFile";
import type { CustomerConfig } from "../../../model/stackConfig";
import type { DeploymentView, RedeployTarget, Redeployment, StagedNew } from "../../../migration/deploymentTarget";
import { DeploymentShape, MigrationPlan, planMigration } from "../../../migration/migrationPlan";
import { ProgressLog } from "../../../migration/progressLog";
import { runMigration } from "../../../migration/runMigration";
import { WINDOW_STEP } from "../../../migration/windowSteps";

jest.mock("../../../migration/maintenanceClient", () => ({
  setMaintenance: async () => undefined,
  waitUntilQuiet: async () => undefined,
  waitUntilReady: async () => undefined,
}));
jest.mock("../../../migration/databaseCopy", () => ({
  ...jest.requireActual("../../../migration/databaseCopy"),
  tableChecksums: async () => [{ table: "lc_tickets", rows: 1000, sha256: "same" }],
}));

function view(shape: DeploymentShape, side: string): DeploymentView {
  const db = { host: side, port: 3306, user: "u", password: "p", database: "license_central" };
  return {
    shape,
    entryUrl: "https://x.lchost.test:443",
    lines: Array.from({ length: shape.lines }, (_, i) => ({ name: `${side}-line-${i + 1}`, publicUrl: "", adminUrl: "" })),
    database: db,
    databaseNodes: shape.edition === "high-availability" ? [db, db, db] : [db],
    galera: shape.edition === "high-availability",
    adminToken: "token",
  };
}

/** A Docker target that answers at once: it stages the whole new side when the deployer can (as the plan predicts it). */
class InstantTarget implements RedeployTarget {
  readonly name = "instant";
  readonly order = "redeploy";
  private staged?: DeploymentView;
  constructor(
    private readonly plan: MigrationPlan,
    readonly stagesGeneration: boolean,
  ) {}
  async current() {
    return view(this.plan.from, "old");
  }
  async stageNew(shape: DeploymentShape): Promise<StagedNew> {
    this.staged = this.plan.stagedWhole ? view(shape, "new") : undefined;
    return { description: "staged", view: this.staged };
  }
  async discardStaged() {}
  async redeploy(shape: DeploymentShape): Promise<Redeployment> {
    return { view: this.staged ?? view(shape, "new"), dataInPlace: !this.plan.data.moves, description: "deployed" };
  }
  async redeployOld(shape: DeploymentShape) {
    return view(shape, "old");
  }
  async dumpDatabase() {
    return { bytes: 1 };
  }
  async restoreDatabase() {}
  async retireOld() {
    return { retained: [], removed: [] };
  }
  async cleanup() {
    return [];
  }
  async close() {}
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-window-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Plans `to` from the stack file text, runs the order, answers the plan and the steps inside the window. */
async function planAndRun(text: string, to: EditionId, stagesGeneration: boolean): Promise<{ plan: MigrationPlan; window: string[]; next: string }> {
  const file = path.join(dir, "Pulumi.mwin.yaml");
  fs.writeFileSync(file, text);
  const current = parseStackFileText(text, file).config as CustomerConfig;
  const plan = planMigration({
    stackName: "mwin",
    stackFileText: text,
    stackFilePath: file,
    current,
    target: { edition: to, lines: to === "high-availability" ? 3 : undefined },
    usage: [],
    rows: 4000,
    order: "redeploy",
    stagesGeneration,
  });
  expect(plan.refusals).toEqual([]);
  const log = new ProgressLog(() => undefined);
  await runMigration({ plan, target: new InstantTarget(plan, stagesGeneration), log, workDir: dir, stackFile: { path: file, oldText: text } });
  const names = log.steps.map((s) => s.step);
  const window = names.slice(names.indexOf(WINDOW_STEP.maintenanceOn), names.indexOf(WINDOW_STEP.maintenanceOff) + 1);
  return { plan, window, next: plan.stackFile.text };
}

describe("the plan's window is the order that runs, step by step (every ordered pair)", () => {
  const walk = everyOrderedPairWalk<EditionId>(EDITION_IDS, "datacenter");
  const start = dockerStackFiles("mwin", "mwin-shared", { shared: 18481, customer: 18482 }, { sharedFsbForDedicated: true }).customer;

  test.each([
    ["docker-run (a new generation staged beside the old deployment)", true],
    ["pulumi up (the update inside the window)", false],
  ])("%s", async (_what, stagesGeneration) => {
    let text = start;
    for (let n = 1; n < walk.length; n++) {
      const { plan, window, next } = await planAndRun(text, walk[n], stagesGeneration);
      const pair = `${walk[n - 1]} -> ${walk[n]}`;
      expect([pair, window]).toEqual([pair, plan.downtime.parts.map((p) => p.step)]);
      expect(plan.downtime.seconds).toBeCloseTo(
        plan.downtime.parts.reduce((a, p) => a + p.seconds, 0),
        0,
      );
      // docker-run: every change is the next generation, the whole new side staged; pulumi up keeps the names
      expect([pair, plan.stagedWhole, plan.newGeneration]).toEqual([pair, stagesGeneration, stagesGeneration ? n : undefined]);
      text = next;
    }
  });

  test("staged whole, the window holds the copy, the verification and the switch only: no deployment inside it", async () => {
    const { plan, window } = await planAndRun(start, "high-performance", true);
    expect(window).not.toContain(WINDOW_STEP.deploy);
    expect(window).toEqual(expect.arrayContaining([WINDOW_STEP.restore, WINDOW_STEP.verify, WINDOW_STEP.switchEntry]));
    expect(plan.downtime.seconds).toBeLessThan(10);
  });

  test("a Datacenter line keeps its name: an own server deployed before generations cannot stage its move to Datacenter", async () => {
    const legacyHp = planMigration({
      stackName: "mwin",
      stackFileText: start,
      stackFilePath: "/x/Pulumi.mwin.yaml",
      current: parseStackFileText(start, "/x/Pulumi.mwin.yaml").config as CustomerConfig,
      target: { edition: "high-performance" },
      usage: [],
      rows: 10,
      order: "redeploy",
      stagesGeneration: false,
    }).stackFile.text;
    const { plan, window } = await planAndRun(legacyHp, "datacenter", true);
    expect(plan.stagedWhole).toBe(false);
    expect(window).toContain(WINDOW_STEP.deploy);
    expect(window).toEqual(plan.downtime.parts.map((p) => p.step));
  });
});
