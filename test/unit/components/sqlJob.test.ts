import * as pulumi from "@pulumi/pulumi";
import { jobVerdict } from "../../../components/SqlJob";
import { printResultWhenSettled, runTsChild } from "../support/tsChild";

// A tenant's database setup job under the mock runtime, reported as the engine does after `attach`
// (exit code and output): a failed job must fail the deployment and its License Central line must never be created.
// Both cases in one child process (one start of node and the SDK): job "setup-<code>" exits with <code>.
const SCENARIO = `
import * as pulumi from "@pulumi/pulumi";
const created: string[] = [];
const rejections: string[] = [];
process.on("unhandledRejection", (e: any) => rejections.push(String(e?.message ?? e)));
pulumi.runtime.setMocks({
  newResource: (args) => {
    created.push(args.type + "::" + args.name);
    const exitCode = Number(args.name.split("-").pop());
    const state = args.inputs.attach ? { ...args.inputs, exitCode, containerLogs: "ERROR 1045 (28000): Access denied for user 'lchost_provisioner'" } : args.inputs;
    return { id: args.name + "-id", state };
  },
  call: (args) => args.inputs,
}, "lchost", "unit", false);
const { SqlJob } = require("./components/SqlJob");
const { LicenseCentralLine } = require("./components/LicenseCentralLine");
for (const code of [0, 1]) {
  const job = new SqlJob("setup-" + code, { hostname: "lc-t" + code + "-db-setup", image: "i", networks: ["n"], dbHost: "db", dbPort: 3306, user: "lchost_provisioner", password: "wrong", sql: "SELECT 1", owner: {} });
  const line = new LicenseCentralLine("line-" + code, { hostname: "lc-t" + code + "-line-1", image: "i", networks: ["n"], memoryMb: 512, cpuShares: 256, owner: {},
    settings: { edition: "datacenter", webServices: false, quotas: { activationsPerMonth: 1500, webServiceCallsPerMonth: 0 }, quotaMode: "soft", dbHost: "db", dbPort: 3306,
      dbName: "lc_t", dbUser: "lc_t", dbPassword: "p", fsbUrl: "http://fsb:7070", fsbFirmCode: "t", fsbToken: "t", adminToken: "a" },
    databaseProvisioned: job.succeeded });
  line.container.labels.apply((l: any) => console.log("LABELS line-" + code + " " + JSON.stringify(l)));
}
${printResultWhenSettled("{ created, rejections: [...new Set(rejections)] }")}
`;

const CONTAINER = "docker:index/container:Container";

let result: { created: string[]; rejections: string[]; stdout: string } | undefined;
function run() {
  if (result) return result;
  const r = runTsChild(SCENARIO);
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  result = { ...JSON.parse(line.slice(7)), stdout: r.stdout } as { created: string[]; rejections: string[]; stdout: string };
  return result;
}

describe("a tenant's database setup job (component under the mock runtime)", () => {
  test("a job that exited 0 lets its line be created, the line's labels carrying the job's verdict", () => {
    const r = run();
    expect(r.created).toEqual(expect.arrayContaining([CONTAINER + "::setup-0", CONTAINER + "::line-0"]));
    expect(r.rejections.filter((x) => x.includes("lc-t0-"))).toEqual([]);
    expect(r.stdout).toMatch(/^LABELS line-0 .*\{"label":"lchost.database-provisioned","value":"exited 0"\}/m);
  }, 90_000);

  test("a job that exited non-zero fails the deployment naming the job, its code and output, and its line is never created", () => {
    const r = run();
    expect(r.created).toContain(CONTAINER + "::setup-1");
    expect(r.created).not.toContain(CONTAINER + "::line-1");
    expect(r.rejections).toEqual([
      "SQL job lc-t1-db-setup exited with code 1: ERROR 1045 (28000): Access denied for user 'lchost_provisioner'; its License Central line is not started",
    ]);
  }, 90_000);
});

describe("jobVerdict", () => {
  test("a non-zero exit code is a RunError (one line in pulumi up, no stack trace) with the output's last lines", () => {
    expect(() => jobVerdict("j", 2, "a\nb\n")).toThrow(new pulumi.RunError("SQL job j exited with code 2: a | b; its License Central line is not started"));
    try {
      jobVerdict("j", 2, "");
    } catch (e) {
      expect(e).toBeInstanceOf(pulumi.RunError);
    }
  });

  test("exit code 0, or none reported (preview, mock runtime), passes", () => {
    expect(jobVerdict("j", 0, "x")).toBe("exited 0");
    expect(jobVerdict("j", undefined, undefined)).toBe("exited 0");
  });
});
