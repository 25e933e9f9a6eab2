/**
 * A real HAProxy for the checks: the rendered haproxy.cfg checked by `haproxy -c` (its "valid" verdict
 * required), then run in the foreground (`-db`) until `ready()` says its listener answers.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";

export async function startCheckedHaproxy(
  cfgFile: string,
  ready: () => Promise<boolean>,
  opts: { what: string; withinMs: number; everyMs: number },
): Promise<ChildProcess> {
  const check = execFileSync("haproxy", ["-c", "-f", cfgFile], { encoding: "utf8" });
  if (!/valid/i.test(check)) throw new Error(`haproxy -c -f ${cfgFile} did not say the configuration is valid: ${check}`);
  const haproxy = spawn("haproxy", ["-db", "-f", cfgFile], { stdio: "ignore" });
  const until = Date.now() + opts.withinMs;
  for (;;) {
    try {
      if (await ready()) return haproxy;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) {
      haproxy.kill("SIGTERM");
      throw new Error(`${opts.what} within ${opts.withinMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs));
  }
}
