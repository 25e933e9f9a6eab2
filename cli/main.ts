#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InputError } from "../model/inputError";
import { PulumiCliMissing, PulumiPassphraseMissing } from "../program/pulumiStack";
import { MissingProgramError } from "../sandbox/prerequisites";
import { DockerEngineUnavailable, ImagesMissing } from "../dockerRun/imagePrecondition";
import { buildCommand, CommandSpec, Out, quietParsing, usageErrorOf } from "./args";
import { CliError, MissingPrerequisite, RuntimeFailure, UsageError } from "./errors";
import { AlertmanagerError } from "../render/alertmanager/api";
import { EXIT, ExitCode, exitCodeTable } from "./exitCodes";

/** A command of the CLI; its module is loaded only when that command runs or help lists them all. */
export interface CommandEntry {
  name: string;
  load(): Promise<CommandSpec<any>>;
}

/**
 * Every command of the lchost CLI, in the order `lchost --help` lists them; new commands register here.
 * Loaded lazily: most commands import Pulumi and the planner (1.5–2.5 s of require time on this
 * machine), which `sla report`, `incident` or `fleet place` never use.
 */
export const commands: CommandEntry[] = [
  { name: "plan", load: async () => (await import("./commands/plan")).planSpec },
  { name: "render", load: async () => (await import("./commands/render")).renderSpec },
  { name: "up", load: async () => (await import("./commands/deploy")).deploySpec("up") },
  { name: "preview", load: async () => (await import("./commands/deploy")).deploySpec("preview") },
  { name: "destroy", load: async () => (await import("./commands/deploy")).deploySpec("destroy") },
  { name: "editions", load: async () => (await import("./commands/editions")).editionsSpec },
  { name: "diff", load: async () => (await import("./commands/diff")).diffSpec },
  { name: "check", load: async () => (await import("./commands/check")).checkSpec },
  { name: "schema", load: async () => (await import("./commands/schema")).schemaSpec },
  { name: "migrate", load: async () => (await import("./commands/migrate")).migrateSpec },
  { name: "lines", load: async () => (await import("./commands/lines")).linesSpec },
  { name: "sandbox", load: async () => (await import("./commands/sandbox")).sandboxSpec },
  { name: "scan", load: async () => (await import("./commands/scan")).scanSpec },
  { name: "maintenance", load: async () => (await import("./commands/maintenance")).maintenanceSpec },
  { name: "sla", load: async () => (await import("./commands/sla")).slaSpec },
  { name: "fleet", load: async () => (await import("./commands/fleet")).fleetSpec },
  { name: "incident", load: async () => (await import("./commands/incident")).incidentSpec },
  { name: "heal", load: async () => (await import("./commands/heal")).healSpec },
];

/**
 * The one place where failures become exit codes: a CliError carries its own; the lower layers' own
 * expected failures are mapped here; anything else is a bug.
 */
export function cliErrorOf(e: unknown): CliError | undefined {
  if (e instanceof CliError) return e;
  if (e instanceof CommanderError) return usageErrorOf(e);
  if (e instanceof InputError) return new UsageError(e.message);
  if (e instanceof PulumiCliMissing || e instanceof PulumiPassphraseMissing || e instanceof MissingProgramError) return new MissingPrerequisite(e.message);
  if (e instanceof DockerEngineUnavailable || e instanceof ImagesMissing) return new MissingPrerequisite(e.message);
  if (e instanceof AlertmanagerError) return new RuntimeFailure(e.message);
  return undefined;
}

/** The root command with the specs of the commands argv needs: the named one, or all for help and typos. */
async function rootCommand(named: CommandEntry | undefined, out: Out, done: (code: ExitCode) => void): Promise<Command> {
  const root = quietParsing(new Command("lchost"), out)
    .description("License Central hosting as code: plan, deploy, check and migrate customer stacks")
    .usage("<command> [options]  (lchost <command> --help for its options)")
    .addHelpText("after", `\n${exitCodeTable()}`);
  const specs = await Promise.all((named ? [named] : commands).map((c) => c.load()));
  for (const spec of specs) root.addCommand(buildCommand(spec, out, done));
  return root;
}

/** Runs the CLI; returns the exit code (the table: cli/exitCodes.ts, printed by `lchost --help`). */
export async function main(argv: string[], out: Out = (s) => console.log(s), err: Out = (s) => console.error(s)): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const named = commands.find((c) => c.name === argv[0]);
  const name = named?.name;
  try {
    const root = await rootCommand(named, out, (c) => (code = c));
    if (argv.length === 0) {
      err(root.helpInformation().replace(/\n$/, ""));
      return EXIT.usage;
    }
    await root.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return EXIT.ok; // --help
    const expected = cliErrorOf(e);
    const who = name ? `lchost ${name}` : "lchost";
    if (expected) {
      const hint = e instanceof CommanderError ? ` (see ${who} --help)` : "";
      err(`${who}: ${expected.message}${hint}`);
      return expected.exitCode;
    }
    err(`${who}: internal error (a bug in lchost, please report it): ${(e as Error)?.stack ?? String(e)}`);
    return EXIT.internal;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
