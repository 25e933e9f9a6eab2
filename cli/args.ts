/**
 * Argument parsing for every lchost command, on commander: each command is a spec (its arguments and
 * options, and a run function); `lchost <cmd> --help` comes from that spec, unknown flags and stray
 * arguments are usage errors, typed options are parsed and checked here. Parsing never exits the
 * process and never prints errors itself: a problem becomes a UsageError that main.ts prints.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { UsageError } from "./errors";
import { ExitCode } from "./exitCodes";

export type Out = (s: string) => void;

/** What a command's run function gets: its positional arguments and its options (camel-cased). */
export interface ParsedArgs {
  args: string[];
  opts: Record<string, unknown>;
}

export interface CommandSpec<Extra = undefined> {
  name: string;
  /** One line for `lchost --help`. */
  summary: string;
  /** Declares the command's arguments and options on a fresh commander Command. */
  define(cmd: Command): void;
  run(parsed: ParsedArgs, out: Out, extra?: Extra): Promise<ExitCode>;
  /** Commands under this one (`lchost maintenance silence …`); its own run then gets what matched none. */
  subcommands?: Array<CommandSpec<Extra>>;
}

/** No process.exit, no printing of errors (main.ts does that), help text through `out` (stdout). */
export function quietParsing(cmd: Command, out: Out): Command {
  return cmd
    .exitOverride()
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, "")), writeErr: () => undefined, outputError: () => undefined });
}

/** The commander command of a spec; its action runs the spec and hands the exit code to `done`. */
export function buildCommand<E>(spec: CommandSpec<E>, out: Out, done: (code: ExitCode) => void, extra?: E): Command {
  const cmd = new Command(spec.name).description(spec.summary);
  spec.define(cmd);
  for (const sub of spec.subcommands ?? []) cmd.addCommand(buildCommand(sub, out, done, extra));
  // stray arguments are checked here rather than by commander, so the message can name the argument
  quietParsing(cmd, out).allowExcessArguments(true);
  cmd.action(async (..._declared: unknown[]) => {
    const declared = cmd.registeredArguments;
    if (!declared.some((a) => a.variadic) && cmd.args.length > declared.length) {
      const takes = declared.length === 0 ? "no arguments" : declared.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(" ");
      throw new UsageError(`unexpected argument '${cmd.args[declared.length]}' (lchost ${spec.name} takes ${takes})`);
    }
    done(await spec.run({ args: cmd.args, opts: cmd.opts() }, out, extra));
  });
  return cmd;
}

/** commander's own problems (unknown option, missing argument, bad value) as one usage line. */
export function usageErrorOf(e: CommanderError): UsageError {
  return new UsageError(e.message.replace(/^error: /, "").split("\n")[0]);
}

/** Parses argv (without the command name) for one command and runs it; `--help` prints usage and gives 0. */
export async function runCommand<E>(spec: CommandSpec<E>, argv: string[], out: Out, extra?: E): Promise<ExitCode> {
  let code: ExitCode = 0;
  const cmd = buildCommand(spec, out, (c) => (code = c), extra);
  try {
    await cmd.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help
      throw usageErrorOf(e);
    }
    throw e;
  }
  return code;
}

/** An option parser for whole numbers in [min, max]; the error names the flag (commander adds it). */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A string option as given, or undefined. */
export function stringOpt(opts: Record<string, unknown>, name: string): string | undefined {
  const v = opts[name];
  return typeof v === "string" ? v : undefined;
}
