/**
 * The use cases of temporary extra lines (issue 12, items 2 and 3): add, remove, set (autoscale) and expire.
 * Each writes the stack file first (the one record: `lchost plan` and `pulumi up` read it; the edit keeps
 * every other byte, migration/extraLinesFileChange.ts) and then, when given a runtime's LineControl, brings
 * the running deployment to it (heal/seams/lines.ts: new lines ready before traffic, leaving lines drained).
 * A failure while applying writes the former file back and applies it again, so the customer is left with
 * the lines it had, and says so.
 */
import * as fs from "fs";
import * as path from "path";
import { extraLinesProblems, ExtraLinesRefused, linePlan } from "../model/extraLines";
import { CustomerConfig, StackConfigError } from "../model/stackConfig";
import { parseStackFileText, StackFile } from "../model/stackFile";
import { changeExtraLines, ExtraLinesEntry } from "../migration/extraLinesFileChange";
import { dueExtraLines, DueExtraLines } from "./extraLinesExpiry";
import type { LineControl, LinesApplied } from "./seams/lines";

export interface ExtraLinesResult {
  stackName: string;
  /** Extra lines running before and after. */
  before: number;
  after: number;
  until?: Date;
  /** What the runtime did; undefined when only the stack file was written. */
  applied?: LinesApplied;
}

/** A change applied to the file but not to the runtime: the former file is back and applied again. */
export class ExtraLinesNotApplied extends Error {
  constructor(
    message: string,
    /** The runtime runs what it ran before (the undo succeeded). */
    readonly leftAsBefore: boolean,
  ) {
    super(message);
    this.name = "ExtraLinesNotApplied";
  }
}

interface Common {
  stackFile: string;
  now: Date;
  /** The running deployment; absent: only the stack file is written (`lchost up` deploys it). */
  lines?: LineControl;
  log?: (line: string) => void;
}

function readCustomer(file: string): { text: string; stack: StackFile; cfg: CustomerConfig } {
  if (!fs.existsSync(file)) throw new StackConfigError(file, ["no such stack file"]);
  const text = fs.readFileSync(file, "utf8");
  const stack = parseStackFileText(text, file);
  if (stack.config.role !== "customer")
    throw new ExtraLinesRefused(`--add: ${stack.stackName} is a ${stack.config.role} stack; extra lines are for high-availability customers`);
  return { text, stack, cfg: stack.config };
}

/** Writes `text`, applies it; on a failure writes `oldText` back and applies that (the undo). */
async function writeAndApply(o: Common, oldText: string, text: string): Promise<LinesApplied | undefined> {
  const log = o.log ?? (() => undefined);
  fs.writeFileSync(o.stackFile, text);
  if (!o.lines) return undefined;
  try {
    return await o.lines.apply(o.stackFile, log);
  } catch (e) {
    const why = (e as Error).message;
    fs.writeFileSync(o.stackFile, oldText);
    try {
      await o.lines.apply(o.stackFile, log);
    } catch (undo) {
      throw new ExtraLinesNotApplied(`${why}; putting the former lines back failed too: ${(undo as Error).message}`, false);
    }
    throw new ExtraLinesNotApplied(`${why}; the stack file and the running lines are as before`, true);
  }
}

function changedText(text: string, file: string, entry: ExtraLinesEntry | undefined, flag: string): string {
  const change = changeExtraLines(text, file, entry);
  if (change.problems.length) throw new ExtraLinesRefused(change.problems.map((p) => `${flag}: ${p}`).join("\n"));
  return change.text;
}

/**
 * `lchost lines <stack> --add N --until T`: N more extra lines until T (the lines already running stay and
 * now last until T too). Refusals (model/extraLines.ts) name their flag; nothing is written then.
 */
export async function addExtraLines(o: Common & { add: number; until: Date }): Promise<ExtraLinesResult> {
  const { text, stack, cfg } = readCustomer(o.stackFile);
  const running = linePlan(cfg, o.now).extra;
  const problems = extraLinesProblems({
    edition: cfg.edition,
    bookedLines: cfg.lines,
    runningExtra: running,
    add: o.add,
    until: o.until,
    now: o.now,
    maxExtraLines: cfg.autoscale?.maxExtraLines,
  });
  if (problems.length) throw new ExtraLinesRefused(problems.join("\n"));
  const since = running && cfg.extraLines?.since ? new Date(cfg.extraLines.since) : o.now;
  const next = changedText(text, o.stackFile, { count: running + o.add, until: o.until, since }, "--add");
  const applied = await writeAndApply(o, text, next);
  return { stackName: stack.stackName, before: running, after: running + o.add, until: o.until, applied };
}

