/**
 * The two ways a fleet run shows progress (the renderers themselves are pure: progressRender.ts): on a
 * terminal a frame redrawn in place every half second and on every change; elsewhere (CI, pipes) one plain
 * line per start, end and skip.
 */
import type { RunObserver } from "./fleetRun";
import { LiveView, liveLines, PlainEvent, plainLine, redraw } from "./progressRender";
import type { RunRecord } from "./runRecord";
import type { ScheduleEvent, ScheduleState, StackStatus } from "./scheduler";

function eventOf(e: ScheduleEvent, record: RunRecord): PlainEvent {
  if (e.kind === "started") return { kind: "started", name: e.name };
  if (e.kind === "skipped") return { kind: "skipped", name: e.name, reason: e.reason };
  const ms = (record.stacks.find((s) => s.name === e.name)?.seconds ?? 0) * 1000;
  return e.outcome.ok ? { kind: "succeeded", name: e.name, ms } : { kind: "failed", name: e.name, ms, reason: e.outcome.reason };
}

export class PlainProgress implements RunObserver {
  constructor(
    private readonly write: (line: string) => void,
    private readonly startedAt: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {}
  onEvent(e: ScheduleEvent, record: RunRecord): void {
    this.write(plainLine(eventOf(e, record), this.now() - this.startedAt));
  }
  onLine(): void {
    /* the stack's own output is in its log file */
  }
}

export class LiveProgress implements RunObserver {
  private readonly lastLine = new Map<string, string>();
  private readonly runningSince = new Map<string, number>();
  private counts: Record<StackStatus, number> = { waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
  private shown = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (bytes: string) => void,
    private readonly width: () => number,
    private readonly startedAt: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {}

  start(state: ScheduleState): void {
    this.countFrom(state);
    this.draw();
    this.timer = setInterval(() => this.draw(), 500);
    this.timer.unref();
  }

  /** Ends the live frame: the last frame stays, the finished lines above it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
  }

  onEvent(e: ScheduleEvent, record: RunRecord, state: ScheduleState): void {
    this.countFrom(state);
    if (e.kind === "started") this.runningSince.set(e.name, this.now());
    else {
      this.runningSince.delete(e.name);
      this.lastLine.delete(e.name);
      // a finished stack leaves a plain line above the live frame
      this.write(redraw(this.shown, [plainLine(eventOf(e, record), this.now() - this.startedAt)]));
      this.shown = 0;
    }
    this.draw();
  }

  onLine(stack: string, line: string): void {
    this.lastLine.set(stack, line);
  }

  private countFrom(state: ScheduleState): void {
    const c: Record<StackStatus, number> = { waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
    for (const p of state.progress.values()) c[p.status]++;
    this.counts = c;
  }

  private draw(): void {
    const view: LiveView = {
      now: this.now(),
      runStartedAt: this.startedAt,
      running: [...this.runningSince].map(([name, startedAt]) => ({ name, startedAt, lastLine: this.lastLine.get(name) ?? "" })),
      counts: this.counts,
    };
    const lines = liveLines(view, Math.max(20, this.width() - 1));
    this.write(redraw(this.shown, lines));
    this.shown = lines.length;
  }
}
