/**
 * `lchost:extraLines` written into (or removed from) a stack file as a splice of its text: every other byte
 * stays as the operator wrote it — comments, flow maps, quoting — which a YAML round trip would not keep
 * (the `yaml` library rewrites `{ url: "…" }` maps and blank lines). The entry is one flow-map line placed
 * after `lchost:lines` (or last in `config:`); a present entry is replaced where it stands. The result is
 * validated by the same validator as `lchost plan`.
 */
import * as YAML from "yaml";
import { parseStackFileText, StackFile } from "../model/stackFile";
import { StackConfigError } from "../model/stackConfig";

export const EXTRA_LINES_KEY = "lchost:extraLines";

export interface ExtraLinesEntry {
  count: number;
  until: Date;
  since?: Date;
}

export interface ExtraLinesFileChange {
  text: string;
  /** Validation problems of the changed file (empty: valid), each naming its key. */
  problems: string[];
  stack?: StackFile;
}

const iso = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

/** The entry's one line (without indentation and newline). */
export function extraLinesLine(e: ExtraLinesEntry): string {
  return `${EXTRA_LINES_KEY}: { count: ${e.count}, until: "${iso(e.until)}"${e.since ? `, since: "${iso(e.since)}"` : ""} }`;
}

/** Offset just past the end of the line holding `offset` (after its newline; the text's end when none). */
function endOfLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

const startOfLine = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;

/**
 * The stack file text with `lchost:extraLines` set to `entry`, or removed when `entry` is undefined (a file
 * without it comes back unchanged). Throws StackConfigError when the text is no stack file with a block `config:` map.
 */
export function changeExtraLines(text: string, file: string, entry: ExtraLinesEntry | undefined): ExtraLinesFileChange {
  const doc = YAML.parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new StackConfigError(file, [`not valid YAML: ${doc.errors[0].message}`]);
  const config = doc.get("config", true);
  if (!YAML.isMap(config) || config.flow || !config.range)
    throw new StackConfigError(file, ["config: must be a block map of keys (one per line) for lchost lines to edit it"]);
  const pairs = config.items.filter((p) => YAML.isScalar(p.key) && p.key.range);
  const pairOf = (key: string) => pairs.find((p) => (p.key as YAML.Scalar).value === key);
  const span = (p: YAML.Pair) => {
    const k = p.key as YAML.Scalar;
    const v = p.value as YAML.Node | null;
    const end = v && v.range ? v.range[2] : k.range![2];
    return { start: startOfLine(text, k.range![0]), end: endOfLine(text, end) };
  };
  const indent = (p: YAML.Pair) => {
    const { start } = span(p);
    return text.slice(start, (p.key as YAML.Scalar).range![0]);
  };

  let out = text;
  const existing = pairOf(EXTRA_LINES_KEY);
  if (existing) {
    const { start, end } = span(existing);
    out = text.slice(0, start) + (entry ? `${indent(existing)}${extraLinesLine(entry)}\n` : "") + text.slice(end);
  } else if (entry) {
    const after = pairOf("lchost:lines") ?? pairs[pairs.length - 1];
    if (!after) throw new StackConfigError(file, ["config: has no keys; lchost lines edits a customer's stack file"]);
    const at = span(after).end;
    const nl = at > 0 && text[at - 1] !== "\n" ? "\n" : "";
    out = `${text.slice(0, at)}${nl}${indent(after)}${extraLinesLine(entry)}\n${text.slice(at)}`;
  }
  try {
    return { text: out, problems: [], stack: parseStackFileText(out, file) };
  } catch (e) {
    if (e instanceof StackConfigError) return { text: out, problems: e.problems };
    throw e;
  }
}