/** `lchost lines <stack> --remove` (and expiry): every extra line goes, drained; lchost:extraLines leaves the file. */
export async function removeExtraLines(o: Common): Promise<ExtraLinesResult> {
  const { text, stack, cfg } = readCustomer(o.stackFile);
  const running = linePlan(cfg, o.now).extra;
  if (cfg.extraLines === undefined) return { stackName: stack.stackName, before: 0, after: 0 };
  const next = changedText(text, o.stackFile, undefined, "--remove");
  const applied = await writeAndApply(o, text, next);
  return { stackName: stack.stackName, before: running, after: 0, applied };
}

/**
 * Autoscale: `count` extra lines (0 removes the key). A count that grows keeps the later of the current
 * deadline and `until`; one that shrinks keeps the current deadline.
 */
export async function setExtraLines(o: Common & { count: number; until: Date }): Promise<ExtraLinesResult> {
  const { text, stack, cfg } = readCustomer(o.stackFile);
  const running = linePlan(cfg, o.now).extra;
  if (o.count === 0) return removeExtraLines(o);
  if (cfg.edition !== "high-availability")
    throw new ExtraLinesRefused(`lchost:autoscale: ${stack.stackName} is ${cfg.edition}; extra lines are for high-availability customers`);
  const current = running ? new Date(cfg.extraLines!.until) : undefined;
  const until = current && (o.count < running || current.getTime() > o.until.getTime()) ? current : o.until;
  const since = running && cfg.extraLines?.since ? new Date(cfg.extraLines.since) : o.now;
  const next = changedText(text, o.stackFile, { count: o.count, until, since }, "lchost:autoscale");
  const applied = await writeAndApply(o, text, next);
  return { stackName: stack.stackName, before: running, after: o.count, until, applied };
}

export interface ExpiryReport {
  expired: Array<DueExtraLines & { applied?: LinesApplied }>;
  /** Stacks whose due lines could not be removed (they stay due: the next run tries again). */
  failed: Array<{ stackName: string; error: string }>;
  /** Files that are no valid stack file (named, not touched). */
  skipped: string[];
}

export interface ExpiryOptions {
  stacksDir: string;
  now?: Date;
  /** The running deployments; absent: only the stack files are changed. */
  lines?: LineControl;
  log?: (line: string) => void;
  /** Only these customers' stacks (the heal service expires each customer in its own queue). */
  only?: (customer: string) => boolean;
}

/**
 * Removes the extra lines whose deadline has passed, in every stack file of `stacksDir` (drained, through
 * `lines` when given). The heal service calls it on a timer; `lchost lines --expire` runs it once. One
 * failing stack does not stop the others.
 */
export async function expireDueExtraLines(opts: ExpiryOptions): Promise<ExpiryReport> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => undefined);
  const report: ExpiryReport = { expired: [], failed: [], skipped: [] };
  if (!fs.existsSync(opts.stacksDir) || !fs.statSync(opts.stacksDir).isDirectory())
    throw new ExtraLinesRefused(`--stacks-dir: '${opts.stacksDir}' is not a directory`);
  const files = new Map<string, string>();
  const stacks = [];
  for (const f of fs
    .readdirSync(opts.stacksDir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort()) {
    const file = path.join(opts.stacksDir, f);
    try {
      const s = parseStackFileText(fs.readFileSync(file, "utf8"), file);
      if (s.config.role !== "customer") continue;
      files.set(s.stackName, file);
      stacks.push({ stackName: s.stackName, customer: s.config.customer, bookedLines: s.config.lines, extraLines: s.config.extraLines });
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      report.skipped.push(file);
    }
  }
  for (const due of dueExtraLines(stacks, now).filter((d) => !opts.only || opts.only(d.customer))) {
    const stackFile = files.get(due.stackName)!;
    // a runtime that does not run this customer: only its file changes (lchost up deploys it)
    const lines = opts.lines?.stackFileOf(due.customer) !== undefined ? opts.lines : undefined;
    try {
      log(`${due.stackName}: ${due.count} extra line(s) were booked until ${due.until.toISOString()}: removing them (drained)`);
      const r = await removeExtraLines({ stackFile, now, lines: lines && bindTo(lines, lines.stackFileOf(due.customer)!, stackFile), log });
      report.expired.push({ ...due, applied: r.applied });
    } catch (e) {
      report.failed.push({ stackName: due.stackName, error: (e as Error).message });
      log(`${due.stackName}: ${(e as Error).message}`);
    }
  }
  return report;
}

/**
 * The runtime applies the file it knows the customer by; when the stacks directory's copy is another file,
 * that copy is the one written, and the runtime's file is brought to the same text before it applies.
 */
function bindTo(lines: LineControl, runtimeFile: string, stackFile: string): LineControl {
  if (path.resolve(runtimeFile) === path.resolve(stackFile)) return lines;
  return {
    runtime: lines.runtime,
    stackFileOf: (c) => lines.stackFileOf(c),
    apply: (file, log) => {
      fs.writeFileSync(runtimeFile, fs.readFileSync(file, "utf8"));
      return lines.apply(runtimeFile, log);
    },
  };
}
