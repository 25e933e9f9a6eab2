/**
 * `lchost fleet place` as a use case: read a stacks directory and its host inventory, check the fleet-wide
 * rules, place (fleet/place.ts) and, when asked, record each placed stack's host(s) in its stack file —
 * comments and key order kept (yaml's Document API), every new file validated before any is replaced,
 * each replaced by write-to-temp + rename.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { editionCatalog } from "../model/catalog";
import { inventoryPathFor, loadHostInventory } from "../model/hostInventoryFile";
import { HostInventory } from "../model/hosts";
import { StackConfigError } from "../model/stackConfig";
import { checkStackHosts, parseStackFileText, StackFile } from "../model/stackFile";
import { hostNamesDistinct } from "../policies/fleet/hostNamesDistinct";
import { Violation } from "../policies/violation";
import { Assignment, Placement, placeFleet } from "./place";

/** The stacks directory cannot be placed as it is: invalid stack files, or fleet-wide rules broken. */
export class FleetInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "FleetInputError";
  }
}

/** Mandatory fleet-wide policy violations (e.g. two customers with one host name). */
export class FleetPolicyViolations extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `[${v.policy}] ${v.message}`).join("\n"));
    this.name = "FleetPolicyViolations";
  }
}

export interface FleetStacks {
  stacksDir: string;
  inventory: HostInventory;
  stacks: StackFile[];
  /** The text each stack file was read from, by path (what --write edits). */
  texts: Map<string, string>;
}

