/**
 * FsbProbe for Docker deployments: the probe runs inside line N's container (`docker exec node -e …`), with
 * the line's own FSB URL, firm code and token from its environment (license-central/src/env.ts): the signature
 * is asked for exactly the way that line asks for one, over the customer's network, and no secret leaves it.
 */
import { dockerExec } from "../../dockerRun/dockerExec";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { LC_ENV } from "../../license-central/src/env";
import { dockerPartOf } from "./dockerParts";
import { FsbProbe, FsbProbeResult, probeSignRequest } from "./fsbProbe";

const SCRIPT = `const [t, body] = process.argv.slice(1); const e = process.env;
fetch(e.${LC_ENV.fsbUrl}.replace(/\\/+$/, "") + "/v1/firms/" + encodeURIComponent(e.${LC_ENV.fsbFirmCode}) + "/license-updates", {
  method: "POST", headers: { authorization: "Bearer " + e.${LC_ENV.fsbToken}, "content-type": "application/json" }, body, signal: AbortSignal.timeout(Number(t)) })
  .then((r) => console.log(String(r.status)), (x) => console.log(x.name === "TimeoutError" || x.name === "AbortError" ? "timeout" : "unreachable"));`;

export function dockerFsbProbe(docker: DockerEngine): FsbProbe {
  return {
    async sign(customer: string, line: number, timeoutMs: number): Promise<FsbProbeResult> {
      const started = Date.now();
      const list = await docker.ok<Array<{ Names: string[]; State: string }>>(
        "GET",
        `/containers/json?filters=${encodeURIComponent(JSON.stringify({ name: [`lc-${customer}-`] }))}`,
      );
      const c = list
        .map((x) => x.Names[0].replace(/^\//, ""))
        .find((n) => {
          const p = dockerPartOf(customer, n);
          return p?.role === "line" && p.index === line;
        });
      if (!c) return { ok: false, ms: 0, detail: `no running line ${line} of ${customer} to probe its FSB from` };
      const body = JSON.stringify(probeSignRequest(crypto.randomUUID()));
      const r = await dockerExec(docker, c, ["node", "-e", SCRIPT, String(timeoutMs), body]).catch((e: Error) => ({ stdout: `exec failed: ${e.message}` }));
      const ms = Date.now() - started;
      const answer = r.stdout.trim();
      if (answer === "201") return { ok: true, ms };
      if (answer === "timeout") return { ok: false, ms, detail: `no signature within ${timeoutMs} ms` };
      return { ok: false, ms, detail: /^\d{3}$/.test(answer) ? `the FSB answered ${answer}` : answer.slice(0, 200) };
    },
  };
}
