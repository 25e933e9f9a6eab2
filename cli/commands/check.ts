import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadStackFile, StackFile, stackNameOfReference, stacksDir } from "../../model/stackFile";
import { resolveStacksDir } from "../../model/fleet";
import { StackConfigError } from "../../model/stackConfig";
import { Plan } from "../../planner/mockPlanner";
import { StackPlanner } from "../../planner/planWithReferences";
import { tenantDatabasesDistinct } from "../../policies/fleet/tenantDatabasesDistinct";
import { HOST_NAMES_DISTINCT, hostNameClashes } from "../../policies/fleet/hostNamesDistinct";
import { CommandSpec, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT } from "../exitCodes";
import { Violation } from "../../policies/violation";
import { checkPolicies } from "../../planner/policyCheck";
import { fileAtRef, gitRoot } from "../../planner/stackAtRef";
import { platformChangeMessage } from "../../planner/planDiff";
import * as YAML from "yaml";

export interface StackCheck {
  stack: string;
  result: "ok" | "violations" | "invalid" | "deleted";
  violations: Violation[];
  problems: string[];
}

/** Changes that never alter a plan: documentation. */
export function isDocumentation(file: string): boolean {
  return /\.(md|markdown|txt|rst)$/i.test(file) || /^docs?\//.test(file) || /(^|\/)LICENSE$/.test(file);
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e: any) {
    throw new UsageError(`git ${args.join(" ")} failed: ${String(e.stderr ?? e.message).trim()}`);
  }
}

/** The ref's merge base with HEAD (the ref itself for unrelated histories). */
function mergeBase(root: string, ref: string): string {
  git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  try {
    return git(root, ["merge-base", ref, "HEAD"]).trim() || ref;
  } catch {
    return ref; // unrelated histories: compare with the ref itself
  }
}

/** Files changed between the ref's merge base with HEAD and the working tree (untracked files too). */
export function changedFiles(root: string, ref: string): string[] {
  const base = mergeBase(root, ref);
  const tracked = git(root, ["diff", "--name-only", base]).split("\n");
  const untracked = git(root, ["ls-files", "--others", "--exclude-standard"]).split("\n");
  return [...new Set([...tracked, ...untracked].filter(Boolean))].sort();
}

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/**
 * The stacks a change affects: the stacks whose file changed, the tenants of a changed shared
 * server, the operations stacks beside a changed stack, and every stack when anything but documentation changed outside the stacks folder.
 */
