/**
 * `lchost fleet plan|preview|up|destroy` as a use case: select the stacks, order them (shared servers
 * before their tenants; the reverse for destroy), run each stack's own command with at most N at once
 * (scheduler.ts), one log file per stack and run.json rewritten after every change (runRecord.ts), and
 * --resume of an earlier run that runs again only what did not succeed. What runs per stack is injected
 * (the CLI runs `lchost <kind> <stack>` as a child process: childExecutor.ts says why).
 */
import * as fs from "fs";
import * as path from "path";
import { RESUMABLE_OPTIONS, readRunRecord, RunOptions, RunRecord, RUN_RECORD_VERSION, runDir, stackLogName, StackRecord, writeRunRecord } from "./runRecord";
import { initialState, Outcome, runSchedule, ScheduleEvent, ScheduleState } from "./scheduler";
import { fleetMembers, FleetSelectionError, parseSelect, readStacksDir, RunKind, scheduleItems, selectMembers } from "./selection";

/** One stack's work: its log file (appended to), and a callback for each line it prints. */
export type StackExecutor = (stack: string, ctx: { logFile: string; attempt: number; onLine: (line: string) => void }) => Promise<Outcome>;

export interface RunObserver {
  /** The state changed (a stack started, finished or was skipped); `record` is what run.json now says. */
  onEvent(e: ScheduleEvent, record: RunRecord, state: ScheduleState): void;
  onLine(stack: string, line: string): void;
}

export interface PreparedRun {
  record: RunRecord;
  runsDir: string;
  /** Stacks that succeeded in an earlier attempt (--resume): not run again. */
  succeededEarlier: string[];
  state: ScheduleState;
}

/** Options given on the command line; for a resume only these override the recorded ones. */
export type GivenOptions = Partial<RunOptions>;

/** A new run: the selection is checked and ordered; nothing is written until run() starts. */
export function prepareNewRun(kind: RunKind, options: RunOptions, runsDir: string, runId: string, now: Date): PreparedRun {
  const terms = options.select.map(parseSelect);
  const members = selectMembers(fleetMembers(readStacksDir(options.stacksDir)), terms, options.select);
  const items = scheduleItems(members, kind);
  const byName = new Map(members.map((m) => [m.name, m]));
  const stacks: StackRecord[] = items.map((i) => {
    const m = byName.get(i.name)!;
    return { name: m.name, edition: m.edition, hosts: m.hosts, status: "waiting", attempts: 0, log: stackLogName(m.name) };
  });
  const at = now.toISOString();
  const record: RunRecord = { version: RUN_RECORD_VERSION, runId, kind, createdAt: at, updatedAt: at, attempt: 1, options, stacks };
  return { record, runsDir, succeededEarlier: [], state: initialState(items, { concurrency: options.concurrency, failFast: options.failFast }) };
}

const FLAG: Record<keyof RunOptions, string> = {
  target: "--target",
  stacksDir: "--stacks-dir",
  concurrency: "--concurrency",
  failFast: "--fail-fast",
  deleteData: "--delete-data",
  select: "--select",
};

/**
 * A resumed run: the same stacks, selection and options as recorded; only --concurrency and --fail-fast may
 * be given anew (what runs and where stays what the run was about). The stack files are read again (the fix
 * is usually in one of them); a recorded stack whose file is gone is refused.
 */
export function prepareResume(kind: RunKind, runId: string, given: GivenOptions, runsDir: string): PreparedRun {
  const earlier = readRunRecord(runsDir, runId);
  if (earlier.kind !== kind) throw new FleetSelectionError(`--resume: run ${runId} was a fleet ${earlier.kind}, not a fleet ${kind}`);
  for (const [key, value] of Object.entries(given) as Array<[keyof RunOptions, unknown]>) {
    if (value === undefined || (RESUMABLE_OPTIONS as readonly string[]).includes(key)) continue;
    if (JSON.stringify(value) !== JSON.stringify(earlier.options[key]))
      throw new FleetSelectionError(
        `${FLAG[key]}: run ${runId} was started with ${FLAG[key]} ${JSON.stringify(earlier.options[key])}; a resume keeps it (only ${RESUMABLE_OPTIONS.map((k) => FLAG[k]).join(", ")} may change)`,
      );
  }
  const options: RunOptions = {
    ...earlier.options,
    concurrency: given.concurrency ?? earlier.options.concurrency,
    failFast: given.failFast ?? earlier.options.failFast,
  };
  const members = fleetMembers(readStacksDir(options.stacksDir));
  const byName = new Map(members.map((m) => [m.name, m]));
  const missing = earlier.stacks.filter((s) => !byName.has(s.name)).map((s) => s.name);
  if (missing.length) throw new FleetSelectionError(`--resume: run ${runId} ran stack(s) that ${options.stacksDir} no longer has: ${missing.join(", ")}`);
  const recorded = earlier.stacks.map((s) => byName.get(s.name)!);
  const items = scheduleItems(recorded, kind);
  const succeededEarlier = earlier.stacks.filter((s) => s.status === "succeeded").map((s) => s.name);
  const stacks = items.map((i) => {
    const was = earlier.stacks.find((s) => s.name === i.name)!;
    return was.status === "succeeded" ? was : { ...was, status: "waiting" as const, reason: undefined };
  });
  const record: RunRecord = { ...earlier, attempt: earlier.attempt + 1, options, stacks };
  return { record, runsDir, succeededEarlier, state: initialState(items, { concurrency: options.concurrency, failFast: options.failFast, succeededEarlier }) };
}

/** Runs a prepared run to its end; run.json is written before the first stack starts and after every change. */
export async function runPrepared(run: PreparedRun, execute: StackExecutor, observer: RunObserver, clock: () => Date = () => new Date()): Promise<RunRecord> {
  const dir = runDir(run.runsDir, run.record.runId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let record = run.record;
  const save = () => {
    record = { ...record, updatedAt: clock().toISOString() };
    writeRunRecord(run.runsDir, record);
  };
  const update = (name: string, f: (s: StackRecord) => StackRecord) => {
    record = { ...record, stacks: record.stacks.map((s) => (s.name === name ? f(s) : s)) };
  };
  save();
  const started = new Map<string, Date>();
  const onEvent = (e: ScheduleEvent, state: ScheduleState) => {
    const now = clock();
    if (e.kind === "started") {
      started.set(e.name, now);
      update(e.name, (s) => ({
        ...s,
        status: "running",
        reason: undefined,
        startedAt: now.toISOString(),
        finishedAt: undefined,
        seconds: undefined,
        attempts: s.attempts + 1,
        lastAttempt: record.attempt,
      }));
    } else if (e.kind === "finished") {
      const seconds = Math.round((now.getTime() - (started.get(e.name) ?? now).getTime()) / 100) / 10;
      update(e.name, (s) => ({
        ...s,
        status: e.outcome.ok ? "succeeded" : "failed",
        reason: e.outcome.ok ? undefined : e.outcome.reason,
        finishedAt: now.toISOString(),
        seconds,
      }));
    } else update(e.name, (s) => ({ ...s, status: "skipped", reason: e.reason, startedAt: undefined, finishedAt: undefined, seconds: undefined }));
    save();
    observer.onEvent(e, record, state);
  };
  await runSchedule(
    run.state,
    (name) =>
      execute(name, {
        logFile: path.join(dir, stackLogName(name)),
        attempt: record.attempt,
        onLine: (line) => observer.onLine(name, line),
      }),
    onEvent,
  );
  return record;
}
