import { editionCatalog } from "../../../model/catalog";
import { balancerDetectsDeadLine } from "../../../policies/rules/balancerDetectsDeadLine";
import { haLinesAndDatabaseNodes } from "../../../policies/rules/haLinesAndDatabaseNodes";
import { longRunningContainersRestartAndHealthCheck } from "../../../policies/rules/longRunningContainersRestartAndHealthCheck";
import { check, checkAllExamples, container, editUpload, example, withResource, withoutResources } from "./examplePlans";

describe("ha-lines-and-database-nodes", () => {
  const policy = haLinesAndDatabaseNodes;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("an HA package with a single line is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withoutResources(wayne.plan, (r) => r.type === "docker:index/container:Container" && (r.name === "line-2" || r.name === "line-3"));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      `High Availability Package runs 1 License Central line(s); the catalog requires at least ${editionCatalog().editions["high-availability"].lines.min} (lchost:lines)`,
    ]);
  });

  test("an HA package with two database nodes is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withoutResources(wayne.plan, container("database-3"));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "High Availability Package runs 2 database node(s); the catalog requires at least 3",
    ]);
  });

  test("an HA package with an even number of database nodes is a violation", async () => {
    const wayne = await example("wayne");
    const plan = JSON.parse(JSON.stringify(wayne.plan));
    const node = plan.resources.find(container("database-3"));
    plan.resources.push({ ...JSON.parse(JSON.stringify(node)), name: "database-4", urn: node.urn.replace(/database-3$/, "database-4") });
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "High Availability Package runs 4 database nodes; a Galera cluster needs an odd number to keep a majority",
    ]);
  });
});

describe("balancer-detects-dead-line", () => {
  const policy = balancerDetectsDeadLine;
  const bound = editionCatalog().common.balancerDeadLineDetectionSeconds;

  test("every example stack passes", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("health checks slower than the catalog's bound are a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("gateway"), (i) =>
      editUpload(i, "haproxy.cfg", (cfg) => cfg.replace(/inter \d+ms fall \d+/, "inter 2000ms fall 3")),
    );
    expect((await check(policy, { ...wayne, plan })).map((x) => [x.policy, x.message])).toEqual([
      [
        "balancer-detects-dead-line",
        `backend license_central of 'lc-wayne-gateway' takes 6 s to drop a dead line (inter 2000ms x fall 3); allowed: ${bound} s`,
      ],
    ]);
  });

  test("a server without 'check' is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("gateway"), (i) => editUpload(i, "haproxy.cfg", (cfg) => cfg.replace(/(server line2 \S+) check/, "$1")));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "backend license_central of 'lc-wayne-gateway' does not health-check server(s) line2 ('check' missing)",
    ]);
  });

  test("the bound is tunable through the policy config", async () => {
    const wayne = await example("wayne"); // inter 500ms x fall 2 = 1 s
    const v = await check(policy, wayne, { config: { maxDetectionSeconds: 0.5 } });
    expect(v.map((x) => x.message)).toEqual([
      "backend license_central of 'lc-wayne-gateway' takes 1 s to drop a dead line (inter 500ms x fall 2); allowed: 0.5 s",
    ]);
  });
});

describe("long-running-containers-restart-and-health-check", () => {
  const policy = longRunningContainersRestartAndHealthCheck;

  test("every example stack passes (the one-shot setup job included)", async () => {
    expect(await checkAllExamples(policy)).toEqual({});
  });

  test("a database without a restart policy is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("database-2"), (i) => (i.restart = "no"));
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "container 'lc-wayne-db-2' has restart 'no'; allowed: always, unless-stopped, on-failure",
    ]);
  });

  test("a License Central line without a health check is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("line-1"), (i) => delete i.healthcheck);
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual(["container 'lc-wayne-line-1' has no health check (healthcheck.tests)"]);
  });

  test("a container pulumi up does not wait for until healthy is a violation", async () => {
    const wayne = await example("wayne");
    const plan = withResource(wayne.plan, container("fsb-2"), (i) => delete i.wait);
    expect((await check(policy, { ...wayne, plan })).map((x) => x.message)).toEqual([
      "container 'lc-wayne-fsb-2' is not waited for (wait: unset); pulumi up would report it created before its health check passes",
    ]);
  });

  test("every long-running container of every example is waited for, for the catalog's time", async () => {
    const timeout = editionCatalog().common.containerHealthyWithinSeconds;
    for (const name of ["wayne", "shared-dc1", "acme", "globex", "hooli"]) {
      const longRunning = (await example(name)).plan.resources.filter((r) => r.type === "docker:index/container:Container" && !r.inputs.attach);
      expect(longRunning.length).toBeGreaterThan(0);
      for (const r of longRunning) expect([r.name, r.inputs.wait, r.inputs.waitTimeout]).toEqual([r.name, true, timeout]);
    }
  });

  test("a health check disabled with NONE is a violation", async () => {
    const acme = await example("acme");
    const plan = withResource(acme.plan, container("line-1"), (i) => (i.healthcheck.tests = ["NONE"]));
    expect((await check(policy, { ...acme, plan })).map((x) => x.message)).toEqual(["container 'lc-acme-line-1' has no health check (healthcheck.tests)"]);
  });
});
