/**
 * The fleet runner's use case on a stacks directory written for the test, with a fake executor: selection
 * (edition, customer, host — a tenant by its shared server's host), the order, run.json after each change,
 * the log files, and --resume (what it runs again, what it refuses). The CLI's refusals through runLchost.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EXIT } from "../../../cli/exitCodes";
import { stackCommand } from "../../../cli/commands/fleetRun";
import { failureReason, runChild } from "../../../fleet/run/childExecutor";
import { prepareNewRun, prepareResume, runPrepared, RunObserver } from "../../../fleet/run/fleetRun";
import { newRunId, readRunRecord, RunOptions, RunRecord } from "../../../fleet/run/runRecord";
import { Outcome } from "../../../fleet/run/scheduler";
import { fleetMembers, parseSelect, readStacksDir, scheduleItems, selectMembers } from "../../../fleet/run/selection";
import { runLchost } from "../../support/cliRun";

jest.setTimeout(60_000);

let root: string;
let stacks: string;
let runs: string;

const write = (name: string, config: Record<string, unknown>) => fs.writeFileSync(path.join(stacks, `Pulumi.${name}.yaml`), YAML.stringify({ config }));
const connection = { ipAllowList: ["198.51.100.0/24"] };
const dedicated = (customer: string, host: string) => ({
  "lchost:customer": customer,
  "lchost:edition": "dedicated",
  "lchost:host": host,
  "lchost:connection": connection,
  "lchost:fsb": { mode: "shared", sharedUrl: "http://fsb.dc1.lchost.local:7070", tokenKey: "fsbToken" },
  "lchost:fsbToken": { secure: "v1:c2FsdA==:Y2lwaGVy" },
});

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleetrun-"));
  stacks = path.join(root, "stacks");
  runs = path.join(root, ".fleet");
  fs.mkdirSync(stacks);
  fs.mkdirSync(path.join(root, "fleet"));
  fs.writeFileSync(
    path.join(root, "fleet", "hosts.yaml"),
    YAML.stringify({
      hosts: ["h1", "h2", "h3"].map((name, i) => ({
        name,
        dockerHost: `ssh://deploy@10.31.0.${i + 1}`,
        address: `10.31.0.${i + 1}`,
        capacity: { memoryMb: 65536, cpuShares: 32768 },
      })),
    }),
  );
  write("shared-a", { "lchost:role": "shared-server", "lchost:domain": "a.lchost.test", "lchost:tenants": ["acme", "globex"], "lchost:host": "h1" });
  write("acme", { "lchost:customer": "acme", "lchost:edition": "datacenter", "lchost:sharedServer": "shared-a" });
  write("globex", { "lchost:customer": "globex", "lchost:edition": "datacenter", "lchost:sharedServer": "shared-a" });
  write("hooli", dedicated("hooli", "h2"));
  write("initech", dedicated("initech", "h3"));
  write("wayne", {
    "lchost:customer": "wayne",
    "lchost:edition": "high-availability",
    "lchost:lines": 2,
    "lchost:hosts": ["h1", "h2", "h3"],
    "lchost:connection": connection,
  });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const options = (o: Partial<RunOptions> = {}): RunOptions => ({
  target: "docker",
  stacksDir: stacks,
  concurrency: 2,
  failFast: false,
  deleteData: false,
  select: [],
  ...o,
});
const members = () => fleetMembers(readStacksDir(stacks));
const select = (...args: string[]) =>
  selectMembers(members(), args.map(parseSelect), args)
    .map((m) => m.name)
    .sort();

const quiet: RunObserver = { onEvent: () => undefined, onLine: () => undefined };

describe("--select", () => {
  test("edition, customer (stack names) and host; several AND together", () => {
    expect(select("edition=datacenter")).toEqual(["acme", "globex"]);
    expect(select("edition=shared-server,dedicated")).toEqual(["hooli", "initech", "shared-a"]);
    expect(select("customer=acme,hooli")).toEqual(["acme", "hooli"]);
    expect(select("host=h2", "edition=dedicated")).toEqual(["hooli"]);
  });

  test("host= takes a tenant by its shared server's host and an HA stack by any of its lchost:hosts", () => {
    expect(select("host=h1")).toEqual(["acme", "globex", "shared-a", "wayne"]);
    expect(members().find((m) => m.name === "acme")).toEqual({ name: "acme", edition: "datacenter", hosts: ["h1"], sharedServer: "shared-a" });
  });

  test("an unknown key, a value-less term and a selection matching nothing are refused naming --select", () => {
    expect(() => parseSelect("colour=red")).toThrow("--select: unknown key 'colour' in 'colour=red' (allowed: edition, customer, host)");
    expect(() => parseSelect("edition")).toThrow("--select: 'edition' is not key=value[,value]");
    expect(() => parseSelect("customer=acme,")).toThrow("--select: 'customer=acme,' has an empty value");
    expect(() => select("host=h9")).toThrow("--select: --select host=h9 matches no stack (6 stack(s) in the directory)");
  });

  test("an invalid stack file refuses the run, naming the file and the key", () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-fleetrun-bad-"));
    fs.writeFileSync(path.join(bad, "Pulumi.x.yaml"), YAML.stringify({ config: { "lchost:customer": "x", "lchost:edition": "platinum" } }));
    expect(() => readStacksDir(bad)).toThrow(/invalid stack files \(nothing was run\):\n.*Pulumi\.x\.yaml: lchost:edition/);
    fs.rmSync(bad, { recursive: true, force: true });
  });
});

describe("the order", () => {
  test("up: shared servers first, then the rest by name; a tenant depends on its selected shared server", () => {
    expect(scheduleItems(members(), "up")).toEqual([
      { name: "shared-a", dependsOn: [] },
      { name: "acme", dependsOn: ["shared-a"] },
      { name: "globex", dependsOn: ["shared-a"] },
      { name: "hooli", dependsOn: [] },
      { name: "initech", dependsOn: [] },
      { name: "wayne", dependsOn: [] },
    ]);
  });

  test("destroy: the tenants first; the shared server waits for its selected tenants", () => {
    const items = scheduleItems(
      members().filter((m) => m.name !== "globex"),
      "destroy",
    );
    expect(items[items.length - 1]).toEqual({ name: "shared-a", dependsOn: ["acme"] });
    expect(items.map((i) => i.name)).toEqual(["acme", "hooli", "initech", "wayne", "shared-a"]);
  });

  test("a tenant selected without its shared server does not wait for it", () => {
    expect(scheduleItems(selectMembers(members(), [parseSelect("customer=acme")]), "up")).toEqual([{ name: "acme", dependsOn: [] }]);
  });
});

describe("a run and its resume", () => {
  const fake =
    (fail: Set<string>, ran: string[]) =>
    async (stack: string, ctx: { logFile: string; onLine: (l: string) => void }): Promise<Outcome> => {
      ran.push(stack);
      fs.appendFileSync(ctx.logFile, `deploying ${stack}\n`);
      ctx.onLine(`deploying ${stack}`);
      return fail.has(stack) ? { ok: false, reason: `${stack}: image lchost/nope:dev missing` } : { ok: true };
    };
  let runId: string;
  let first: RunRecord;

  test("run.json records every stack's result and time; each stack logs to its own file", async () => {
    runId = newRunId(new Date("2026-11-28T17:15:00.123Z"), () => "ab12");
    expect(runId).toBe("20261128T171500Z-ab12");
    const ran: string[] = [];
    const snapshots: string[][] = [];
    const observer: RunObserver = {
      onEvent: () => snapshots.push(readRunRecord(runs, runId).stacks.map((s) => `${s.name}:${s.status}`)),
      onLine: () => undefined,
    };
    first = await runPrepared(prepareNewRun("up", options(), runs, runId, new Date()), fake(new Set(["shared-a"]), ran), observer);
    expect(ran).toEqual(["shared-a", "hooli", "initech", "wayne"]);
    expect(Object.fromEntries(first.stacks.map((s) => [s.name, s.reason ? `${s.status}: ${s.reason}` : s.status]))).toEqual({
      "shared-a": "failed: shared-a: image lchost/nope:dev missing",
      acme: "skipped: dependency failed: shared-a",
      globex: "skipped: dependency failed: shared-a",
      hooli: "succeeded",
      initech: "succeeded",
      wayne: "succeeded",
    });
    expect(readRunRecord(runs, runId)).toEqual(first); // the file says what the run ended with
    expect(snapshots[0]).toContain("shared-a:running"); // written after each change, not only at the end
    expect(fs.readFileSync(path.join(runs, runId, "hooli.log"), "utf8")).toBe("deploying hooli\n");
    expect(first.stacks.find((s) => s.name === "hooli")).toMatchObject({ attempts: 1, lastAttempt: 1, log: "hooli.log" });
    expect(typeof first.stacks.find((s) => s.name === "hooli")!.seconds).toBe("number");
  });

  test("--resume runs only what did not succeed, with the recorded options; what succeeded stays as it was", async () => {
    const ran: string[] = [];
    const resumed = prepareResume("up", runId, { concurrency: 3 }, runs);
    expect(resumed.succeededEarlier.sort()).toEqual(["hooli", "initech", "wayne"]);
    expect(resumed.record.options).toEqual({ ...options(), concurrency: 3 });
    const second = await runPrepared(resumed, fake(new Set(), ran), quiet);
    expect(ran).toEqual(["shared-a", "acme", "globex"]);
    expect(second.attempt).toBe(2);
    expect(second.stacks.every((s) => s.status === "succeeded")).toBe(true);
    expect(second.stacks.find((s) => s.name === "hooli")).toEqual(first.stacks.find((s) => s.name === "hooli"));
    expect(second.stacks.find((s) => s.name === "shared-a")).toMatchObject({ attempts: 2, lastAttempt: 2 });
    expect(fs.readFileSync(path.join(runs, runId, "shared-a.log"), "utf8")).toBe("deploying shared-a\ndeploying shared-a\n");
  });

  test("--resume refuses another kind, a changed selection or target, and a stack whose file is gone", () => {
    expect(() => prepareResume("destroy", runId, {}, runs)).toThrow(`--resume: run ${runId} was a fleet up, not a fleet destroy`);
    expect(() => prepareResume("up", runId, { select: ["edition=dedicated"] }, runs)).toThrow(
      `--select: run ${runId} was started with --select []; a resume keeps it (only --concurrency, --fail-fast may change)`,
    );
    expect(() => prepareResume("up", runId, { target: "pulumi" }, runs)).toThrow(`--target: run ${runId} was started with --target "docker"`);
    expect(() => prepareResume("up", runId, { target: "docker", failFast: true }, runs)).not.toThrow();
    fs.renameSync(path.join(stacks, "Pulumi.wayne.yaml"), path.join(root, "wayne.yaml"));
    try {
      expect(() => prepareResume("up", runId, {}, runs)).toThrow(`--resume: run ${runId} ran stack(s) that ${stacks} no longer has: wayne`);
    } finally {
      fs.renameSync(path.join(root, "wayne.yaml"), path.join(stacks, "Pulumi.wayne.yaml"));
    }
  });

  test("an unknown run-id is refused naming --resume", () => {
    expect(() => readRunRecord(runs, "20991231T000000Z-0000")).toThrow(`--resume: no run '20991231T000000Z-0000' in ${runs} (latest: ${runId})`);
    expect(() => readRunRecord(runs, "../etc")).toThrow("--resume: '../etc' is not a run-id");
  });
});

describe("each stack's command", () => {
  test("is the command a user would run for that one stack", () => {
    const o = options({ deleteData: true });
    expect(stackCommand("up", "acme", o)).toEqual(["up", "acme", "--target", "docker", "--stacks-dir", stacks]);
    expect(stackCommand("destroy", "acme", o)).toEqual(["destroy", "acme", "--target", "docker", "--yes", "--stacks-dir", stacks, "--delete-data"]);
    expect(stackCommand("up", "acme", options({ target: "pulumi" }))).toEqual(["up", "acme", "--target", "pulumi"]);
    expect(stackCommand("preview", "acme", options({ target: "pulumi" }))).toEqual(["preview", "acme"]);
    expect(stackCommand("plan", "acme", options({ target: "offline" }))).toEqual(["plan", "--stack-file", path.join(stacks, "Pulumi.acme.yaml")]);
  });

  test("runs as a child whose output goes to its log; a failure's reason is its CLI's error line", async () => {
    const log = path.join(root, "child.log");
    const lines: string[] = [];
    const script = `console.log("planning"); console.error("lchost up: up (docker) of acme failed: container never healthy"); process.exit(3)`;
    const o = await runChild({ command: process.execPath, args: ["-e", script], logFile: log, header: "--- attempt 1", onLine: (l) => lines.push(l) });
    expect(o).toEqual({ ok: false, reason: "up (docker) of acme failed: container never healthy (exit 3)" });
    expect(fs.readFileSync(log, "utf8")).toBe("--- attempt 1\nplanning\nlchost up: up (docker) of acme failed: container never healthy\n--- exit 3\n");
    expect(lines).toEqual(["planning", "lchost up: up (docker) of acme failed: container never healthy"]);
    expect(await runChild({ command: process.execPath, args: ["-e", "1"], logFile: log, header: "--- attempt 2" })).toEqual({ ok: true });
    expect((await runChild({ command: path.join(root, "no-such-program"), args: [], logFile: log, header: "x" })).ok).toBe(false);
  });

  test("the reason without a CLI error line: the last stderr line, else stdout's, else the exit", () => {
    expect(failureReason(["warn", "Segmentation fault", ""], [], 139, null)).toBe("Segmentation fault (exit 139)");
    expect(failureReason([], ["last words"], 1, null)).toBe("last words (exit 1)");
    expect(failureReason([], [], null, "SIGKILL")).toBe("killed by SIGKILL");
  });
});

describe("lchost fleet up|plan|destroy refusals (nothing runs)", () => {
  const S = "STACKS";
  test.each([
    [["up", "--concurrency", "0", "--stacks-dir", S, "--target", "docker"], /--concurrency <n>' argument '0' is invalid\. must be a whole number from 1 to 64/],
    [["up", "--select", "colour=red", "--stacks-dir", S, "--target", "docker"], /--select: unknown key 'colour'/],
    [["up", "--select", "customer=nobody", "--stacks-dir", S, "--target", "docker"], /--select: --select customer=nobody matches no stack/],
    [["up", "--resume", "20991231T000000Z-0000"], /--resume: no run '20991231T000000Z-0000' in /],
    [["preview", "--target", "docker"], /--target: 'docker' is not allowed for lchost fleet preview \(allowed: pulumi\)/],
    [["plan", "--target", "docker"], /unknown option '--target'/],
    [["destroy", "--target", "docker", "--stacks-dir", S], /lchost fleet destroy needs --yes/],
    [["destroy", "--yes", "--delete-data"], /--delete-data: only with --target docker/],
    [["up", "--stacks-dir", S], /--stacks-dir: only with --target docker/],
  ])("lchost fleet %j", async (args, message) => {
    const r = await runLchost("fleet", ...args.map((a) => (a === S ? stacks : a)));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(message);
  });
});
