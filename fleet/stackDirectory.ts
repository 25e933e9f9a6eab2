/**
 * Reading a stacks directory for the fleet commands: every Pulumi.<stack>.yaml, validated (host keys against the
 * inventory beside it, when there is one), every invalid file reported at once. One reader for the runner
 * (fleet/run/selection.ts) and `fleet status`; each turns the refusal into its own input error.
 */
import * as fs from "fs";
import * as path from "path";
import { findHostInventory } from "../model/hostInventoryFile";
import { StackConfigError } from "../model/stackConfig";
import { checkStackHosts, parseStackFileText, StackFile } from "../model/stackFile";

export class StackDirectoryError extends Error {
  /** `problems` empty: the directory itself is missing (the message says so). */
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = "StackDirectoryError";
  }
}

export function readStackDirectory(dir: string): StackFile[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new StackDirectoryError(`--stacks-dir: '${dir}' is not a directory`, []);
  const inventory = findHostInventory(dir);
  const problems: string[] = [];
  const stacks: StackFile[] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort()) {
    const file = path.join(dir, f);
    try {
      stacks.push(checkStackHosts(parseStackFileText(fs.readFileSync(file, "utf8"), file), inventory));
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      problems.push(...e.problems.map((p) => `${file}: ${p}`));
    }
  }
  if (problems.length) throw new StackDirectoryError("invalid stack files", problems);
  return stacks;
}

/** The refusal as one message: `<what>:\n<problem per line>`, or the directory's own message. */
export function describeStackDirectoryError(e: StackDirectoryError, what = e.message): string {
  return e.problems.length ? `${what}:\n${e.problems.join("\n")}` : e.message;
}
