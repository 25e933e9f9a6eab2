import * as path from "path";
import { stacksDir } from "../../model/stackFile";
import { ChangeAction, StackDiff } from "../../planner/planDiff";
import { diffStack } from "../../planner/stackAtRef";
import { CommandSpec, stringOpt } from "../args";
import { EXIT } from "../exitCodes";

const SIGN: Record<ChangeAction, string> = { create: "+", delete: "-", replace: "±", update: "~" };

export function renderDiff(d: StackDiff): string {
  const lines = [`diff ${d.stack}: ${d.base} -> working tree`];
  for (const c of d.changes) {
    const detail = c.changedInputs.length ? ` (${c.changedInputs.join(", ")})` : "";
    lines.push(`  ${SIGN[c.action]} ${c.action.padEnd(7)} ${c.type} ${c.name}${detail}${c.dataLoss ? "  DATA LOSS" : ""}`);
  }
  const count = (a: ChangeAction) => d.changes.filter((c) => c.action === a).length;
  lines.push(`summary: ${count("create")} to create, ${count("delete")} to delete, ${count("replace")} to replace, ${count("update")} to update`);
  for (const m of d.dataLoss) lines.push(`DATA LOSS: ${m}`);
  if (d.dataLoss.length === 0) lines.push("no data loss");
  return lines.join("\n");
}

/** Exit 0 no data loss (or --allow-data-loss), 1 data loss, 2 usage or invalid stack file. */
export const diffSpec: CommandSpec = {
  name: "diff",
  summary: "what a stack file change since a git ref would do, and whether it loses data",
  define: (cmd) =>
    cmd
      .argument("<stack>", "a stack in the stacks folder")
      .requiredOption("--base <git-ref>", "compare with the stack files at this ref (e.g. origin/main)")
      .option("--stacks-dir <dir>", "the stacks folder (default: stacks/)")
      .option("--allow-data-loss", "exit 0 even when the change loses data")
      .option("--json", "print the diff as JSON"),
  run: async ({ args, opts }, out) => {
    const dirOpt = stringOpt(opts, "stacksDir");
    const dir = dirOpt !== undefined ? path.resolve(dirOpt) : stacksDir();
    const d = await diffStack(args[0], stringOpt(opts, "base")!, dir);
    out(opts.json ? JSON.stringify(d, null, 2) : renderDiff(d));
    if (d.dataLoss.length > 0 && !opts.allowDataLoss) {
      if (!opts.json) out("refusing: this change loses data; re-run with --allow-data-loss if that is intended");
      return EXIT.findings;
    }
    return EXIT.ok;
  },
};
