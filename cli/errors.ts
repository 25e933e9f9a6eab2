import { EXIT, ExitCode } from "./exitCodes";

/**
 * An expected failure of a command: printed to stderr as `lchost <command>: <message>` without a stack
 * trace, and the process exits with its code. Anything else that escapes a command is a bug (EXIT.internal).
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Unknown command or flag, stray argument, bad flag value, invalid input (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/** A deployment or a migration failed at runtime (exit 3). */
export class RuntimeFailure extends CliError {
  constructor(message: string) {
    super(EXIT.failure, message);
  }
}

/** Something the command needs is not installed, running or built (exit 4). */
export class MissingPrerequisite extends CliError {
  constructor(message: string) {
    super(EXIT.prerequisite, message);
  }
}
