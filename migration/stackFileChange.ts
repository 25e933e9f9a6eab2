/**
 * The stack-file side of an edition change, as text in and text out: the `yaml` Document API keeps the
 * operator's comments and key order. Settings the new edition does not allow (a Datacenter tenant has no
 * connection security and no FSB of its own; a Dedicated Server signs with the shared FSB) are not thrown
 * away but parked under `lchost-migration:parked`, and brought back when the customer moves back — so
 * Datacenter -> Dedicated -> Datacenter -> Dedicated needs no retyping. An operator moving a customer up
 * for the first time puts the new edition's settings there (e.g. `connection`). The result is validated
 * by the same validator as `lchost plan`, so every missing setting is named with its key.
 */
import * as YAML from "yaml";
import { EditionId, editionFacts } from "../model/catalog";
import { parseStackFileText, StackFile } from "../model/stackFile";
import { StackConfigError } from "../model/stackConfig";

export const PARKED_KEY = "lchost-migration:parked";

export interface EditionTarget {
  edition: EditionId;
  /** High Availability only. */
  lines?: number;
}

export interface StackFileEdit {
  key: string;
  from: unknown;
  to: unknown;
  /** "set", "removed", "parked" (moved under lchost-migration:parked), "restored" (brought back from there) */
  action: "set" | "removed" | "parked" | "restored";
}

export interface StackFileChange {
  text: string;
  edits: StackFileEdit[];
  /** Validation problems of the changed file (empty: the change is valid); each names its key. */
  problems: string[];
  /** The validated result, when valid. */
  stack?: StackFile;
}

/** Where the FSB settings of one mode are parked: a Dedicated Server's shared-FSB settings differ from a High Performance line's own box. */
function fsbSlot(mode: string | undefined): string {
  return mode === "shared" ? "fsb@shared" : "fsb@dedicated";
}