/** Every Pulumi.<stack>.yaml of a directory, parsed and checked against the inventory; every faulty file is listed. */
export function loadFleetStacks(stacksDir: string, inventoryPath = inventoryPathFor(stacksDir)): FleetStacks {
  if (!fs.existsSync(stacksDir) || !fs.statSync(stacksDir).isDirectory()) throw new FleetInputError([`--stacks-dir: '${stacksDir}' is not a directory`]);
  const inventory = loadHostInventory(inventoryPath);
  const problems: string[] = [];
  const stacks: StackFile[] = [];
  const texts = new Map<string, string>();
  const files = fs
    .readdirSync(stacksDir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort();
  for (const f of files) {
    const file = path.join(stacksDir, f);
    const text = fs.readFileSync(file, "utf8");
    try {
      stacks.push(withImpliedHost(checkStackHosts(parseStackFileText(text, file), inventory), inventory));
      texts.set(file, text);
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      problems.push(...e.problems.map((p) => `${file}: ${p}`));
    }
  }
  if (problems.length) throw new FleetInputError(problems);
  return { stacksDir, inventory, stacks, texts };
}

/**
 * A stack that sets docker:host but not lchost:host is on the inventory host with that endpoint: placement
 * must count it there and never move it. An endpoint no inventory host has is refused.
 */
function withImpliedHost(stack: StackFile, inventory: HostInventory): StackFile {
  const cfg = stack.config;
  const dockerHost = stack.allConfig["docker:host"];
  if (cfg.role === "operations" || cfg.host !== undefined || dockerHost === undefined) return stack;
  if (cfg.role === "customer" && (cfg.hosts !== undefined || cfg.sharedServer !== undefined || cfg.edition === "high-availability")) return stack;
  const host = inventory.hosts.find((h) => h.dockerHost === dockerHost);
  if (!host)
    throw new StackConfigError(stack.path, [
      `docker:host: ${JSON.stringify(dockerHost)} is the endpoint of no host in ${inventory.source}; name the host in lchost:host (or remove docker:host and let lchost fleet place choose)`,
    ]);
  return { ...stack, config: { ...cfg, host: host.name } };
}

export interface FleetPlaceResult {
  placement: Placement;
  inventory: HostInventory;
  /** Stack files --write changed (empty without --write). */
  written: string[];
}

/** Places a stacks directory; with `write`, records the placement in the stack files. */
export function placeStacksDir(opts: { stacksDir: string; inventoryPath?: string; write?: boolean }): FleetPlaceResult {
  const fleet = loadFleetStacks(opts.stacksDir, opts.inventoryPath);
  const violations = hostNamesDistinct(fleet.stacks).filter((v) => v.enforcementLevel === "mandatory");
  if (violations.length) throw new FleetPolicyViolations(violations);
  const placement = placeFleet({ hosts: fleet.inventory.hosts, stacks: fleet.stacks, catalog: editionCatalog() });
  const written = opts.write ? recordPlacement(fleet, placement.assignments) : [];
  return { placement, inventory: fleet.inventory, written };
}

/**
 * The text of a stack file with its placement recorded: `lchost:host` (and `docker:host`, the endpoint the
 * program deploys through) for a single-host stack, `lchost:hosts` for High Availability. Everything else
 * in the file — comments, key order, quoting, layout — stays byte for byte: a key already there gets its
 * value replaced in place, a new key is added as the last line of the `config:` map.
 */
export function withPlacementRecorded(text: string, assignment: Assignment, inventory: HostInventory): string {
  const entries: Array<[string, unknown]> = [];
  if (assignment.parts) entries.push(["lchost:hosts", assignment.hosts]);
  else {
    entries.push(["lchost:host", assignment.hosts[0]]);
    const host = inventory.byName.get(assignment.hosts[0]);
    if (host) entries.push(["docker:host", host.dockerHost]);
  }
  return withConfigKeys(text, entries, assignment.stack);
}

/** Sets keys of a stack file's `config:` map by editing only the text they occupy (see withPlacementRecorded). */
export function withConfigKeys(text: string, entries: Array<[string, unknown]>, label: string): string {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new FleetInputError([`${label}: not valid YAML: ${doc.errors[0].message}`]);
  const config = doc.get("config", true);
  const flowText = (v: unknown) => (Array.isArray(v) ? `[${v.map((x) => YAML.stringify(x).trim()).join(", ")}]` : YAML.stringify(v).trim());
  if (!YAML.isMap(config) || config.flow || config.items.length === 0 || !config.range) {
    // no block map to edit in place (absent, empty or written inline): let yaml lay the map out
    for (const [k, v] of entries) doc.setIn(["config", k], v);
    return String(doc);
  }
  let out = text;
  const edits: Array<{ at: number; end: number; text: string }> = [];
  const first = config.items[0].key as YAML.Node;
  const lineStart = (pos: number) => text.lastIndexOf("\n", pos - 1) + 1;
  const indent = " ".repeat(first.range![0] - lineStart(first.range![0]));
  const last = config.items[config.items.length - 1];
  const lastEnd = ((last.value as YAML.Node | null)?.range ?? (last.key as YAML.Node).range!)[1];
  const eol = text.indexOf("\n", lastEnd - 1 < 0 ? 0 : lastEnd - 1);
  const insertAt = eol === -1 ? text.length : eol + 1;
  const appended: string[] = [];
  for (const [key, value] of entries) {
    const pair = config.items.find((p) => YAML.isScalar(p.key) && p.key.value === key);
    const node = pair?.value as YAML.Node | null | undefined;
    if (pair && node?.range && YAML.isScalar(node)) edits.push({ at: node.range[0], end: node.range[1], text: flowText(value) });
    else if (pair && node?.range && YAML.isSeq(node) && node.flow) edits.push({ at: node.range[0], end: node.range[1], text: flowText(value) });
    else if (pair) {
      doc.setIn(["config", key], value); // an unusual layout (block list, empty value): rewrite with yaml instead
      return withConfigKeysFallback(doc, entries);
    } else appended.push(`${indent}${key}: ${flowText(value)}\n`);
  }
  if (appended.length) edits.push({ at: insertAt, end: insertAt, text: (eol === -1 ? "\n" : "") + appended.join("") });
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

function withConfigKeysFallback(doc: YAML.Document, entries: Array<[string, unknown]>): string {
  for (const [k, v] of entries) doc.setIn(["config", k], v);
  return String(doc);
}

/**
 * Writes the placed stacks' new texts: all are built and validated (schema, keys, inventory) first, so a
 * failure changes no file; then each goes to a temporary file beside it and is renamed over the original.
 */
export function recordPlacement(fleet: Pick<FleetStacks, "inventory" | "stacks" | "texts">, assignments: Assignment[]): string[] {
  const byStack = new Map(fleet.stacks.map((s) => [s.stackName, s]));
  const changes: Array<{ file: string; text: string }> = [];
  const problems: string[] = [];
  for (const a of assignments) {
    if (a.source !== "placed") continue;
    const stack = byStack.get(a.stack);
    const before = stack && fleet.texts.get(stack.path);
    if (!stack || before === undefined) {
      problems.push(`${a.stack}: no stack file was read for it`);
      continue;
    }
    const text = withPlacementRecorded(before, a, fleet.inventory);
    try {
      checkStackHosts(parseStackFileText(text, stack.path, stack.stackName), fleet.inventory);
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      problems.push(...e.problems.map((p) => `${stack.path}: ${p}`));
      continue;
    }
    changes.push({ file: stack.path, text });
  }
  if (problems.length) throw new FleetInputError([...problems, "no stack file was changed"]);
  const temps = changes.map((c) => {
    const tmp = path.join(path.dirname(c.file), `.${path.basename(c.file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, c.text, { mode: fs.statSync(c.file).mode & 0o777 });
    return tmp;
  });
  changes.forEach((c, i) => fs.renameSync(temps[i], c.file));
  return changes.map((c) => c.file);
}
