#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { HostsError } from "../model/hosts";
import { StackConfigError } from "../model/stackConfig";
import { MigrationTargetUnavailable } from "./commands/migrate";
import { StackAtRefError } from "../planner/stackAtRef";
import { PulumiCliMissing, PulumiPassphraseMissing } from "../program/pulumiStack";
import { MissingProgramError } from "../sandbox/prerequisites";
import { DockerEngineUnavailable, ImagesMissing } from "../dockerRun/imagePrecondition";
import { buildCommand, CommandSpec, Out, quietParsing, usageErrorOf } from "./args";
import { checkSpec } from "./commands/check";
import { deploySpec } from "./commands/deploy";
import { diffSpec } from "./commands/diff";
import { editionsSpec } from "./commands/editions";
import { fleetSpec } from "./commands/fleet";
import { incidentSpec } from "./commands/incident";
import { maintenanceSpec } from "./commands/maintenance";
import { migrateSpec } from "./commands/migrate";
import { planSpec } from "./commands/plan";
import { renderSpec } from "./commands/render";
import { sandboxSpec } from "./commands/sandbox";
import { scanSpec } from "./commands/scan";
import { schemaSpec } from "./commands/schema";
import { slaSpec } from "./commands/sla";
import { CliError, MissingPrerequisite, RuntimeFailure, UsageError } from "./errors";
import { AlertmanagerError } from "../render/alertmanager/api";
import { EXIT, ExitCode, exitCodeTable } from "./exitCodes";

/** Every command of the lchost CLI, in the order `lchost --help` lists them; new commands register here. */
export const commands: Array<CommandSpec<any>> = [
  planSpec,
  renderSpec,
  deploySpec("up"),
  deploySpec("preview"),
  deploySpec("destroy"),
  editionsSpec,
  diffSpec,
  checkSpec,
  schemaSpec,
  migrateSpec,
  sandboxSpec,
  scanSpec,
  maintenanceSpec,
  slaSpec,
  fleetSpec,
  incidentSpec,
];

/**
 * The one place where failures become exit codes: a CliError carries its own; the lower layers' own
 * expected failures are mapped here; anything else is a bug.
 */
export function cliErrorOf(e: unknown): CliError | undefined {
  if (e instanceof CliError) return e;
  if (e instanceof CommanderError) return usageErrorOf(e);
  if (e instanceof StackConfigError || e instanceof StackAtRefError || e instanceof MigrationTargetUnavailable || e instanceof HostsError)
    return new UsageError(e.message);
  if (e instanceof PulumiCliMissing || e instanceof PulumiPassphraseMissing || e instanceof MissingProgramError) return new MissingPrerequisite(e.message);
  if (e instanceof DockerEngineUnavailable || e instanceof ImagesMissing) return new MissingPrerequisite(e.message);
  if (e instanceof AlertmanagerError) return new RuntimeFailure(e.message);
  return undefined;
}

function rootCommand(out: Out, done: (code: ExitCode) => void): Command {
  const root = quietParsing(new Command("lchost"), out)
    .description("License Central hosting as code: plan, deploy, check and migrate customer stacks")
    .usage("<command> [options]  (lchost <command> --help for its options)")
    .addHelpText("after", `\n${exitCodeTable()}`);
  for (const spec of commands) root.addCommand(buildCommand(spec, out, done));
  return root;
}

/** Runs the CLI; returns the exit code (the table: cli/exitCodes.ts, printed by `lchost --help`). */
export async function main(argv: string[], out: Out = (s) => console.log(s), err: Out = (s) => console.error(s)): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const root = rootCommand(out, (c) => (code = c));
  if (argv.length === 0) {
    err(root.helpInformation().replace(/\n$/, ""));
    return EXIT.usage;
  }
  const name = root.commands.some((c) => c.name() === argv[0]) ? argv[0] : undefined;
  try {
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
