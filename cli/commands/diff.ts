import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LC_ENV } from "../../license-central/src/env";
import { loadStackFile, stackFilePath, StackFile, stackNameOfReference, stacksDir } from "../../model/stackFile";
import { Plan, PlannedResource } from "../../planner/mockPlanner";
import { unwrapSecrets } from "../../planner/planValues";
import { StackPlanner } from "../../planner/planWithReferences";
import { isDatabaseVolume } from "../../policies/rules/databaseVolumesRetainedOnDelete";
import { CONTAINER_TYPE, editionOf, envMap, roleOf, VOLUME_TYPE } from "../../policies/support/containerFacts";
import { sharedServerEditions } from "../../policies/support/editionFacts";
import { parseArgs, UsageError } from "../args";

export const diffUsage = "lchost diff <stack> --base <git-ref> [--stacks-dir <dir>] [--allow-data-loss] [--json]";

/**
 * Inputs whose change makes the provider replace the resource (delete + create) instead of updating
 * it in place. "*": any input. A small table of what lchost creates; other types are updated.
 */
export const REPLACE_ON_CHANGE: Record<string, string[]> = {
  "docker:index/volume:Volume": ["name", "driver", "driverOpts", "labels"],
  "docker:index/network:Network": ["name", "driver", "options", "internal", "attachable", "ingress", "ipv6", "ipamDriver", "ipamConfigs", "labels"],
  "docker:index/container:Container": [
    "name", "image", "command", "entrypoints", "envs", "uploads", "volumes", "mounts", "ports", "networksAdvanced",
    "labels", "devices", "healthcheck", "hostname", "user", "workingDir", "privileged", "networkMode", "capabilities",
  ],
  "random:index/randomPassword:RandomPassword": ["*"],
  "random:index/randomString:RandomString": ["*"],
  "tls:index/privateKey:PrivateKey": ["*"],
  "tls:index/selfSignedCert:SelfSignedCert": ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris", "validityPeriodHours", "allowedUses", "isCaCertificate"],
};

export type ChangeAction = "create" | "delete" | "replace" | "update";

export interface ResourceChange {
  action: ChangeAction;
  urn: string;
  type: string;
  name: string;
  /** Top-level inputs that differ (update, replace). */
  changedInputs: string[];
  /** Why this change loses data, when it does. */
  dataLoss?: string;
}

export interface StackDiff {
  stack: string;
  base: string;
  changes: ResourceChange[];
  dataLoss: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function changedInputs(before: PlannedResource, after: PlannedResource): string[] {
  const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
  return [...keys].filter((k) => !same(before.inputs[k], after.inputs[k])).sort();
}

function isReplacement(type: string, changed: string[]): boolean {
  const table = REPLACE_ON_CHANGE[type] ?? [];
  return changed.length > 0 && (table.includes("*") || changed.some((k) => table.includes(k)));
}

/**
 * The databases that shared-server tenants' License Central uses (name and hosts). A dedicated
 * customer's data lives in its database volumes, judged as volumes; a tenant's lives in a schema on
 * the shared server, which no resource of the tenant's stack holds.
 */
function databasesInUse(plan: Plan | undefined): Array<{ name: string; hosts: string[] }> {
  const out: Array<{ name: string; hosts: string[] }> = [];
  for (const r of plan?.resources ?? []) {
    if (r.type !== CONTAINER_TYPE) continue;
    const c = unwrapSecrets(r.inputs) as any;
    if (roleOf(c) !== "license-central" || !sharedServerEditions().has(editionOf(c) ?? "")) continue;
    const env = envMap(c);
    const name = env.get(LC_ENV.dbName);
    if (name) out.push({ name, hosts: (env.get(LC_ENV.dbHost) ?? "").split(",").filter(Boolean) });
  }
  return out;
}

/**
 * What applying `head` over `base` would do, resources matched by URN (as the engine does, without
 * aliases). Only custom resources are listed; components hold nothing.
 */
export function diffPlans(base: Plan | undefined, head: Plan | undefined): { changes: ResourceChange[]; dataLoss: string[] } {
  const before = new Map((base?.resources ?? []).filter((r) => r.custom).map((r) => [r.urn, r]));
  const after = new Map((head?.resources ?? []).filter((r) => r.custom).map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  for (const [urn, b] of before) {
    const a = after.get(urn);
    if (!a) {
      changes.push({ action: "delete", urn, type: b.type, name: b.name, changedInputs: [] });
      continue;
    }
    const changed = changedInputs(b, a);
    if (changed.length === 0) continue;
    changes.push({ action: isReplacement(b.type, changed) ? "replace" : "update", urn, type: b.type, name: b.name, changedInputs: changed });
  }
  for (const [urn, a] of after) if (!before.has(urn)) changes.push({ action: "create", urn, type: a.type, name: a.name, changedInputs: [] });

  const dataLoss: string[] = [];
  for (const c of changes) {
    const b = before.get(c.urn);
    if (!b || (c.action !== "delete" && c.action !== "replace") || b.type !== VOLUME_TYPE) continue;
    const inputs = unwrapSecrets(b.inputs) as any;
    if (!isDatabaseVolume(inputs)) continue;
    const kept = b.retainOnDelete ? " (retainOnDelete keeps the old Docker volume, but nothing uses it any more)" : "";
    c.dataLoss =
      c.action === "delete"
        ? `database volume '${inputs.name}' (${b.name}) would be deleted${kept}`
        : `database volume '${inputs.name}' (${b.name}) would be replaced (${c.changedInputs.join(", ")} changed${
            c.changedInputs.includes("name") ? `: now '${(unwrapSecrets(after.get(c.urn)!.inputs) as any).name}'` : ""
          }); the new volume starts empty${kept}`;
    dataLoss.push(c.dataLoss);
  }
  const now = databasesInUse(head);
  for (const db of databasesInUse(base)) {
    const stillUsed = now.some((n) => n.name === db.name && n.hosts.some((h) => db.hosts.includes(h)));
    const message = `tenant database '${db.name}' on ${db.hosts.join(",")} would no longer be used by License Central`;
    if (!stillUsed && !dataLoss.includes(message)) dataLoss.push(message);
  }
  const order: ChangeAction[] = ["delete", "replace", "create", "update"];
  changes.sort((x, y) => order.indexOf(x.action) - order.indexOf(y.action) || x.urn.localeCompare(y.urn));
  return { changes, dataLoss };
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e: any) {
    throw new UsageError(`git ${args.join(" ")} failed in ${cwd}: ${String(e.stderr ?? e.message).trim()}`);
  }
}

export function gitRoot(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/** The text of a file at a git ref, or undefined when the file did not exist there. */
export function fileAtRef(file: string, ref: string): string | undefined {
  const root = gitRoot(path.dirname(file));
  const rel = path.relative(root, fs.realpathSync(path.dirname(file))).split(path.sep).concat(path.basename(file)).filter(Boolean).join("/");
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
  if (!base && !head) throw new UsageError(`stack '${stackName}' has no file ${file}, neither now nor at ${ref}`);
  const { changes, dataLoss } = diffPlans(base, head);
  return { stack: stackName, base: ref, changes, dataLoss };
}

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
