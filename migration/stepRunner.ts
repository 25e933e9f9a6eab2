/**
 * The one runner of every use case that changes a deployment: a list of steps, each with its undo. It
 * runs the steps in order (progress on the ProgressLog, one audit line per step); when a step fails
 * before the point of no return it runs the undos of the steps done so far in reverse order, each again
 * with its progress and audit line, and throws StepsRolledBack. An undo that fails is reported and the
 * others still run.
 */
import * as fs from "fs";
import * as path from "path";
import type { ProgressLog } from "./progressLog";

type Named<C> = string | ((c: C) => string);

export interface Undo<C> {
  name: Named<C>;
  /** Skipped (no line) when false: e.g. a later undo already did this. */
  when?: (c: C) => boolean;
  run: (c: C) => Promise<unknown>;
}

export interface Step<C> {
  name: Named<C>;
  /** The name test hooks (beforeStep) see just before the step; a throw there is a failure of the step. */
  hook?: string;
  /** Skipped (no line) when false. */
  when?: (c: C) => boolean;
  /** Does the work; a string it returns is the step's detail (what, how much) on its progress line. */
  run: (c: C) => Promise<string | void>;
  undo?: Undo<C>;
  /** The step may leave effects even when it fails half way: its undo then runs too. */
  undoAfterOwnFailure?: boolean;
  /** After this step succeeded there is nothing to go back to: later failures are thrown as they are. */
  pointOfNoReturn?: boolean;
}

export interface AuditEntry {
  at: string;
  phase: "do" | "undo";
  step: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

/** Where the audit lines go. */
export interface AuditTrail {
  record(entry: AuditEntry): void;
}

/** Audit lines appended as JSON lines to a file (kept beside the dumps; never holds secrets: step names and details only). */
export class AuditFile implements AuditTrail {
  constructor(
    readonly file: string,
    private readonly fields: Record<string, string> = {},
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  record(entry: AuditEntry): void {
    fs.appendFileSync(this.file, `${JSON.stringify({ ...this.fields, ...entry })}\n`, { mode: 0o600 });
  }
}

export class StepsRolledBack extends Error {
  constructor(
    /** The failure that started the rollback. */
    readonly failure: Error,
    readonly failedStep: string,
    /** Undos that failed themselves, "<undo>: <why>". */
    readonly undoFailures: string[],
  ) {
    super(failure.message);
  }
}

export interface RunStepsOptions {
  log: ProgressLog;
  audit?: AuditTrail;
  beforeStep?: (hook: string) => Promise<void>;
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0];

async function audited<T>(
  opts: RunStepsOptions,
  phase: AuditEntry["phase"],
  name: string,
  fn: () => Promise<T>,
  detail?: (r: T) => string | undefined,
): Promise<T> {
  const t0 = Date.now();
  const at = new Date().toISOString();
  try {
    const r = await opts.log.step(name, fn, detail);
    const d = detail?.(r);
    opts.audit?.record({ at, phase, step: name, ok: true, ms: Date.now() - t0, ...(d ? { detail: d } : {}) });
    return r;
  } catch (e) {
    opts.audit?.record({ at, phase, step: name, ok: false, ms: Date.now() - t0, detail: firstLine(e) });
    throw e;
  }
}

export async function runSteps<C>(steps: ReadonlyArray<Step<C>>, ctx: C, opts: RunStepsOptions): Promise<void> {
  const undos: Array<Undo<C>> = [];
  let committed = false;
  for (const step of steps) {
    if (step.when && !step.when(ctx)) continue;
    const name = typeof step.name === "string" ? step.name : step.name(ctx);
    try {
      if (step.hook) await opts.beforeStep?.(step.hook);
      if (step.undo && step.undoAfterOwnFailure) undos.push(step.undo);
      await audited(
        opts,
        "do",
        name,
        () => step.run(ctx),
        (d) => d || undefined,
      );
      if (step.undo && !step.undoAfterOwnFailure) undos.push(step.undo);
      if (step.pointOfNoReturn) committed = true;
    } catch (err) {
      if (committed) throw err;
      opts.log.info(`rolling back: ${firstLine(err)}`);
      const failures: string[] = [];
      for (const undo of undos.reverse()) {
        if (undo.when && !undo.when(ctx)) continue;
        const undoName = typeof undo.name === "string" ? undo.name : undo.name(ctx);
        await audited(opts, "undo", undoName, () => undo.run(ctx)).catch((e) => failures.push(`${undoName}: ${firstLine(e)}`));
      }
      throw new StepsRolledBack(err as Error, name, failures);
    }
  }
}
