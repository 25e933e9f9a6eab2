/**
 * Runs the sandbox's processes: each in its own process group (so helpers it forks, e.g. Galera's
 * rsync, go with it), output appended to `<logDir>/<name>.log` (mode 0600), stopped by its PID only. The PIDs are
 * also written to `pids.json`, so a sandbox that was not stopped (its parent was killed) is cleaned up
 * by the next start of the same sandbox — only processes whose command line is still the one recorded.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { SandboxProcessSpec } from "./containerTranslation";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class LocalProcess {
  pid: number | undefined;
  exit: ProcessExit | null = null;
  private child: ChildProcess | undefined;
  private exitWaiters: Array<(e: ProcessExit) => void> = [];
  readonly logFile: string;

  constructor(
    readonly spec: SandboxProcessSpec,
    logDir: string,
    private readonly onStart: (p: LocalProcess) => void,
  ) {
    this.logFile = path.join(logDir, `${spec.name}.log`);
  }

  get running(): boolean {
    return this.pid !== undefined && this.exit === null;
  }

  /** `extraArgs` apply to this start only (e.g. HAProxy's `-sf <old pid>` for a graceful reload). */
  start(extraArgs: string[] = []): void {
    if (this.running) throw new Error(`${this.spec.name} is already running (pid ${this.pid})`);
    const args = [...this.spec.args, ...extraArgs];
    const fd = fs.openSync(this.logFile, "a", 0o600);
    fs.fchmodSync(fd, 0o600); // also when an earlier run left the file with another mode
    fs.writeSync(fd, `\n--- ${new Date().toISOString()} start: ${this.spec.command} ${args.join(" ")}\n`);
    this.exit = null;
    const child = spawn(this.spec.command, args, { cwd: this.spec.dir, env: this.spec.env, detached: true, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    this.child = child;
    this.pid = child.pid;
    child.once("error", (err) => this.exited({ code: 127, signal: null }, `failed to start: ${err.message}`));
    child.once("exit", (code, signal) => this.exited({ code, signal }));
    child.unref();
    if (this.pid === undefined) throw new Error(`${this.spec.name}: could not start ${this.spec.command}`);
    this.onStart(this);
  }

  private exited(e: ProcessExit, why?: string): void {
    if (this.exit) return;
    this.exit = e;
    if (why) fs.appendFileSync(this.logFile, `${why}\n`);
    for (const w of this.exitWaiters.splice(0)) w(e);
  }

  waitExit(timeoutMs: number): Promise<ProcessExit | null> {
    if (this.exit || this.pid === undefined) return Promise.resolve(this.exit);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), timeoutMs);
      this.exitWaiters.push((e) => {
        clearTimeout(t);
        resolve(e);
      });
    });
  }

  /**
   * A signal as Docker delivers it: SIGKILL, SIGSTOP and SIGCONT hit every process of the "container" (its
   * process group: `docker kill`, `docker pause`), any other signal its first process only (`docker stop`
   * sends SIGTERM to PID 1, which may pass it on — a Galera node's start script does, after saving its view).
   */
  kill(signal: NodeJS.Signals): void {
    if (!this.running) throw new Error(`${this.spec.name} is not running`);
    process.kill(WHOLE_CONTAINER_SIGNALS.has(signal) ? -this.pid! : this.pid!, signal);
  }

  /** SIGTERM, then SIGKILL after the timeout; then whatever is left of its process group. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.pid === undefined) return;
    const pid = this.pid;
    if (this.running) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* gone */
      }
      if (!(await this.waitExit(timeoutMs))) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
        await this.waitExit(5000);
      }
    }
    killGroup(pid);
  }

  tail(lines = 25): string {
    try {
      return fs.readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

const WHOLE_CONTAINER_SIGNALS = new Set<NodeJS.Signals>(["SIGKILL", "SIGSTOP", "SIGCONT"]);

/** SIGKILL to what remains of a process group we created (the leader's pid is the group id). */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 0);
  } catch {
    return; // nothing left
  }
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    /* gone meanwhile */
  }
}

interface RecordedPid {
  name: string;
  pid: number;
  command: string;
}

/** Records PIDs of started processes in `<dir>/pids.json`. */
export class PidRecord {
  private readonly file: string;
  private entries: RecordedPid[] = [];
  constructor(dir: string) {
    this.file = path.join(dir, "pids.json");
  }
  add(p: LocalProcess): void {
    const command = [p.spec.command, ...p.spec.args].join(" ");
    this.entries = this.entries.filter((e) => e.name !== p.spec.name).concat({ name: p.spec.name, pid: p.pid!, command });
    fs.writeFileSync(this.file, JSON.stringify(this.entries, null, 2), { mode: 0o600 });
  }
  clear(): void {
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * Kills processes a previous run of this sandbox left behind (recorded PID whose command line still

 * is still the recorded one, or is mariadbd for a start script that exec'ed it). Returns their names.
 */
export async function killLeftovers(dir: string): Promise<string[]> {
  const file = path.join(dir, "pids.json");
  let entries: RecordedPid[] = [];
  try {
    entries = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return [];
  }
  const killed: string[] = [];
  for (const e of entries) {
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${e.pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
      continue;
    }
    if (cmdline !== e.command && !(cmdline.startsWith("mariadbd ") && cmdline.includes(dir))) continue;
    try {
      process.kill(e.pid, "SIGKILL");
    } catch {
      /* gone */
    }
    killGroup(e.pid);
    killed.push(e.name);
  }
  await new Promise((r) => setTimeout(r, killed.length ? 300 : 0));
  fs.rmSync(file, { force: true });
  return killed;
}
