import { diffPlans } from "../../planner/planDiff";
import { gitFixture, GitFixture, runCli } from "../support/gitFixture";

jest.setTimeout(120_000);

let fx: GitFixture;
beforeEach(() => {
  fx = gitFixture();
});
afterEach(() => fx.remove());

const diff = (stack: string, base: string, ...more: string[]) => runCli(["diff", stack, "--base", base, "--stacks-dir", fx.stacks, ...more]);

/** globex (Dedicated Server, shared FSB) becomes High Performance: its own FSB emulator. */
function toHighPerformance(c: Record<string, unknown>) {
  c["lchost:edition"] = "high-performance";
  c["lchost:fsb"] = { mode: "emulator", signLatencyMs: 50 };
  delete c["lchost:fsbToken"];
}

test("Dedicated -> High Performance -> High Availability loses no data; the database volume stays", async () => {
  fx.editStack("globex", toHighPerformance);
  fx.commit("globex: High Performance");
  const toHp = await diff("globex", "HEAD~1");
  expect(toHp.code).toBe(0);
  expect(toHp.out).toMatch(/\+ create +docker:index\/container:Container fsb-1/);
  expect(toHp.out).not.toMatch(/docker:index\/volume:Volume db-data\b/); // unchanged: same URN, same inputs
  expect(toHp.out).toContain("no data loss");

  fx.editStack("globex", (c) => {
    c["lchost:edition"] = "high-availability";
    c["lchost:lines"] = 2;
  });
  fx.commit("globex: High Availability");
  const toHa = await diff("globex", "HEAD~1");
  expect(toHa.code).toBe(0);
  expect(toHa.out).toMatch(/\+ create +docker:index\/volume:Volume db-data-2/);
  expect(toHa.out).toMatch(/\+ create +docker:index\/volume:Volume db-data-3/);
  expect(toHa.out).not.toContain("DATA LOSS");

  const whole = await diff("globex", "HEAD~2", "--json");
  const d = JSON.parse(whole.out);
  expect(d.dataLoss).toEqual([]);
  expect(d.changes.find((c: any) => c.name === "db-data")).toBeUndefined();
});

test("renaming the customer replaces the database volume: DATA LOSS, exit 1", async () => {
  fx.editStack("globex", (c) => (c["lchost:customer"] = "globex2"));
  fx.commit("rename");
  const r = await diff("globex", "HEAD~1");
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/± replace +docker:index\/volume:Volume db-data \(labels, name\) {2}DATA LOSS/);
  expect(r.out).toContain(
    "DATA LOSS: database volume 'lc-globex-db-data' (db-data) would be replaced (labels, name changed: now 'lc-globex2-db-data'); the new volume starts empty (retainOnDelete keeps the old Docker volume, but nothing uses it any more)",
  );
  expect(r.out).toContain("refusing: this change loses data; re-run with --allow-data-loss if that is intended");
});

test("--allow-data-loss still reports the loss but exits 0", async () => {
  fx.editStack("globex", (c) => (c["lchost:customer"] = "globex2"));
  fx.commit("rename");
  const r = await diff("globex", "HEAD~1", "--allow-data-loss");
  expect(r.code).toBe(0);
  expect(r.out).toContain("DATA LOSS: database volume 'lc-globex-db-data'");
});

test("going from High Availability to High Performance drops two database volumes: DATA LOSS", async () => {
  fx.editStack("wayne", (c) => {
    c["lchost:edition"] = "high-performance";
    delete c["lchost:lines"];
  });
  fx.commit("wayne: downgrade");
  const r = await diff("wayne", "HEAD~1", "--json");
  expect(r.code).toBe(1);
  const d = JSON.parse(r.out);
  expect(d.dataLoss).toEqual([
    "database volume 'lc-wayne-db-data-2' (db-data-2) would be deleted (retainOnDelete keeps the old Docker volume, but nothing uses it any more)",
    "database volume 'lc-wayne-db-data-3' (db-data-3) would be deleted (retainOnDelete keeps the old Docker volume, but nothing uses it any more)",
  ]);
  expect(d.changes.filter((c: any) => c.dataLoss).map((c: any) => [c.action, c.name])).toEqual([
    ["delete", "db-data-2"],
    ["delete", "db-data-3"],
  ]);
});

test("a Datacenter tenant renamed on its shared server moves to another database: DATA LOSS", async () => {
  fx.editStack("acme", (c) => (c["lchost:customer"] = "acme-corp"));
  fx.editStack("shared-dc1", (c) => (c["lchost:tenants"] = ["acme-corp", "initech"]));
  fx.commit("rename tenant");
  const r = await diff("acme", "HEAD~1");
  expect(r.code).toBe(1);
  expect(r.out).toContain("DATA LOSS: tenant database 'lc_acme' on lc-shared-dc1-db would no longer be used by License Central");
});

test("diff names the problem when the ref does not exist", async () => {
  const r = await diff("globex", "no-such-ref");
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/no-such-ref/);
});

test("diffPlans: a changed memory limit is an in-place update, a changed image a replacement", () => {
  const res = (inputs: Record<string, unknown>) => ({
    urn: "u",
    type: "docker:index/container:Container",
    name: "c",
    custom: true,
    inputs,
    retainOnDelete: false,
    protect: false,
    additionalSecretOutputs: [],
    dependsOn: [],
  });
  const plan = (inputs: Record<string, unknown>) => ({ stack: "s", resources: [res(inputs)], outputs: {}, millis: 0 });
  expect(diffPlans(plan({ image: "a", memory: 1 }), plan({ image: "a", memory: 2 })).changes.map((c) => c.action)).toEqual(["update"]);
  expect(diffPlans(plan({ image: "a", memory: 1 }), plan({ image: "b", memory: 1 })).changes.map((c) => c.action)).toEqual(["replace"]);
});
