/** The program deploys the booked lines plus the extra lines still ahead of their deadline, with the pro-rata quotas (model/extraLines.ts). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { monthlyQuotas } from "../../../model/catalog";
import { containers, env, planValues, upload } from "../planHelpers";
import { haValues } from "../stackFixtures";
import { runLchost } from "../../support/cliRun";

jest.setTimeout(120_000);

// a period that covers every month this test may run in, and one that ended long ago
const RUNNING = { count: 2, since: "2000-01-01T00:00:00Z", until: "2099-01-01T00:00:00Z" };
const EXPIRED = { count: 2, since: "2000-01-01T00:00:00Z", until: "2000-01-02T00:00:00Z" };
const lineContainers = (plan: Awaited<ReturnType<typeof planValues>>) => containers(plan).filter((c) => /^lc-wayne-line-\d+$/.test(String(c.inputs.name)));

describe("an HA stack with lchost:extraLines", () => {
  test("runs booked + extra lines, each with its own FSB, all behind the balancer", async () => {
    const plan = await planValues("wayne", { ...haValues(), extraLines: RUNNING });
    expect(lineContainers(plan).map((c) => c.inputs.name)).toEqual([1, 2, 3, 4, 5].map((n) => `lc-wayne-line-${n}`));
    expect(containers(plan).filter((c) => /^lc-wayne-fsb-\d+$/.test(String(c.inputs.name)))).toHaveLength(5);
    const cfg = String(
      upload(
        containers(plan).find((c) => c.inputs.name === "lc-wayne-gateway")!,
        "/usr/local/etc/haproxy/haproxy.cfg",
      ).content,
    );
    for (const n of [1, 2, 3, 4, 5]) expect(cfg).toMatch(new RegExp(`server line${n} lc-wayne-line-${n}:`));
  });

  test("every line enforces the month's quotas grown by the extra lines, pro rata (here: all month)", async () => {
    const plan = await planValues("wayne", { ...haValues(), extraLines: RUNNING });
    const want = monthlyQuotas("high-availability", 5);
    for (const c of lineContainers(plan)) {
      expect(env(c).LC_QUOTA_ACTIVATIONS_PER_MONTH).toBe(String(want.activationsPerMonth));
      expect(env(c).LC_QUOTA_WEB_SERVICE_CALLS_PER_MONTH).toBe(String(want.webServiceCallsPerMonth));
    }
    expect(plan.outputs).toMatchObject({ lines: 5, bookedLines: 3, extraLines: { count: 2, until: "2099-01-01T00:00:00.000Z" }, quotas: want });
  });

  test("an expired deadline plans the booked lines only, with the booked quotas", async () => {
    const plan = await planValues("wayne", { ...haValues(), extraLines: EXPIRED });
    expect(lineContainers(plan)).toHaveLength(3);
    expect(env(lineContainers(plan)[0]).LC_QUOTA_ACTIVATIONS_PER_MONTH).toBe(String(monthlyQuotas("high-availability", 3).activationsPerMonth));
    expect(plan.outputs).toMatchObject({ lines: 3 });
    expect(plan.outputs).not.toHaveProperty("extraLines");
  });

  test("extra lines weigh the booked lines' mean when lchost:balancing has weights", async () => {
    const plan = await planValues("wayne", { ...haValues(), extraLines: { ...RUNNING, count: 1 }, balancing: { weights: [1, 2, 6] } });
    const cfg = String(
      upload(
        containers(plan).find((c) => c.inputs.name === "lc-wayne-gateway")!,
        "/usr/local/etc/haproxy/haproxy.cfg",
      ).content,
    );
    expect(cfg).toMatch(/server line4 lc-wayne-line-4:\S+ .*weight 3\b/);
  });

  test("lchost plan shows booked and extra lines", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ln-plan-"));
    try {
      const text = fs
        .readFileSync(path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml"), "utf8")
        .replace("  lchost:lines: 3\n", `  lchost:lines: 3\n  lchost:extraLines: { count: 2, until: "${RUNNING.until}", since: "${RUNNING.since}" }\n`);
      fs.writeFileSync(path.join(dir, "Pulumi.wayne.yaml"), text);
      const r = await runLchost("plan", "--stack-file", path.join(dir, "Pulumi.wayne.yaml"));
      expect(r.err).toBe("");
      expect(r.out).toMatch(/summary: \d+ resources \(High Availability Package, 3 booked \+ 2 extra until 2099-01-01T00:00:00.000Z, availability 99.9 %\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
