#!/usr/bin/env node
import { StackConfigError } from "../model/stackConfig";
import { UsageError } from "./args";
import { checkCommand, checkUsage } from "./commands/check";
import { deployCommand, deployUsage } from "./commands/deploy";
import { PulumiCliMissing, PulumiPassphraseMissing } from "../program/pulumiStack";
import { StackAtRefError } from "../planner/stackAtRef";
import { diffCommand, diffUsage } from "./commands/diff";
import { planCommand, planUsage } from "./commands/plan";
import { schemaCommand } from "./commands/schema";
import { editionsCommand } from "./commands/editions";
import { migrateCommand, migrateUsage } from "./commands/migrate";
import { sandboxCommand, sandboxUsage } from "./commands/sandbox";

type Command = (argv: string[], out: (s: string) => void) => Promise<number>;

/** Every command of the lchost CLI; later commands register here. */
export const commands: Record<string, { run: Command; usage: string }> = {
  plan: { run: planCommand, usage: planUsage },
  up: { run: (a, o) => deployCommand("up", a, o), usage: deployUsage },
  preview: { run: (a, o) => deployCommand("preview", a, o), usage: deployUsage },
  destroy: { run: (a, o) => deployCommand("destroy", a, o), usage: deployUsage },
  editions: { run: editionsCommand, usage: "lchost editions  (prints the edition catalog)" },
  diff: { run: diffCommand, usage: diffUsage },
  check: { run: checkCommand, usage: checkUsage },
  schema: { run: schemaCommand, usage: "lchost schema  (prints the JSON Schema of the lchost: stack keys)" },
  migrate: { run: (a, o) => migrateCommand(a, o), usage: migrateUsage },
  sandbox: { run: sandboxCommand, usage: sandboxUsage },
};

export function usage(): string {
  return ["usage:", ...Object.values(commands).map((c) => `  ${c.usage}`)].join("\n");
}

/** Runs the CLI; returns the exit code (0 ok, 1 policy violation, 2 invalid config or usage, 3 other failure). */
export async function main(argv: string[], out = (s: string) => console.log(s), err = (s: string) => console.error(s)): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    err(name && name !== "--help" ? `lchost: unknown command '${name}'\n${usage()}` : usage());
    return name && name !== "--help" ? 2 : 0;
  }
  try {
    return await command.run(rest, out);
  } catch (e) {
    if (e instanceof StackConfigError) {
      err(`lchost: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof PulumiPassphraseMissing || e instanceof StackAtRefError) {
      err(`lchost ${name}: ${e.message}\nusage: ${command.usage}`);
      return 2;
    }
    if (e instanceof PulumiCliMissing) {
      err(`lchost ${name}: ${e.message}`);
      return 3;
    }
    err(`lchost ${name}: ${(e as Error).stack ?? e}`);
    return 3;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