export function changeStackFileEdition(text: string, file: string, target: EditionTarget, opts: { sharedServer?: string } = {}): StackFileChange {
  const doc = YAML.parseDocument(text);
  const edits: StackFileEdit[] = [];
  const config = () => doc.get("config", true) as unknown as YAML.YAMLMap;
  if (!YAML.isMap(doc.get("config", true))) doc.set("config", doc.createNode({}));
  const key = (k: string) => `lchost:${k}`;
  const get = (k: string) => {
    const v = config().get(key(k), true);
    return v === undefined ? undefined : YAML.isNode(v) ? (v as YAML.Node).toJSON() : v;
  };
  const setParked = (slot: string, value: unknown) => {
    if (!YAML.isMap(config().get(PARKED_KEY, true))) config().set(PARKED_KEY, doc.createNode({}));
    (config().get(PARKED_KEY, true) as unknown as YAML.YAMLMap).set(slot, doc.createNode(value));
  };
  const takeParked = (slot: string): unknown => {
    const p = config().get(PARKED_KEY, true);
    if (!YAML.isMap(p) || !p.has(slot)) return undefined;
    const v = (p.get(slot, true) as YAML.Node).toJSON();
    p.delete(slot);
    if (p.items.length === 0) config().delete(PARKED_KEY);
    return v;
  };
  const set = (k: string, value: unknown, action: StackFileEdit["action"] = "set") => {
    const from = get(k);
    if (JSON.stringify(from) === JSON.stringify(value)) return;
    const existing = config().get(key(k), true);
    if (YAML.isScalar(existing) && typeof value !== "object") existing.value = value;
    else config().set(key(k), doc.createNode(value));
    edits.push({ key: key(k), from, to: value, action });
  };
  const park = (k: string, slot = k) => {
    const from = get(k);
    if (from === undefined) return;
    setParked(slot, from);
    config().delete(key(k));
    edits.push({ key: key(k), from, to: `${PARKED_KEY}.${slot}`, action: "parked" });
  };
  const restore = (k: string, slot = k): boolean => {
    const v = takeParked(slot);
    if (v === undefined) return false;
    config().set(key(k), doc.createNode(v));
    edits.push({ key: key(k), from: `${PARKED_KEY}.${slot}`, to: v, action: "restored" });
    return true;
  };

  const facts = editionFacts(target.edition);
  set("edition", target.edition);
  if (target.edition === "high-availability") {
    set("lines", target.lines ?? facts.lines.default);
  } else if (get("lines") !== undefined) {
    edits.push({ key: key("lines"), from: get("lines"), to: undefined, action: "removed" });
    config().delete(key("lines"));
  }

  // Datacenter: tenant of a shared server, no web services, the shared server's FSB
  if (facts.includes.sharedServer) {
    park("connection");
    const fsb = get("fsb") as { mode?: string } | undefined;
    if (fsb !== undefined) park("fsb", fsbSlot(fsb.mode));
    if (get("sharedServer") === undefined && !restore("sharedServer") && opts.sharedServer) set("sharedServer", opts.sharedServer);
    else if (opts.sharedServer && get("sharedServer") !== opts.sharedServer) set("sharedServer", opts.sharedServer);
  } else {
    park("sharedServer");
    if (get("connection") === undefined) restore("connection");
    const fsb = get("fsb") as { mode?: string } | undefined;
    const wantShared = !facts.includes.dedicatedFsb;
    const mode = fsb?.mode ?? (wantShared ? "shared" : "emulator");
    if (fsb === undefined) {
      restore("fsb", wantShared ? "fsb@shared" : "fsb@dedicated");
    } else if ((mode === "shared") !== wantShared) {
      park("fsb", fsbSlot(mode));
      restore("fsb", wantShared ? "fsb@shared" : "fsb@dedicated");
    }
  }

  // secrets follow the settings that name them: a parked connection's password is parked too
  const referenced = new Set<string>();
  const conn = get("connection") as { basicAuth?: { passwordKey?: string } } | undefined;
  const fsbNow = get("fsb") as { tokenKey?: string } | undefined;
  if (conn?.basicAuth?.passwordKey) referenced.add(conn.basicAuth.passwordKey);
  if (fsbNow?.tokenKey) referenced.add(fsbNow.tokenKey);
  const webhook = (get("notifications") as { webhook?: { secretKey?: string } } | undefined)?.webhook;
  if (webhook?.secretKey) referenced.add(webhook.secretKey); // the customer's notification webhook signs with it in every edition
  for (const item of [...config().items]) {
    const k = String(YAML.isScalar(item.key) ? item.key.value : item.key);
    const v = YAML.isNode(item.value) ? (item.value as YAML.Node).toJSON() : item.value;
    if (!k.startsWith("lchost:") || !v || typeof v !== "object" || !("secure" in v)) continue;
    const name = k.slice("lchost:".length);
    if (!referenced.has(name)) park(name, `secret:${name}`);
  }
  for (const name of referenced) if (get(name) === undefined) restore(name, `secret:${name}`);

  const out = doc.toString();
  try {
    return { text: out, edits, problems: [], stack: parseStackFileText(out, file) };
  } catch (e) {
    if (e instanceof StackConfigError) return { text: out, edits, problems: e.problems };
    throw e;
  }
}

export const START_IN_MAINTENANCE_KEY = "lchost:startInMaintenance";

/**
 * The stack file with `lchost:startInMaintenance: true` (comments kept; unchanged when already set): its
 * License Central lines start in maintenance wherever their database holds no maintenance state yet, so a
 * redeploy onto a new, empty database never serves it before the restore.
 */
export function withStartInMaintenance(text: string): string {
  const doc = YAML.parseDocument(text);
  if (!YAML.isMap(doc.get("config", true))) doc.set("config", doc.createNode({}));
  const config = doc.get("config", true) as unknown as YAML.YAMLMap;
  if (config.get(START_IN_MAINTENANCE_KEY) === true) return text;
  config.set(START_IN_MAINTENANCE_KEY, true);
  return doc.toString();
}
