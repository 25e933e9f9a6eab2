import { runLchost } from "../../support/cliRun";
/** The command line itself: help, usage errors and exit codes, the same for every command (cli/main.ts). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { commands } from "../../../cli/main";
import { EXIT } from "../../../cli/exitCodes";
import { setPolicyRunner } from "../../../planner/policyCheck";
import { stacksDir } from "../../../model/stackFile";

jest.setTimeout(120_000);

const run = runLchost;

const NAMES = commands.map((c) => c.name);
/** The least each command needs before commander looks at other flags (required options). */
const REQUIRED: Record<string, string[]> = { diff: ["--base", "HEAD"], check: ["--changed-since", "HEAD"], render: ["--out", "/nonexistent/lchost-render"] };

test("the CLI has the commands it always had", () => {
  expect(NAMES).toEqual([
    "plan",
    "render",
    "up",
    "preview",
    "destroy",
    "editions",
    "diff",
    "check",
    "schema",
    "migrate",
    "lines",
    "sandbox",
    "scan",
    "maintenance",
    "sla",
    "fleet",
    "incident",
    "heal",
  ]);
});

test("lchost --help lists each command once and the exit-code table, on stdout, exit 0", async () => {
  const r = await run("--help");
  expect(r.code).toBe(0);
  expect(r.err).toBe("");
  for (const name of NAMES) expect(r.out.match(new RegExp(`^  ${name} `, "gm"))).toHaveLength(1);
  expect(r.out).toContain("Exit codes:");
  for (const code of Object.values(EXIT)) expect(r.out).toMatch(new RegExp(`^ +${code}  \\S`, "m"));
});

test.each(NAMES)("lchost %s --help prints that command's usage on stdout, exit 0", async (name) => {
  const r = await run(name, "--help");
  expect(r.code).toBe(0);
  expect(r.err).toBe("");
  expect(r.out).toMatch(new RegExp(`^Usage: lchost ${name} `, "m"));
  expect(r.out).toContain("--help");
});

test("lchost help <command> is the same as lchost <command> --help", async () => {
  expect((await run("help", "migrate")).out).toBe((await run("migrate", "--help")).out);
});

test.each(NAMES)("lchost %s with an unknown flag exits 2 naming the flag", async (name) => {
  const r = await run(name, ...(REQUIRED[name] ?? []), "--no-such-flag");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toBe(`lchost ${name}: unknown option '--no-such-flag' (see lchost ${name} --help)`);
  expect(r.out).toBe("");
});

test.each([
  ["plan", ["wayne", "extra"], "unexpected argument 'extra' (lchost plan takes [stack])"],
  ["editions", ["all"], "unexpected argument 'all' (lchost editions takes no arguments)"],
  ["schema", ["x"], "unexpected argument 'x' (lchost schema takes no arguments)"],
  ["migrate", ["globex", "acme", "--to", "dedicated"], "unexpected argument 'acme' (lchost migrate takes <stack>)"],
  ["check", ["--changed-since", "HEAD", "stray"], "unexpected argument 'stray' (lchost check takes no arguments)"],
])("lchost %s with a stray argument exits 2 naming it", async (name, argv, message) => {
  const r = await run(name, ...argv);
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toBe(`lchost ${name}: ${message}`);
});

test("an unknown command exits 2 naming it", async () => {
  const r = await run("deploy", "wayne");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toBe("lchost: unknown command 'deploy' (see lchost --help)");
});

test("no command at all prints the usage on stderr, exit 2", async () => {
  const r = await run();
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toMatch(/^Usage: lchost <command>/);
});

test.each([
  [["--lines", "three"], "option '--lines <n>' argument 'three' is invalid. must be a whole number from 2 to 16"],
  [["--lines", "2.5"], "option '--lines <n>' argument '2.5' is invalid. must be a whole number from 2 to 16"],
  [["--lines", "17"], "option '--lines <n>' argument '17' is invalid. must be a whole number from 2 to 16"],
])("a typed option's bad value exits 2 naming the flag: migrate %j", async (flags, message) => {
  const r = await run("migrate", "wayne", "--to", "high-availability", "--plan", ...flags);
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toBe(`lchost migrate: ${message} (see lchost migrate --help)`);
});

test("a missing required option exits 2 naming it", async () => {
  const r = await run("diff", "globex");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toBe("lchost diff: required option '--base <git-ref>' not specified (see lchost diff --help)");
});

test("an expected failure is printed without a stack trace", async () => {
  const r = await run("plan", "--stack-file", "/nonexistent/Pulumi.x.yaml");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toMatch(/^lchost plan: invalid stack configuration \/nonexistent\/Pulumi\.x\.yaml:\n {2}- no such stack file$/);
  expect(r.err).not.toMatch(/\n\s+at /);
});

test("a bug is printed with its stack trace and exits 70", async () => {
  setPolicyRunner(async () => {
    throw new TypeError("policy runner exploded");
  });
  try {
    const r = await run("plan", "globex");
    expect(r.code).toBe(EXIT.internal);
    expect(r.err).toMatch(/^lchost plan: internal error \(a bug in lchost, please report it\): TypeError: policy runner exploded\n\s+at /);
  } finally {
    setPolicyRunner(async (stack, plan) => (await import("../../../planner/policyRunner")).runPolicies(stack, plan));
  }
});

describe("--stack-file with any file name", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-stackfile-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const copy = (stack: string, name: string) => {
    const file = path.join(dir, name);
    fs.copyFileSync(path.join(stacksDir(), `Pulumi.${stack}.yaml`), file);
    return file;
  };

  test("takes the stack name from lchost:customer when the file is not named Pulumi.<stack>.yaml", async () => {
    const r = await run("plan", "--stack-file", copy("globex", "globex-production.yml"), "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ stack: "globex", edition: "dedicated" });
    expect(report.resources.find((x: any) => x.inputs.name === "lc-globex-line-1")).toBeDefined();
  });

  test("takes it from --stack when given", async () => {
    const r = await run("plan", "--stack-file", copy("hooli", "customer.yaml"), "--stack", "hooli-staging", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).stack).toBe("hooli-staging");
  });

  test("still takes it from a Pulumi.<stack>.yaml name, and refuses a --stack that contradicts it", async () => {
    const file = copy("globex", "Pulumi.globex-eu.yaml");
    expect(JSON.parse((await run("plan", "--stack-file", file, "--json")).out).stack).toBe("globex-eu");
    const r = await run("plan", "--stack-file", file, "--stack", "other");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("lchost plan: --stack 'other' contradicts the file name Pulumi.globex-eu.yaml (stack 'globex-eu')");
  });

  test("asks for --stack when neither the name nor lchost:customer gives one", async () => {
    const file = path.join(dir, "empty.yaml");
    fs.writeFileSync(file, "config:\n  lchost:edition: dedicated\n");
    const r = await run("plan", "--stack-file", file);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe(
      `lchost plan: --stack-file ${file}: the file is not named Pulumi.<stack>.yaml and has no lchost:customer; name the stack with --stack <name>`,
    );
  });
});
