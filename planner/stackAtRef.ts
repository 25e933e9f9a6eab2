/**
 * A stack planned as its file was at a git ref, beside the plan of its file today: the inputs of
 * `lchost diff`. Only the stack files come from the ref; the program is today's, so a diff shows what
 * the config change does, not what a code change does.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../model/inputError";
import { loadStackFile, stackFilePath, StackFile, stackNameOfReference, stacksDir } from "../model/stackFile";
import { Plan } from "./mockPlanner";
import { diffPlans, StackDiff } from "./planDiff";
import { StackPlanner } from "./planWithReferences";

/** A git ref, repository or stack file the caller named does not exist (a usage mistake, not a bug). */
export class StackAtRefError extends InputError {}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e: any) {
    throw new StackAtRefError(`git ${args.join(" ")} failed in ${cwd}: ${String(e.stderr ?? e.message).trim()}`);
  }
}

export function gitRoot(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/** The text of a file at a git ref, or undefined when the file did not exist there. */
export function fileAtRef(file: string, ref: string): string | undefined {
  const root = gitRoot(path.dirname(file));
  const rel = path
    .relative(root, fs.realpathSync(path.dirname(file)))
    .split(path.sep)
    .concat(path.basename(file))
    .filter(Boolean)
    .join("/");
  git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  try {
    return execFileSync("git", ["show", `${ref}:${rel}`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return undefined;
  }
}

/**
 * Plans a stack as its file (and the shared-server file it references) was at a git ref: both are
 * written to a temporary folder and planned with today's program — the diff shows what the config
 * change does, not what a code change does.
 */
export async function planStackAtRef(stackName: string, ref: string, dir = stacksDir()): Promise<Plan | undefined> {
  const file = stackFilePath(stackName, dir);
  const text = fileAtRef(file, ref);
  if (text === undefined) return undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-diff-"));
  try {
    const copy = path.join(tmp, path.basename(file));
    fs.writeFileSync(copy, text);
    const stack = loadStackFile(copy);
    if (stack.config.role === "customer" && stack.config.sharedServer) {
      const shared = stackFilePath(stackNameOfReference(stack.config.sharedServer), dir);
      const sharedText = fileAtRef(shared, ref);
      if (sharedText !== undefined) fs.writeFileSync(path.join(tmp, path.basename(shared)), sharedText);
    }
    return await new StackPlanner().plan(stack);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Plans both sides and diffs them. */
export async function diffStack(stackName: string, ref: string, dir = stacksDir()): Promise<StackDiff> {
  const base = await planStackAtRef(stackName, ref, dir);
  const file = stackFilePath(stackName, dir);
  let head: Plan | undefined;
  if (fs.existsSync(file)) {
    const stack: StackFile = loadStackFile(file);
    head = await new StackPlanner().plan(stack);
  }
  if (!base && !head) throw new StackAtRefError(`stack '${stackName}' has no file ${file}, neither now nor at ${ref}`);
  const { changes, dataLoss } = diffPlans(base, head);
  return { stack: stackName, base: ref, changes, dataLoss };
}
