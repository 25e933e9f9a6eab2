/**
 * FsbProbe for the sandbox: a signature asked for exactly as line N asks for one — its FSB URL, firm code and
 * token, read from the running line process's environment (/proc/<pid>/environ; the sandbox's lines are this
 * process's children, and in an HA package each line's FSB knows only that line's token).
 */
import * as fs from "fs";
import { LC_ENV } from "../../license-central/src/env";
import type { SandboxHandle } from "../../sandbox/sandbox";
import { FsbProbe, FsbProbeResult, probeFsbOverHttp } from "./fsbProbe";

function environ(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function sandboxFsbProbe(sb: Pick<SandboxHandle, "processes">): FsbProbe {
  return {
    async sign(customer: string, line: number, timeoutMs: number): Promise<FsbProbeResult> {
      const p = sb
        .processes()
        .find((x) => x.stack === customer && x.role === "license-central" && (x.name.endsWith(`-line-${line}`) || (line === 1 && x.name.endsWith("-line"))));
      if (!p?.running || p.pid === undefined) return { ok: false, ms: 0, detail: `line ${line} of ${customer} does not run: nothing to probe its FSB as` };
      let env: Record<string, string>;
      try {
        env = environ(p.pid);
      } catch (e) {
        return { ok: false, ms: 0, detail: `cannot read the environment of ${p.name} (${(e as NodeJS.ErrnoException).code})` };
      }
      const [url, firm, token] = [env[LC_ENV.fsbUrl], env[LC_ENV.fsbFirmCode], env[LC_ENV.fsbToken]];
      if (!url || !firm || !token) return { ok: false, ms: 0, detail: `${p.name} has no FSB settings in its environment` };
      return probeFsbOverHttp(url, firm, token, timeoutMs);
    },
  };
}
