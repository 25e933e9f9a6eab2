import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { checkStackHosts, loadStack, parseStackFileText, StackFile } from "../model/stackFile";
import { StackConfigError } from "../model/stackConfig";
import { ParsedArgs, stringOpt } from "./args";
import { UsageError } from "./errors";

const STACK_FILE_NAME = /^Pulumi\.(.+)\.ya?ml$/;

/**
 * The stack a file holds: from a file named Pulumi.<stack>.yaml, else from --stack, else from the
 * file's lchost:customer. A --stack that contradicts the file name is refused.
 */
export function stackNameForFile(file: string, text: string, explicit?: string): string {
  const fromName = STACK_FILE_NAME.exec(path.basename(file))?.[1];
  if (fromName && explicit && explicit !== fromName)
    throw new UsageError(`--stack '${explicit}' contradicts the file name ${path.basename(file)} (stack '${fromName}')`);
  if (fromName) return fromName;
  if (explicit) return explicit;
  let customer: unknown;
  try {
    customer = YAML.parse(text)?.config?.["lchost:customer"];
  } catch (e) {
    throw new StackConfigError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
  if (typeof customer === "string" && customer) return customer;
  throw new UsageError(`--stack-file ${file}: the file is not named Pulumi.<stack>.yaml and has no lchost:customer; name the stack with --stack <name>`);
}

/** `<stack>` (from stacks/) or `--stack-file <path>` (any file name; see stackNameForFile). */
export function selectStack(parsed: ParsedArgs): StackFile {
  const file = stringOpt(parsed.opts, "stackFile");
  const explicit = stringOpt(parsed.opts, "stack");
  if (file !== undefined) {
    if (parsed.args.length > 0) throw new UsageError("give either <stack> or --stack-file, not both");
    const full = path.resolve(file);
    if (!fs.existsSync(full)) throw new StackConfigError(full, ["no such stack file"]);
    const text = fs.readFileSync(full, "utf8");
    return checkStackHosts(parseStackFileText(text, full, stackNameForFile(full, text, explicit)));
  }
  if (explicit !== undefined) throw new UsageError("--stack names the stack of a --stack-file; for a stack in stacks/ give its name as the argument");
  if (parsed.args.length !== 1) throw new UsageError("name one stack: lchost <command> <stack> (or --stack-file <path>)");
  return loadStack(parsed.args[0]);
}
