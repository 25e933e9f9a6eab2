import { spawnSync } from "child_process";
import * as path from "path";

/**
 * Runs a TypeScript snippet in a child node process (TypeScript compiled on require, no build needed) and
 * returns its stdout, stderr and exit code. For what must happen in a process of its own: here, the Pulumi
 * SDK's unhandled rejections of a failed output, which the real engine turns into the program's error and
 * which jest would take for a crash of the test run.
 */
export function runTsChild(code: string, timeoutMs = 60_000): { stdout: string; stderr: string; status: number | null } {
  const hook = `
    const ts = require("typescript"), fs = require("fs");
    require.extensions[".ts"] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true } }).outputText, f);
  `;
  const root = path.resolve(__dirname, "../../..");
  const r = spawnSync(
    process.execPath,
    ["-e", `${hook}\nprocess.chdir(${JSON.stringify(root)});\nrequire(${JSON.stringify(path.join(root, "test/unit/support/childMain.ts"))});`],
    {
      encoding: "utf8",
      timeout: timeoutMs,
      env: { ...process.env, LCHOST_CHILD_CODE: code },
    },
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/**
 * The end of a child scenario under the mock runtime: prints `RESULT <JSON of expr>` once every resource
 * registration has settled (as planStack waits; at most 1.5 s, since a failed input leaves the registrations
 * after it pending for ever), one turn later so that the unhandled rejections have been reported.
 */
export function printResultWhenSettled(expr: string): string {
  return `Promise.race([require("@pulumi/pulumi/runtime/settings").waitForRPCs(), new Promise((r) => setTimeout(r, 1500))]).finally(() =>
  setTimeout(() => console.log("RESULT " + JSON.stringify(${expr})), 100));`;
}
