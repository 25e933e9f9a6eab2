/**
 * The stack files of a folder, as the heal service reads them on every tick of its timer and for every line change:
 * each file is parsed again only when its size or modification time changed, so a fleet's folder (150+ stacks) costs
 * a directory listing and a stat per file per tick, not a YAML parse and a schema check of every file.
 */
import * as fs from "fs";
import * as path from "path";
import { parseStackFileText, StackFile } from "../model/stackFile";

export class StackDirIndex {
  private readonly known = new Map<string, { mtimeMs: number; size: number; stack?: StackFile }>();

  constructor(readonly dir: string) {}

  /** The valid stack files, by file name order (a file that is no valid stack file is left out). */
  stacks(): Array<{ file: string; stack: StackFile }> {
    if (!fs.existsSync(this.dir)) return [];
    const out: Array<{ file: string; stack: StackFile }> = [];
    const seen = new Set<string>();
    for (const f of fs
      .readdirSync(this.dir)
      .filter((x) => /^Pulumi\..+\.ya?ml$/.test(x))
      .sort()) {
      const file = path.join(this.dir, f);
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        continue; // removed meanwhile
      }
      seen.add(file);
      let k = this.known.get(file);
      if (!k || k.mtimeMs !== st.mtimeMs || k.size !== st.size) {
        let stack: StackFile | undefined;
        try {
          stack = parseStackFileText(fs.readFileSync(file, "utf8"), file);
        } catch {
          stack = undefined; // not a valid stack file: not one to act on
        }
        k = { mtimeMs: st.mtimeMs, size: st.size, stack };
        this.known.set(file, k);
      }
      if (k.stack) out.push({ file, stack: k.stack });
    }
    for (const file of [...this.known.keys()]) if (!seen.has(file)) this.known.delete(file);
    return out;
  }
}
