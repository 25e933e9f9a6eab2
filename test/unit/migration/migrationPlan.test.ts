import * as fs from "fs";
import { parseStackFileText } from "../../../model/stackFile";
import type { CustomerConfig } from "../../../model/stackConfig";
import { estimateDowntime } from "../../../migration/downtimeEstimate";
import { planMigration, renderPlan } from "../../../migration/migrationPlan";
import { PARKED_KEY } from "../../../migration/stackFileChange";

const DC = `config:
  lchost:customer: acme
  lchost:edition: datacenter
  lchost:sharedServer: shared-dc1
  ${PARKED_KEY}:
    connection:
      ipAllowList: [198.51.100.0/24]
`;
const wayne = fs.readFileSync(`${__dirname}/../../../stacks/Pulumi.wayne.yaml`, "utf8");

function plan(text: string, target: any, extra: Partial<Parameters<typeof planMigration>[0]> = {}) {
  const file = "/x/Pulumi.s.yaml";
  const current = parseStackFileText(text, file).config as CustomerConfig;
  return planMigration({ stackName: "s", stackFileText: text, stackFilePath: file, current, target, usage: [], rows: 5000, ...extra });
}

describe("migration plan", () => {
  test("Datacenter -> High Performance moves the schema from the shared server to an own MariaDB under maintenance", () => {
    const p = plan(DC, { edition: "high-performance" });
    expect(p.refusals).toEqual([]);
    expect(p).toMatchObject({ kind: "edition-change", direction: "up", maintenance: true });
    expect(p.data.moves).toBe(true);
    expect(p.data.from).toBe("schema lc_acme on the shared MariaDB of shared-dc1");
    expect(p.data.to).toMatch(/^own MariaDB server lc-acme-db \(volume lc-acme-db-data\)/);
    expect(p.downtime.seconds).toBeGreaterThan(0);
    expect(p.steps[0]).toMatch(/start the new database/);
  });

  test("High Availability -> High Performance moves from the cluster to a single server, a move down", () => {
    const p = plan(wayne, { edition: "high-performance" });
    expect(p).toMatchObject({ kind: "edition-change", direction: "down" });
    expect(p.data.from).toMatch(/^3-node Galera cluster lc-wayne-db, lc-wayne-db-2, lc-wayne-db-3/);
  });

  test("Dedicated <-> High Performance keeps the data in place (same kind of database), still verified", () => {
    const hp = plan(DC, { edition: "high-performance" }).stackFile.text;
    const p = plan(hp, { edition: "dedicated" }, { stackFileText: hp });
    expect(p.data.moves).toBe(false);
    expect(p.data.description).toMatch(/data stays in own MariaDB server/);
  });

  test("changing the number of HA lines needs no maintenance and no downtime", () => {
    const p = plan(wayne, { edition: "high-availability", lines: 5 });
    expect(p).toMatchObject({ kind: "scale-lines", direction: "up", maintenance: false, downtime: { seconds: 0 } });
    expect(p.steps[1]).toMatch(/graceful reload -sf/);
    const down = plan(wayne, { edition: "high-availability", lines: 2 });
    expect(down.steps[0]).toMatch(/drain line\(s\) 3..3/);
  });

  test("a move down over the target's quota is refused naming quota and usage, and allowed with --force", () => {
    const usage = [{ month: "2026-02", activations: 30_000, deactivations: 0, webServiceCalls: 0 }];
    const p = plan(wayne, { edition: "high-performance" }, { usage });
    expect(p.refusals).toEqual([
      "quota: activations + deactivations in 2026-02: 30000 (30000 + 0) exceed High Performance's quota activationsPerMonth of 25000 (use --force to move anyway)",
    ]);
    expect(plan(wayne, { edition: "high-performance" }, { usage, force: true }).refusals).toEqual([]);
  });

  test("the same edition and line count is refused as nothing to do", () => {
    expect(plan(wayne, { edition: "high-availability", lines: 3 }).refusals[0]).toMatch(/already High Availability Package with 3 lines: nothing to do/);
  });

  test("an HA line count outside the catalog's range is refused naming --lines", () => {
    expect(plan(wayne, { edition: "high-availability", lines: 17 }).refusals).toContain(
      "--lines: 17 is not allowed for High Availability Package (allowed: 2-16)",
    );
  });

  test("the rendered plan shows stack-file edits, data movement, downtime and steps", () => {
    const text = renderPlan(plan(DC, { edition: "dedicated" })).join("\n");
    expect(text).toMatch(/Datacenter -> Dedicated Server \[edition-change, up\]/);
    expect(text).toMatch(/set +lchost:edition: datacenter -> dedicated/);
    expect(text).toMatch(/Downtime: maintenance window ~[\d.]+ s/);
  });
});

