import * as path from "path";
import { stacksDir } from "../../model/stackFile";
import { ChangeAction, StackDiff } from "../../planner/planDiff";
import { diffStack } from "../../planner/stackAtRef";
import { parseArgs, UsageError } from "../args";

export const diffUsage = "lchost diff <stack> --base <git-ref> [--stacks-dir <dir>] [--allow-data-loss] [--json]";

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
export async function diffCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { boolean: ["json", "allow-data-loss"], string: ["base", "stacks-dir"] });
  if (args.positionals.length !== 1) throw new UsageError("name one stack: lchost diff <stack> --base <git-ref>");
  if (typeof args.flags.base !== "string") throw new UsageError("--base <git-ref> is required (e.g. --base origin/main)");
  const dir = typeof args.flags["stacks-dir"] === "string" ? path.resolve(args.flags["stacks-dir"]) : stacksDir();
  const d = await diffStack(args.positionals[0], args.flags.base, dir);
  out(args.flags.json ? JSON.stringify(d, null, 2) : renderDiff(d));
  if (d.dataLoss.length > 0 && !args.flags["allow-data-loss"]) {
    if (!args.flags.json) out("refusing: this change loses data; re-run with --allow-data-loss if that is intended");
    return 1;
  }
  return 0;
}
