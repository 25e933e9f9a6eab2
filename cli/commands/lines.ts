/**
 * `lchost lines <stack> --add N --until T | --remove` and `lchost lines --expire`: temporary extra lines of a
 * High Availability customer (issue 12). The stack file records them (lchost:extraLines, edited in place);
 * `--target` also applies them to a running deployment (heal/seams/lines.ts), the way `lchost migrate`
 * scales lines: new lines ready before they get traffic, leaving lines drained first. Refusals name their
 * flag and exit 2 with nothing written.
 */
import * as path from "path";
import { extraLinesProblems, ExtraLinesRefused, linePlan, parseUntil } from "../../model/extraLines";
import { loadStackFile, stacksDir, stackFilePath } from "../../model/stackFile";
import { addExtraLines, expireDueExtraLines, ExtraLinesNotApplied, ExtraLinesResult, removeExtraLines } from "../../heal/extraLinesApplier";
import { LineControl, SandboxLineControl } from "../../heal/seams/lines";
import { DockerLineControl } from "../../heal/seams/dockerLines";
import { dockerRunStateDir } from "../../dockerRun/stateDir";
import { startSandbox } from "../../sandbox/startSandbox";
import { CommandSpec, integerIn, Out, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { untilStopSignal } from "./sandbox";

export const LINES_TARGETS = ["sandbox", "docker"] as const;

/** A running deployment to apply to, and how to let it go; tests inject one. */
export interface LinesRuntime {
  lines: LineControl;
  /** After the change: hold (sandbox: until the deadline passed and the lines left, or Ctrl-C), then release. */
  release(out: Out): Promise<void>;
}

export interface LinesIo {
  runtime?: (stackFile: string, target: string, out: Out) => Promise<LinesRuntime>;
  now?: () => Date;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `--target sandbox`: the customer's stack as it is now runs as local processes; the change is applied to
 * it live; then the command keeps it up and removes the extra lines by itself at their deadline (drained),
 * until Ctrl-C — or, with --exit, stops right after they left.
 */
async function sandboxRuntime(stackFile: string, o: { exit: boolean; name?: string }, out: Out): Promise<LinesRuntime> {
  const exit = o.exit;
  const stack = loadStackFile(stackFile);
  if (stack.config.role !== "customer") throw new UsageError(`--target sandbox: ${stack.stackName} is no customer stack`);
  out(`starting ${stack.stackName} as a sandbox (its lines as the stack file says now) ...`);
  const sb = await startSandbox({ stackFiles: [stackFile], name: o.name ?? `lines-${stack.stackName}` });
  const lines = new SandboxLineControl(sb, { [stack.config.customer]: stackFile });
  return {
    lines,
    release: async (o) => {
      try {
        const gw = sb.endpoints[stack.stackName]?.gateway;
        if (gw) o(`the customer's entry: ${gw.url} (Host/SNI ${gw.host}; CA ${sb.tls.caCert})`);
        let stopped = false;
        const stop = exit ? undefined : untilStopSignal().then((sig) => ((stopped = true), sig));
        // the extra lines leave by themselves at their deadline
        for (;;) {
          const cfg = loadStackFile(stackFile).config;
          const next = cfg.role === "customer" && cfg.extraLines ? new Date(cfg.extraLines.until) : undefined;
          if (!next || stopped) break;
          o(`extra lines run until ${next.toISOString()}; they leave by themselves then${exit ? "" : " (Ctrl-C stops everything)"}`);
          while (Date.now() < next.getTime() && !stopped) await sleep(Math.min(500, next.getTime() - Date.now() + 1));
          if (stopped) break;
          const r = await expireDueExtraLines({ stacksDir: path.dirname(stackFile), lines, log: (l) => o(`  ${l}`) });
          if (r.failed.length) break; // named in the log; the lines stay until the next --expire
        }
        if (stop && !stopped) o(`${await stop}: stopping the sandbox`);
      } finally {
        await sb.stop();
        o("stopped; no sandbox process left");
      }
    },
  };
}

/**
 * `--target docker`: the deployment `lchost up --target docker` made of the stack (its state in .docker-run/) is
 * changed live by the Docker line control (heal/seams/dockerLines.ts). The lines leave at their deadline by the heal
 * service's timer (or `lchost lines --expire` and `lchost lines <stack> --remove --target docker`).
 */
function dockerRuntime(stackFile: string): LinesRuntime {
  const stack = loadStackFile(stackFile);
  if (stack.config.role !== "customer") throw new UsageError(`--target docker: ${stack.stackName} is no customer stack`);
  const stateDir = dockerRunStateDir();
  const lines = new DockerLineControl({ stateDir, stacksDir: path.dirname(stackFile) });
  if (lines.stackFileOf(stack.config.customer) === undefined)
    throw new UsageError(`--target docker: ${stack.stackName} was not deployed with 'lchost up ${stack.stackName} --target docker' (no state in ${stateDir})`);
  return {
    lines,
    release: async (o) => {
      const cfg = loadStackFile(stackFile).config;
      if (cfg.role === "customer" && cfg.extraLines)
        o(
          `the extra lines leave by themselves at ${cfg.extraLines.until} when the heal service runs with stacksDir ${path.dirname(stackFile)}; otherwise run 'lchost lines ${stack.stackName} --remove --target docker' then`,
        );
    },
  };
}

function report(r: ExtraLinesResult, out: Out): void {
  out(`${r.stackName}: ${r.before} -> ${r.after} extra line(s)${r.after && r.until ? ` until ${r.until.toISOString()}` : ""}; stack file written`);
  if (r.applied) out(`  applied: started ${r.applied.added.join(", ") || "nothing"}; drained and stopped ${r.applied.removed.join(", ") || "nothing"}`);
  else out("  not applied to a running deployment (--target): 'lchost up' deploys it");
}

export const linesSpec: CommandSpec<LinesIo> = {
  name: "lines",
  summary: "temporary extra lines of a High Availability customer: --add N --until T, --remove, --expire",
  define: (cmd) =>
    cmd
      .argument("[stack]", "the customer's stack (not with --expire)")
      .option("--add <n>", "add N extra lines beside the booked ones", integerIn(1, 14))
      .option("--until <time>", "with --add: when they go again (drained): an ISO 8601 instant with a zone (2026-12-01T18:00:00Z) or +40s / +2min / +2h / +1d")
      .option("--remove", "remove every extra line now (drained)")
      .option("--expire", "remove the extra lines whose deadline has passed, in every stack of --stacks-dir (the heal service runs this on a timer)")
      .option("--stacks-dir <dir>", "where the stack files are (default: stacks/)")
      .option("--target <target>", `also apply it to a running deployment: ${LINES_TARGETS.join(", ")} (run it on this machine)`)
      .option("--exit", "--target sandbox: stop the sandbox once the extra lines have left (default: keep it up until Ctrl-C)")
      .option("--name <name>", "--target sandbox: the sandbox's name (its directory under .sandbox/ and its 127.B.x.x address block)"),
  run: async ({ args, opts }, out, io: LinesIo = {}): Promise<ExitCode> => {
    const now = (io.now ?? (() => new Date()))();
    const dir = path.resolve(stringOpt(opts, "stacksDir") ?? stacksDir());
    const modes = (["add", "remove", "expire"] as const).filter((m) => opts[m] !== undefined);
    if (modes.length !== 1)
      throw new UsageError(`give exactly one of --add, --remove, --expire${modes.length ? ` (got ${modes.map((m) => `--${m}`).join(", ")})` : ""}`);
    const mode = modes[0];
    const target = stringOpt(opts, "target");
    if (target !== undefined && !(LINES_TARGETS as readonly string[]).includes(target))
      throw new UsageError(
        `--target: '${target}' is not offered (allowed: ${LINES_TARGETS.join(", ")}); for a Kubernetes deployment write the stack file (without --target) and run 'lchost up'`,
      );
    if (opts.exit && target !== "sandbox") throw new UsageError("--exit: only with --target sandbox");
    if (opts.name !== undefined && target !== "sandbox") throw new UsageError("--name: only with --target sandbox");
    if (mode !== "add" && opts.until !== undefined) throw new UsageError("--until: only with --add");
    if (mode === "expire") {
      if (args.length) throw new UsageError(`--expire: works on every stack of --stacks-dir; do not name a stack (got '${args[0]}')`);
      if (target) throw new UsageError("--expire: the heal service applies it to the runtimes it knows; here only the stack files are changed (no --target)");
      const r = await expireDueExtraLines({ stacksDir: dir, now, log: out });
      out(
        r.expired.length
          ? `expired: ${r.expired.map((e) => `${e.stackName} (${e.count} line(s), due ${e.until.toISOString()})`).join(", ")}`
          : "no extra lines are due",
      );
      for (const s of r.skipped) out(`skipped (not a valid stack file): ${s}`);
      return r.failed.length ? EXIT.failure : EXIT.ok;
    }
    if (args.length !== 1) throw new UsageError(`name the customer's stack: lchost lines <stack> --${mode} ...`);
    const stackFile = stackFilePath(args[0], dir);
    const until = mode === "add" ? stringOpt(opts, "until") : undefined;
    if (mode === "add" && until === undefined) throw new UsageError("--until: required with --add (e.g. --until +2h or --until 2026-12-01T18:00:00Z)");
    // refused before anything runs: check the request on the file as it is
    if (mode === "add") {
      const cfg = loadStackFile(stackFile).config;
      if (cfg.role !== "customer") throw new UsageError(`--add: ${args[0]} is a ${cfg.role} stack; extra lines are for high-availability customers`);
      const problems = extraLinesProblems({
        edition: cfg.edition,
        bookedLines: cfg.lines,
        runningExtra: linePlan(cfg, now).extra,
        add: opts.add as number,
        until: parseUntil(until!, now),
        now,
        maxExtraLines: cfg.autoscale?.maxExtraLines,
      });
      if (problems.length) throw new UsageError(problems.join("\n"));
    }
    let runtime: LinesRuntime | undefined;
    if (target)
      runtime = await (
        io.runtime ??
        (async (f, t, o) => (t === "docker" ? dockerRuntime(f) : sandboxRuntime(f, { exit: Boolean(opts.exit), name: stringOpt(opts, "name") }, o)))
      )(stackFile, target, out);
    try {
      const r =
        mode === "add"
          ? await addExtraLines({ stackFile, now, add: opts.add as number, until: parseUntil(until!, now), lines: runtime?.lines, log: (l) => out(`  ${l}`) })
          : await removeExtraLines({ stackFile, now, lines: runtime?.lines, log: (l) => out(`  ${l}`) });
      report(r, out);
    } catch (e) {
      if (e instanceof ExtraLinesRefused) throw new UsageError(e.message);
      if (e instanceof ExtraLinesNotApplied) throw new RuntimeFailure(e.message);
      throw e;
    } finally {
      await runtime?.release(out);
    }
    return EXIT.ok;
  },
};
