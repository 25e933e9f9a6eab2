import * as path from "path";
import { loadStack, loadStackFile, StackFile } from "../model/stackFile";
import { ParsedArgs, UsageError } from "./args";

/** `<stack>` (from stacks/) or `--stack-file <path>`. */
export function selectStack(args: ParsedArgs): StackFile {
  const file = args.flags["stack-file"];
  if (typeof file === "string") {
    if (args.positionals.length > 0) throw new UsageError("give either <stack> or --stack-file, not both");
    return loadStackFile(path.resolve(file));
  }
  if (args.positionals.length !== 1) throw new UsageError("name one stack: lchost <command> <stack> (or --stack-file <path>)");
  return loadStack(args.positionals[0]);
}
