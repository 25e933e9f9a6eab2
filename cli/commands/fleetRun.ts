/**
 * lchost fleet plan|preview|up|destroy: what `lchost plan|preview|up|destroy <stack>` does, over every stack of
 * a stacks directory or a selection, N at a time, shared servers before their tenants (after them for destroy),
 * with progress, a log file per stack and a resumable record under .fleet/<run-id>/ (fleet/run/, docs/fleet.md).
 */
import * as fs from "fs";
import * as path from "path";
import { Option } from "commander";
import { runChild } from "../../fleet/run/childExecutor";
import { GivenOptions, prepareNewRun, prepareResume, PreparedRun, runPrepared, StackExecutor } from "../../fleet/run/fleetRun";
import { LiveProgress, PlainProgress } from "../../fleet/run/progressDisplay";
import { SummaryRow, summaryTable, verdictLine } from "../../fleet/run/progressRender";
import { fleetUsesHostEntries, syncHostEntries } from "../../fleet/syncHostEntries";
import { dockerRunStateDir } from "../../dockerRun/stateDir";
import { newRunId, RunOptions, RunRecord, UnknownRun } from "../../fleet/run/runRecord";
import { FleetSelectionError, RunKind } from "../../fleet/run/selection";
import { packageRoot } from "../../model/packageRoot";
import { stackFilePath, stacksDir } from "../../model/stackFile";
import { CommandSpec, integerIn, Out, stringOpt } from "../args";
import { MissingPrerequisite, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";

/** Two: the machines this runs on have 2 cores, and each stack's command is a node process busy for seconds (planning, then the engine). */
export const DEFAULT_CONCURRENCY = 2;

/** Where runs are recorded: .fleet/<run-id>/ at the repository root (beside .docker-run/). */
export function fleetRunsDir(): string {
  return path.join(packageRoot(), ".fleet");
}

const SUMMARY: Record<RunKind, string> = {
  plan: "lchost plan of every selected stack (offline), N at a time; a log per stack under .fleet/<run-id>/",
  preview: "lchost preview of every selected stack (Pulumi), N at a time, shared servers first",
  up: "lchost up of every selected stack (--target pulumi|docker), N at a time, shared servers before their tenants; --resume",
  destroy: "lchost destroy of every selected stack (--yes), tenants before their shared server; volumes kept unless --delete-data",
};

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The child command line of one stack: the same command a user would run for it. */
export function stackCommand(kind: RunKind, stack: string, o: RunOptions): string[] {
  if (kind === "plan") return ["plan", "--stack-file", stackFilePath(stack, o.stacksDir)];
  if (kind === "preview") return ["preview", stack];
  const dir = o.target === "docker" ? ["--stacks-dir", o.stacksDir] : [];
  if (kind === "up") return ["up", stack, "--target", o.target, ...dir];
  return ["destroy", stack, "--target", o.target, "--yes", ...dir, ...(o.deleteData ? ["--delete-data"] : [])];
}

/** The options given on the command line (nothing defaulted: a resume must tell given from recorded). */
function givenOptions(kind: RunKind, opts: Record<string, unknown>): GivenOptions {
  const target = stringOpt(opts, "target");
  const dir = stringOpt(opts, "stacksDir");
  const g: GivenOptions = {};
  if (target !== undefined) {
    const allowed = kind === "preview" ? ["pulumi"] : ["pulumi", "docker"];
    if (!allowed.includes(target)) throw new UsageError(`--target: '${target}' is not allowed for lchost fleet ${kind} (allowed: ${allowed.join(", ")})`);
    g.target = target as RunOptions["target"];
  }
  if (dir !== undefined) g.stacksDir = path.resolve(dir);
  if (opts.concurrency !== undefined) g.concurrency = opts.concurrency as number;
  if (opts.failFast) g.failFast = true;
  if (opts.deleteData) g.deleteData = true;
  if (opts.select !== undefined) g.select = opts.select as string[];
  return g;
}

/** The same refusals as `lchost <kind> <stack>`, before anything runs. */
function checkOptions(kind: RunKind, o: RunOptions, opts: Record<string, unknown>, dirGiven: boolean): void {
  if (kind !== "plan" && o.target === "pulumi" && dirGiven && path.resolve(o.stacksDir) !== stacksDir())
    throw new UsageError("--stacks-dir: only with --target docker (Pulumi reads stacks/ as Pulumi.yaml says)");
  if (o.deleteData && o.target !== "docker") throw new UsageError("--delete-data: only with --target docker (Pulumi keeps database volumes: retainOnDelete)");
  if (kind === "destroy" && !opts.yes)
    throw new UsageError("lchost fleet destroy needs --yes (database volumes are kept unless --target docker --delete-data)");
}

function cliEntry(): string {
  const main = path.join(packageRoot(), "dist", "cli", "main.js");
  if (!fs.existsSync(main))
    throw new MissingPrerequisite(`${main} is missing: each stack runs as 'node dist/cli/main.js <command> <stack>'; build it with 'npm run build'`);
  return main;
}

function summaryRows(record: RunRecord, runsDir: string): SummaryRow[] {
  const rel = path.relative(process.cwd(), path.join(runsDir, record.runId)) || ".";
  return record.stacks.map((s) => ({
    name: s.name,
    edition: s.edition,
    hosts: s.hosts,
    status: s.status,
    reason: s.reason,
    earlier: s.status === "succeeded" && s.lastAttempt !== record.attempt,
    seconds: s.seconds,
    log: path.join(rel, s.log),
  }));
}

export function fleetRunSpec(kind: RunKind): CommandSpec {
  return {
    name: kind,
    summary: SUMMARY[kind],
    define: (cmd) => {
      cmd
        .option("--stacks-dir <dir>", "the stack files (default: stacks/)")
        .option(
          "--select <key=value[,value]>",
          "only these stacks; keys: edition, customer (stack names), host (lchost:host, lchost:hosts, a tenant's shared server's); repeat to AND",
          collect,
        )
        .addOption(
          new Option(
            "--concurrency <n>",
            `stacks run at once (default: ${DEFAULT_CONCURRENCY}: this machine has 2 cores and each stack's command keeps one busy)`,
          ).argParser(integerIn(1, 64)),
        )
        .option("--fail-fast", "after the first failure start nothing more (running stacks finish); the rest is skipped")
        .option(
          "--resume <run-id>",
          "run again only the stacks of that run that did not succeed (same selection and options; --concurrency and --fail-fast may change)",
        )
        .option("--yes", kind === "destroy" ? "confirm the destroy (required)" : "accepted for symmetry with destroy");
      if (kind !== "plan")
        cmd.option(
          "--target <target>",
          kind === "preview" ? "pulumi (the only one)" : "pulumi (default) or docker (this machine's Docker engine, without Pulumi)",
        );
      if (kind === "destroy") cmd.option("--delete-data", "--target docker: also remove the stacks' database volumes (kept otherwise)");
      if (kind === "up" || kind === "destroy")
        cmd.addOption(
          new Option(
            "--entry-port <port>",
            "--target docker: the port of each host's HTTPS entry, synced after the stacks when some stack is behind one (lchost:behindHostEntry; default 443)",
          ).argParser(integerIn(1, 65535)),
        );
    },
    run: async ({ opts }, out) => {
      const given = givenOptions(kind, opts);
      const runsDir = fleetRunsDir();
      const resume = stringOpt(opts, "resume");
      let prepared: PreparedRun;
      try {
        if (resume !== undefined) prepared = prepareResume(kind, resume, given, runsDir);
        else {
          const options: RunOptions = {
            target: kind === "plan" ? "offline" : (given.target ?? "pulumi"),
            stacksDir: given.stacksDir ?? stacksDir(),
            concurrency: given.concurrency ?? DEFAULT_CONCURRENCY,
            failFast: given.failFast ?? false,
            deleteData: given.deleteData ?? false,
            select: given.select ?? [],
          };
          checkOptions(kind, options, opts, given.stacksDir !== undefined);
          prepared = prepareNewRun(kind, options, runsDir, newRunId(new Date()), new Date());
        }
      } catch (e) {
        if (e instanceof FleetSelectionError || e instanceof UnknownRun) throw new UsageError(e.message);
        throw e;
      }
      if (resume !== undefined) checkOptions(kind, prepared.record.options, { ...opts, yes: opts.yes }, false);
      if (opts.entryPort !== undefined && prepared.record.options.target !== "docker") throw new UsageError("--entry-port: only with --target docker");
      return runFleet(kind, prepared, out, opts.entryPort as number | undefined);
    },
  };
}

async function runFleet(kind: RunKind, prepared: PreparedRun, out: Out, entryPort?: number): Promise<ExitCode> {
  const main = cliEntry();
  const { record, runsDir } = prepared;
  const options = record.options;
  const toRun = record.stacks.length - prepared.succeededEarlier.length;
  out(
    `fleet ${kind} ${record.runId}${record.attempt > 1 ? ` (attempt ${record.attempt}: ${prepared.succeededEarlier.length} stack(s) succeeded earlier, not run again)` : ""}: ` +
      `${toRun} stack(s) to run, concurrency ${options.concurrency}${options.failFast ? ", fail-fast" : ""}; logs in ${path.join(path.relative(process.cwd(), runsDir) || ".", record.runId)}/`,
  );
  const execute: StackExecutor = (stack, ctx) => {
    const args = stackCommand(kind, stack, options);
    return runChild({
      command: process.execPath,
      args: [main, ...args],
      logFile: ctx.logFile,
      header: `--- lchost fleet ${kind} ${record.runId}, attempt ${ctx.attempt}, ${new Date().toISOString()}: lchost ${args.join(" ")}`,
      onLine: ctx.onLine,
    });
  };
  const live = process.stdout.isTTY === true && !process.env.CI;
  const startedAt = Date.now();
  const observer = live
    ? new LiveProgress(
        (b) => process.stdout.write(b),
        () => process.stdout.columns || 100,
        startedAt,
      )
    : new PlainProgress(out, startedAt);
  if (observer instanceof LiveProgress) observer.start(prepared.state);
  let final: RunRecord;
  try {
    final = await runPrepared(prepared, execute, observer);
  } finally {
    if (observer instanceof LiveProgress) observer.stop();
  }
  const entriesOk = options.target === "docker" && (kind === "up" || kind === "destroy") ? await syncEntries(options.stacksDir, entryPort, out) : true;
  const rows = summaryRows(final, runsDir);
  out("");
  out(summaryTable(rows));
  out(`${verdictLine(rows, kind)}; total ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  const allOk = entriesOk && rows.every((r) => r.status === "succeeded");
  if (!allOk) out(`run again what did not succeed: lchost fleet ${kind} --resume ${final.runId}`);
  if (allOk) return EXIT.ok;
  // `fleet plan` that found violations reports findings (1); a preview/up/destroy that failed is a runtime failure (3)
  return kind === "plan" ? EXIT.findings : EXIT.failure;
}

/**
 * After the stacks: each host's entry routes exactly the customers now deployed behind it (added ones in, destroyed
 * ones out, a graceful reload; unchanged ones left alone). Only for a fleet that uses entries; a failure is the
 * run's failure (exit 1) with what each host did, while the stacks' own results stand.
 */
async function syncEntries(stacksDir: string, entryPort: number | undefined, out: Out): Promise<boolean> {
  if (!fleetUsesHostEntries(stacksDir)) return true;
  try {
    // the entries route what is deployed now: a destroyed (or never deployed) customer is not routed
    const deployed = (stack: string) => fs.existsSync(path.join(dockerRunStateDir(), `${stack}.json`));
    const changes = await syncHostEntries({ stacksDir, entryPort, log: out, onlyStacks: deployed });
    out(`host entries: ${changes.map((c) => `${c.host} ${c.action} (${c.customers.length} customer(s))`).join(", ") || "none"}`);
    return true;
  } catch (e) {
    out(`host entries: not synced: ${(e as Error).message.split("\n")[0]}`);
    return false;
  }
}
