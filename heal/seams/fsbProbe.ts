/**
 * A capability beyond heal/playbook.ts's PartControl and BalancerControl: ask a customer's FSB for one real
 * signature, as its line would (the line's firm code and token), within a time limit. The fsb-hang playbook
 * uses it to tell a hung box from a slow one and to know when a restarted box signs again.
 * Key in HealSeams: `fsbProbe`.
 */
export type FsbProbeResult = { ok: true; ms: number } | { ok: false; ms: number; detail: string };

export interface FsbProbe {
  /** One signature from the FSB behind `line` (1-based), or why none came within `timeoutMs`. */
  sign(customer: string, line: number, timeoutMs: number): Promise<FsbProbeResult>;
}

export const FSB_PROBE = "fsbProbe";

/** The request body of a probe: a throw-away container name, one item; never a customer's real container. */
export function probeSignRequest(id: string) {
  return { requestId: `lchost-heal-probe-${id}`, container: "lchost-heal-probe", items: [{ productCode: 1, quantity: 1 }] };
}

/** POSTs one probe to an FSB's sign endpoint (`<fsbUrl>/v1/firms/<firm>/license-updates`). */
export async function probeFsbOverHttp(fsbUrl: string, firm: string, token: string, timeoutMs: number): Promise<FsbProbeResult> {
  const started = Date.now();
  try {
    const res = await fetch(`${fsbUrl.replace(/\/+$/, "")}/v1/firms/${encodeURIComponent(firm)}/license-updates`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(probeSignRequest(crypto.randomUUID())),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const ms = Date.now() - started;
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 201) return { ok: true, ms };
    return { ok: false, ms, detail: `the FSB answered ${res.status}` };
  } catch (e) {
    const ms = Date.now() - started;
    const name = (e as Error).name;
    return {
      ok: false,
      ms,
      detail: name === "TimeoutError" || name === "AbortError" ? `no signature within ${timeoutMs} ms` : `unreachable (${(e as Error).message})`,
    };
  }
}