describe("downtime estimate", () => {
  test("grows with the rows, is longer into a cluster, and is zero without maintenance", () => {
    const base = { from: "single", to: "single", dataMoves: true, maintenance: true, newLines: 1 } as const;
    expect(estimateDowntime({ ...base, rows: 100_000 }).seconds).toBeGreaterThan(estimateDowntime({ ...base, rows: 1000 }).seconds);
    expect(estimateDowntime({ ...base, to: "cluster", rows: 100_000 }).seconds).toBeGreaterThan(estimateDowntime({ ...base, rows: 100_000 }).seconds);
    expect(estimateDowntime({ ...base, maintenance: false, rows: 1000 })).toEqual({ seconds: 0, parts: [] });
  });
});

describe("the window of the order that runs (issue 16.14)", () => {
  test("docker-run starts the next generation beside the old deployment: the window holds the copy and the switch only", () => {
    const staged = plan(DC, { edition: "high-availability", lines: 3 });
    const dockerRun = plan(DC, { edition: "high-availability", lines: 3 }, { order: "redeploy" });
    expect(dockerRun).toMatchObject({ order: "redeploy", newGeneration: 1, stagedWhole: true });
    expect(dockerRun.stackFile.edits).toContainEqual({ key: "lchost:generation", from: undefined, to: 1, action: "set" });
    expect(dockerRun.data.to).toMatch(/^3-node Galera cluster lc-acme-g1-db, lc-acme-g1-db-2, lc-acme-g1-db-3/);
    expect(dockerRun.downtime.parts.map((p) => p.step)).not.toContain("deploy the changed stack inside the window");
    expect(dockerRun.steps[0]).toMatch(/^write the stack file \(lchost:generation 1\) and start the new side beside the old deployment: 3-node Galera cluster/);
    // exec into the containers costs more than the sandbox's local processes
    expect(dockerRun.downtime.seconds).toBeGreaterThan(staged.downtime.seconds);
  });

  test("with pulumi up the update (a new cluster) runs inside the window and the names keep their generation", () => {
    const pulumi = plan(DC, { edition: "high-availability", lines: 3 }, { order: "redeploy", stagesGeneration: false });
    expect(pulumi.stagedWhole).toBe(false);
    expect(pulumi.stackFile.edits.map((e) => e.key)).not.toContain("lchost:generation");
    expect(pulumi.downtime.parts.find((p) => p.step === "deploy the changed stack inside the window")!.seconds).toBeGreaterThan(14);
  });

  test("on Docker every change of a generation moves the data, even between a server and a server (Dedicated <-> High Performance)", () => {
    const hp = plan(wayne, { edition: "high-performance" }, { order: "redeploy" });
    expect(hp.data.moves).toBe(true);
    expect(hp.downtime.parts.map((x) => x.step)).toContain("restore into the new database");
    const ded = plan(hp.stackFile.text, { edition: "dedicated" }, { order: "redeploy", stackFileText: hp.stackFile.text });
    expect(ded.newGeneration).toBe(2);
    expect(ded.data.description).toMatch(/restore into own MariaDB server lc-wayne-g2-db \(volume lc-wayne-g2-db-data\)/);
  });

  test("with pulumi up a cluster and a server share node 1's volume: High Availability -> Dedicated restarts it in place, no restore", () => {
    const p = plan(wayne, { edition: "dedicated" }, { order: "redeploy", stagesGeneration: false });
    expect(p.data.moves).toBe(false);
    expect(p.downtime.parts.map((x) => x.step)).not.toContain("restore into the new database");
  });
});
