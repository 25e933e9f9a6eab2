/**
 * The fleet runner's scheduler: which stack starts when. The decisions are pure functions of a state
 * (nextToStart, withOutcome) so the rules — dependencies first, never more than N at once, fail-fast,
 * a failed dependency skips its dependants, a resumed run skips what already succeeded — are tested
 * without processes; runSchedule drives them with an injected executor.
 */

/** One stack to run and the stacks (of the same run) that must have succeeded before it starts. */
export interface ScheduleItem {
  name: string;
  dependsOn: string[];
}

export type StackStatus = "waiting" | "running" | "succeeded" | "failed" | "skipped";

export interface StackProgress {
  status: StackStatus;
  /** failed: the one-line reason; skipped: why (dependency failed, fail-fast, succeeded in an earlier run). */
  reason?: string;
  /** Succeeded in an earlier attempt of this run (--resume): not run again. */
  earlier?: boolean;
}

export interface ScheduleState {
  /** In the order they are started when free: the caller's order (deterministic). */
  items: ScheduleItem[];
  progress: Map<string, StackProgress>;
  concurrency: number;
  failFast: boolean;
  /** fail-fast was triggered: nothing more starts. */
  stopped: boolean;
}

export type Outcome = { ok: true } | { ok: false; reason: string };

/**
 * The first state of a run. `succeededEarlier`: stacks a resumed run does not run again; they count as
 * succeeded for their dependants. Dependencies on stacks outside the run are ignored (the caller keeps only
 * the ones inside the selection), a dependency cycle is refused.
 */
export function initialState(items: ScheduleItem[], opts: { concurrency: number; failFast: boolean; succeededEarlier?: Iterable<string> }): ScheduleState {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new RangeError(`concurrency: ${opts.concurrency} is not a whole number >= 1`);
  const names = new Set(items.map((i) => i.name));
  if (names.size !== items.length) throw new Error("schedule: a stack is listed twice");
  const inRun = items.map((i) => ({ name: i.name, dependsOn: i.dependsOn.filter((d) => names.has(d) && d !== i.name) }));
  refuseCycles(inRun);
  const earlier = new Set(opts.succeededEarlier ?? []);
  const progress = new Map<string, StackProgress>(
    inRun.map((i) => [i.name, earlier.has(i.name) ? { status: "succeeded", earlier: true } : { status: "waiting" }]),
  );
  return { items: inRun, progress, concurrency: opts.concurrency, failFast: opts.failFast, stopped: false };
}

function refuseCycles(items: ScheduleItem[]): void {
  const deps = new Map(items.map((i) => [i.name, i.dependsOn]));
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (done.has(name)) return;
    if (path.includes(name)) throw new Error(`schedule: dependency cycle ${[...path.slice(path.indexOf(name)), name].join(" -> ")}`);
    for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
    done.add(name);
  };
  for (const i of items) visit(i.name, []);
}

const count = (s: ScheduleState, status: StackStatus) => [...s.progress.values()].filter((p) => p.status === status).length;

/** The stacks that may start now, in item order: waiting, every dependency succeeded, within the free slots. */
export function nextToStart(s: ScheduleState): string[] {
  if (s.stopped) return [];
  const free = s.concurrency - count(s, "running");
  const ready: string[] = [];
  for (const item of s.items) {
    if (ready.length >= free) break;
    if (s.progress.get(item.name)!.status !== "waiting") continue;
    if (item.dependsOn.every((d) => s.progress.get(d)!.status === "succeeded")) ready.push(item.name);
  }
  return ready;
}

/** The state with `name` running. */
export function withStarted(s: ScheduleState, name: string): ScheduleState {
  const p = s.progress.get(name);
  if (p?.status !== "waiting") throw new Error(`schedule: ${name} is not waiting (${p?.status ?? "unknown"})`);
  if (count(s, "running") >= s.concurrency) throw new Error(`schedule: starting ${name} would exceed the concurrency ${s.concurrency}`);
  return { ...s, progress: new Map(s.progress).set(name, { status: "running" }) };
}

