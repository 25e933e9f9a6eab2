import * as fs from "fs";
import * as path from "path";

export const NOTIFICATIONS_DOC = path.join(__dirname, "../../docs/notifications.md");

export const README = path.join(__dirname, "../../README.md");

/** The fenced block right after `<!-- <marker> -->` in docs/notifications.md or another page (tests run what the page shows). */
export function docBlock(marker: string, file = NOTIFICATIONS_DOC): string {
  const doc = fs.readFileSync(file, "utf8");
  const name = path.basename(file);
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`${name} has no <!-- ${marker} --> block`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!m) throw new Error(`${name}: no fenced block after <!-- ${marker} -->`);
  return m[1];
}
