/**
 * What `lchost` exits with: one meaning per code, the same for every command. `lchost --help` prints
 * this table; main.ts is the one place that turns an error into a code.
 */
export const EXIT = {
  /** Done: planned, checked, deployed, migrated, nothing refused. */
  ok: 0,
  /** The command ran and found something to refuse: mandatory policy violations, an invalid stack in a check, data loss in a diff, a migration plan that is refused. */
  findings: 1,
  /** Usage or invalid input: unknown command or flag, stray argument, a bad flag value, an invalid stack file, an unknown git ref. */
  usage: 2,
  /** A deployment or runtime failure: an up/preview/destroy that failed, a migration that was rolled back. */
  failure: 3,
  /** A missing prerequisite: the Pulumi CLI or its passphrase, the Docker engine or an image, a program the sandbox needs. */
  prerequisite: 4,
  /** Not confirmed at the prompt: nothing was changed. */
  notConfirmed: 5,
  /** A bug in lchost: printed with its stack trace. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const MEANINGS: Array<[ExitCode, string]> = [
  [EXIT.ok, "done"],
  [EXIT.findings, "findings: mandatory policy violations, invalid stacks in a check, data loss in a diff, a refused migration plan"],
  [EXIT.usage, "usage or invalid input: unknown command or flag, stray argument, bad flag value, invalid stack file, unknown git ref"],
  [EXIT.failure, "deployment or runtime failure: up/preview/destroy failed, a migration was rolled back"],
  [EXIT.prerequisite, "missing prerequisite: Pulumi CLI or passphrase, Docker engine or image, a program the sandbox needs"],
  [EXIT.notConfirmed, "not confirmed at the prompt; nothing changed"],
  [EXIT.internal, "internal error (a bug in lchost; printed with its stack trace)"],
];

/** The table as `lchost --help` prints it. */
export function exitCodeTable(): string {
  return ["Exit codes:", ...MEANINGS.map(([code, meaning]) => `  ${String(code).padStart(2)}  ${meaning}`)].join("\n");
}