/**
 * The state after a stack finished: a failure skips every stack that depends on it (transitively, naming the
 * failed one); with fail-fast it also stops the run and skips everything still waiting.
 */
export function withOutcome(s: ScheduleState, name: string, outcome: Outcome): ScheduleState {
  if (s.progress.get(name)?.status !== "running") throw new Error(`schedule: ${name} is not running`);
  const progress = new Map(s.progress);
  if (outcome.ok) {
    progress.set(name, { status: "succeeded" });
    return { ...s, progress };
  }
  progress.set(name, { status: "failed", reason: outcome.reason });
  const skipDependants = (failed: string, root: string) => {
    for (const item of s.items) {
      if (!item.dependsOn.includes(failed) || progress.get(item.name)!.status !== "waiting") continue;
      progress.set(item.name, { status: "skipped", reason: `dependency failed: ${root}` });
      skipDependants(item.name, root);
    }
  };
  skipDependants(name, name);
  if (!s.failFast) return { ...s, progress };
  for (const item of s.items) {
    if (progress.get(item.name)!.status === "waiting") progress.set(item.name, { status: "skipped", reason: `fail-fast: ${name} failed` });
  }
  return { ...s, progress, stopped: true };
}

/** Nothing runs and nothing can start any more. */
export function isFinished(s: ScheduleState): boolean {
  return count(s, "running") === 0 && nextToStart(s).length === 0;
}

/**
 * Waiting stacks that can never start (a dependency that ended without succeeding while no rule above
 * skipped it cannot happen; this is the guard that the run always ends with every stack decided).
 */
function settleStuck(s: ScheduleState): ScheduleState {
  const progress = new Map(s.progress);
  for (const item of s.items) {
    if (progress.get(item.name)!.status === "waiting") progress.set(item.name, { status: "skipped", reason: "never became ready" });
  }
  return { ...s, progress };
}

export type ScheduleEvent =
  { kind: "started"; name: string } | { kind: "finished"; name: string; outcome: Outcome } | { kind: "skipped"; name: string; reason: string };

/**
 * Runs the schedule: starts what nextToStart allows, waits for any to finish, repeats. `execute` must not
 * throw (a throw counts as a failure with its message). `onEvent` sees every change with the new state.
 */
export async function runSchedule(
  start: ScheduleState,
  execute: (name: string) => Promise<Outcome>,
  onEvent: (e: ScheduleEvent, s: ScheduleState) => void = () => undefined,
): Promise<ScheduleState> {
  let s = start;
  const running = new Map<string, Promise<{ name: string; outcome: Outcome }>>();
  const reportSkips = (before: ScheduleState, after: ScheduleState) => {
    for (const item of after.items) {
      const p = after.progress.get(item.name)!;
      if (p.status === "skipped" && before.progress.get(item.name)!.status !== "skipped")
        onEvent({ kind: "skipped", name: item.name, reason: p.reason ?? "" }, after);
    }
  };
  for (;;) {
    for (const name of nextToStart(s)) {
      s = withStarted(s, name);
      onEvent({ kind: "started", name }, s);
      running.set(
        name,
        Promise.resolve()
          .then(() => execute(name))
          .catch((e): Outcome => ({ ok: false, reason: String((e as Error)?.message ?? e).split("\n")[0] }))
          .then((outcome) => ({ name, outcome })),
      );
    }
    if (running.size === 0) break;
    const { name, outcome } = await Promise.race(running.values());
    running.delete(name);
    const before = s;
    s = withOutcome(s, name, outcome);
    onEvent({ kind: "finished", name, outcome }, s);
    reportSkips(before, s);
  }
  const before = s;
  s = settleStuck(s);
  reportSkips(before, s);
  return s;
}
