/** FsbProbe for the sandbox: the FSB of line N at its loopback URL, with the customer's firm code and token. */
import type { SandboxHandle } from "../../sandbox/sandbox";
import { FsbProbe, FsbProbeResult, probeFsbOverHttp } from "./fsbProbe";

export function sandboxFsbProbe(sb: Pick<SandboxHandle, "endpoints" | "credentials">): FsbProbe {
  return {
    async sign(customer: string, line: number, timeoutMs: number): Promise<FsbProbeResult> {
      const fsbs = sb.endpoints[customer]?.fsbs ?? [];
      const fsb = fsbs.find((f) => f.process.endsWith(`-fsb-${line}`)) ?? (fsbs.length === 1 ? fsbs[0] : undefined);
      const cred = sb.credentials[customer]?.fsb;
      if (!fsb || !cred) return { ok: false, ms: 0, detail: `the sandbox has no FSB for line ${line} of ${customer}` };
      return probeFsbOverHttp(fsb.url, cred.firm, cred.token, timeoutMs);
    },
  };
}