export function affectedStacks(changed: string[], root: string, dir: string): { stacks: string[]; all: boolean } {
  const rel = path.relative(root, fs.realpathSync(dir)).split(path.sep).join("/");
  const inStacks = (f: string) => (rel === "" ? !f.includes("/") : f.startsWith(`${rel}/`));
  const present = fs
    .readdirSync(dir)
    .map((f) => STACK_FILE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
  if (changed.some((f) => !inStacks(f) && !isDocumentation(f))) return { stacks: present, all: true };
  const names = new Set(
    changed
      .filter(inStacks)
      .map((f) => STACK_FILE.exec(path.posix.basename(f))?.[1])
      .filter((s): s is string => s !== undefined),
  );
  // Tenants plan with their shared server's outputs: a changed shared server changes their plans.
  // An operations stack renders its targets from the stack files of its fleet folder: a changed stack there changes its plan.
  const changedStacks = [...names];
  const here = fs.realpathSync(dir);
  const watches = (fleetDir: string) => fs.existsSync(resolveStacksDir(fleetDir)) && fs.realpathSync(resolveStacksDir(fleetDir)) === here;
  for (const s of present) {
    try {
      const cfg = loadStackFile(path.join(dir, `Pulumi.${s}.yaml`)).config;
      if (cfg.role === "customer" && cfg.sharedServer && names.has(stackNameOfReference(cfg.sharedServer))) names.add(s);
      if (cfg.role === "operations" && changedStacks.some((c) => c !== s) && watches(cfg.fleet.stacksDir)) names.add(s);
    } catch {
      // an invalid file is reported when it is checked itself
    }
  }
  return { stacks: [...names].sort(), all: false };
}

/** Plans and checks one stack; never throws for a bad stack (that is its result). */
/** A platform change since the ref (the stack file's lchost:platform there and now): data loss unless migrated. */
function platformMove(file: string, ref: string, stack: StackFile): string | undefined {
  if (stack.config.role === "operations") return undefined;
  const before = fileAtRef(file, ref);
  if (before === undefined) return undefined;
  let was: unknown;
  try {
    was = (YAML.parse(before)?.config ?? {})["lchost:platform"] ?? "docker";
  } catch {
    return undefined;
  }
  return typeof was === "string" && was !== stack.config.platform ? platformChangeMessage(was, stack.config.platform) : undefined;
}

async function checkOne(name: string, dir: string, planner: StackPlanner, plans: Plan[], ref: string): Promise<StackCheck> {
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  if (!fs.existsSync(file)) return { stack: name, result: "deleted", violations: [], problems: [] };
  let stack: StackFile;
  let plan: Plan;
  try {
    stack = loadStackFile(file);
    plan = await planner.plan(stack);
  } catch (e) {
    const problems = e instanceof StackConfigError ? e.problems : [(e as Error).message.split("\n")[0]];
    return { stack: name, result: "invalid", violations: [], problems };
  }
  plans.push(plan);
  const violations = await checkPolicies(stack, plan);
  const moved = platformMove(file, ref, stack);
  if (moved) violations.push({ policy: "platform-change-moves-data", enforcementLevel: "mandatory", message: moved });
  return { stack: name, result: violations.some((v) => v.enforcementLevel === "mandatory") ? "violations" : "ok", violations, problems: [] };
}

export async function checkChangedStacks(ref: string, dir = stacksDir()): Promise<{ all: boolean; checks: StackCheck[] }> {
  const root = gitRoot(dir);
  const { stacks, all } = affectedStacks(changedFiles(root, ref), root, dir);
  const planner = new StackPlanner();
  const plans: Plan[] = [];
  const checks: StackCheck[] = [];
  const base = mergeBase(root, ref);
  for (const s of stacks) checks.push(await checkOne(s, dir, planner, plans, base));
  // Across the checked tenants of a shared server: no two share a database or user.
  for (const v of tenantDatabasesDistinct(plans)) {
    const c = checks.find((x) => v.resource?.startsWith(`urn:pulumi:${x.stack}::`));
    if (c) {
      c.violations.push(v);
      c.result = c.result === "invalid" ? c.result : "violations";
    }
  }
  // Across every stack of the folder: no two customers claim one public host name (the host entry routes by SNI).
  const valid: StackFile[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => STACK_FILE.test(x))) {
    try {
      valid.push(loadStackFile(path.join(dir, f)));
    } catch {
      // an invalid file is reported when it is checked itself
    }
  }
  for (const clash of hostNameClashes(valid)) {
    for (const [own, other] of [
      [clash.first, clash.second],
      [clash.second, clash.first],
    ]) {
      const c = checks.find((x) => x.stack === own.stack);
      if (!c) continue;
      c.violations.push({
        policy: HOST_NAMES_DISTINCT,
        enforcementLevel: "mandatory",
        resource: own.stack,
        message: `customer '${own.customer}' claims the host name ${clash.hostName}, which stack ${other.stack} (customer '${other.customer}') claims too; each customer needs its own (lchost:customer, lchost:domain)`,
      });
      c.result = c.result === "invalid" ? c.result : "violations";
    }
  }
  return { all, checks };
}

/** Exit 0 every affected stack ok, 1 any stack with mandatory violations or an invalid stack file. */
export const checkSpec: CommandSpec = {
  name: "check",
  summary: "plan and policy-check every stack a change since a git ref affects (CI)",
  define: (cmd) =>
    cmd
      .requiredOption("--changed-since <git-ref>", "compare the working tree with the merge base of this ref (e.g. origin/main)")
      .option("--stacks-dir <dir>", "the stacks folder (default: stacks/)")
      .option("--json", "print { changedSince, allStacks, stacks } as JSON"),
  run: async ({ opts }, out) => {
    const dirOpt = stringOpt(opts, "stacksDir");
    const dir = dirOpt !== undefined ? path.resolve(dirOpt) : stacksDir();
    const ref = stringOpt(opts, "changedSince")!;
    const { all, checks } = await checkChangedStacks(ref, dir);
    if (opts.json) {
      out(JSON.stringify({ changedSince: ref, allStacks: all, stacks: checks }, null, 2));
    } else {
      out(
        checks.length === 0
          ? `no stack changed since ${ref}`
          : `checking ${checks.length} stack(s) changed since ${ref}${all ? " (shared code changed: all stacks)" : ""}`,
      );
      for (const c of checks) {
        const advisory = c.violations.filter((v) => v.enforcementLevel !== "mandatory").length;
        const mandatory = c.violations.length - advisory;
        const note =
          c.result === "violations"
            ? ` (${mandatory} mandatory${advisory ? `, ${advisory} advisory` : ""})`
            : c.result === "ok" && advisory
              ? ` (${advisory} advisory)`
              : "";
        out(`${c.stack}: ${c.result}${note}`);
        for (const p of c.problems) out(`  - ${p}`);
        for (const v of c.violations) out(`  [${v.enforcementLevel}] ${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`);
      }
    }
    return checks.some((c) => c.result === "violations" || c.result === "invalid") ? EXIT.findings : EXIT.ok;
  },
};
