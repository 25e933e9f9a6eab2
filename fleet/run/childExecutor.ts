/**
 * Runs one stack's work as a child process whose output goes to the stack's own log file.
 *
 * Why a process per stack rather than calling the command in this process: (1) output — the commands print
 * through the process-wide stdout/console and Pulumi's engine streams into them, so N stacks in one process
 * would interleave; a child's stdout and stderr are its own and go whole to its log; (2) crashes and hangs —
 * an uncaught error, a process.exit or a stuck engine ends that stack only, and the runner still writes
 * run.json and the summary; (3) global state — the planner's mock runtime (pulumi.runtime.setMocks) and the
 * Automation API workspace are per process, so two plans at once in one process would mix; (4) secrets —
 * LCHOST_CONFIG_SECRETS / PULUMI_CONFIG_PASSPHRASE reach the child through its environment, never its
 * command line (which `ps` shows) or run.json. The price: starting node and loading the command's modules
 * (1.5-2.5 s per stack on this machine; measured in npm run bench:fleet).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { Outcome } from "./scheduler";

export interface ChildRun {
  command: string;
  args: string[];
  /** Appended to; a header line names the attempt and the command. */
  logFile: string;
  header: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the child prints (stdout or stderr), as it comes: the live display's last line. */
  onLine?: (line: string) => void;
}

/** What the child's own error line says, without the `lchost <command>: ` prefix its CLI adds. */
export function failureReason(stderrLines: string[], stdoutLines: string[], code: number | null, signal: NodeJS.Signals | null): string {
  const exit = signal ? `killed by ${signal}` : `exit ${code}`;
  const nonEmpty = (xs: string[]) => xs.map((l) => l.trim()).filter(Boolean);
  const err = nonEmpty(stderrLines);
  const cliLine = [...err].reverse().find((l) => /^lchost [a-z-]+: /.test(l));
  const line = cliLine?.replace(/^lchost [a-z-]+: /, "") ?? err[err.length - 1] ?? nonEmpty(stdoutLines).pop();
  return line ? `${line} (${exit})` : exit;
}

/** Splits a stream into lines for onLine; keeps only the last few lines of each stream for the reason. */
function lineSplitter(keep: string[], onLine?: (line: string) => void): (chunk: Buffer) => void {
  let rest = "";
  return (chunk) => {
    const parts = (rest + chunk.toString("utf8")).split(/\r?\n|\r/);
    rest = parts.pop() ?? "";
    for (const p of parts) {
      keep.push(p);
      if (keep.length > 50) keep.shift();
      if (p.trim()) onLine?.(p);
    }
  };
}

/** Runs the child to its end; a non-zero exit (or a signal, or a failure to start) is a failed outcome. */
export function runChild(run: ChildRun): Promise<Outcome> {
  return new Promise((resolve) => {
    const log = fs.openSync(run.logFile, "a", 0o600);
    fs.writeSync(log, `${run.header}\n`);
    const stdout: string[] = [];
    const stderr: string[] = [];
    let settled = false;
    const finish = (o: Outcome, tail?: string) => {
      if (settled) return;
      settled = true;
      if (tail) fs.writeSync(log, `${tail}\n`);
      fs.closeSync(log);
      resolve(o);
    };
    const child = spawn(run.command, run.args, { cwd: run.cwd, env: run.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const outLines = lineSplitter(stdout, run.onLine);
    const errLines = lineSplitter(stderr, run.onLine);
    child.stdout.on("data", (c: Buffer) => {
      fs.writeSync(log, c);
      outLines(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      fs.writeSync(log, c);
      errLines(c);
    });
    child.once("error", (e) => finish({ ok: false, reason: `could not start ${run.command}: ${e.message}` }, `--- could not start: ${e.message}`));
    child.once("close", (code, signal) => {
      outLines(Buffer.from("\n"));
      errLines(Buffer.from("\n"));
      if (code === 0) finish({ ok: true }, "--- exit 0");
      else finish({ ok: false, reason: failureReason(stderr, stdout, code, signal) }, `--- ${signal ? `killed by ${signal}` : `exit ${code}`}`);
    });
  });
}
