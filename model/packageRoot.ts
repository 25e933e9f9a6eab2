import * as fs from "fs";
import * as path from "path";

/** The repository root (where package.json lives), found from this file whether run from TypeScript or dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "model", "catalog.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the lchost package root above ${__dirname}`);
    dir = parent;
  }
}
