import * as fs from "fs";
import * as path from "path";

export const NOTIFICATIONS_DOC = path.join(__dirname, "../../docs/notifications.md");

/** The fenced block right after `<!-- <marker> -->` in docs/notifications.md (tests run what the page shows). */
export function docBlock(marker: string): string {
  const doc = fs.readFileSync(NOTIFICATIONS_DOC, "utf8");
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/notifications.md has no <!-- ${marker} --> block`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!m) throw new Error(`docs/notifications.md: no fenced block after <!-- ${marker} -->`);
  return m[1];
}
