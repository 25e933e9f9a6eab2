/**
 * fsb-hang: an FSB that is there but does not sign (FsbNotSigning: its signatures stopped or take far longer
 * than its signLatencyMs; FsbDown while its process still runs: a box that stopped answering without dying).
 * Its line leaves the balancer (drain, then maint), the FSB is restarted, a real signature is asked for, and
 * the line goes back once one comes. If that fails halfway the line goes back only if the FSB signs; otherwise
 * it stays in maintenance (the other lines carry the load) and the audit row says so.
 */
import type { FsbHangSettings } from "../service/config";
import type { HealAlert, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { FSB_PROBE, FsbProbe } from "../seams/fsbProbe";
import { errText, partOfAlert, samePart, sleep } from "./alertPart";

export const FSB_HANG_ALERTS = ["FsbNotSigning", "FsbDown"] as const;

export interface FsbHangTimings {
  /** ms from the start of run() until the line was drained (out of the pool for new requests). */
  outOfPoolMs?: number;
  restartedMs?: number;
  signsAgainMs?: number;
  backInMs?: number;
}

export function fsbHangPlaybook(settings: FsbHangSettings & { drainMs?: number }, onTimings?: (t: FsbHangTimings) => void): Playbook {
  const drainMs = settings.drainMs ?? settings.drainTimeoutMs;
  return {
    name: "fsb-hang",
    matches: (a: HealAlert) => a.status === "firing" && (FSB_HANG_ALERTS as readonly string[]).includes(a.name) && partOfAlert(a)?.role === "fsb",

    async plan(ctx: PlaybookContext): Promise<PlaybookAction[]> {
      const part = partOfAlert(ctx.alert)!;
      const line = part.index!;
      const action = { part, summary: `take line ${line} out of the balancer, restart fsb-${line}, put line ${line} back once it signs` };
      const probe = ctx.seams[FSB_PROBE] as FsbProbe | undefined;
      if (!ctx.seams.parts || !ctx.seams.balancer || !probe) return [action]; // run() says "not here"
      const status = (await ctx.seams.parts.list(part.customer)).find((s) => samePart(s, part));
      if (!status || !status.running) {
        ctx.log(`fsb-${line} is not running: a crash, the crash-loop playbook's case`);
        return [];
      }
      const p = await probe.sign(part.customer, line, settings.signTimeoutMs);
      if (p.ok) {
        ctx.log(`fsb-${line} signed in ${p.ms} ms: it does not hang (now)`);
        return [];
      }
      ctx.log(`fsb-${line} runs but does not sign: ${p.detail}`);
      return [{ ...action, summary: `${action.summary} (${p.detail})` }];
    },

    async run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome> {
      const { parts, balancer } = ctx.seams;
      const probe = ctx.seams[FSB_PROBE] as FsbProbe | undefined;
      if (!parts || !balancer || !probe)
        return {
          kind: "skipped",
          detail: `not here: the ${ctx.seams.runtime} runtime lacks ${[!parts && "part control", !balancer && "balancer control", !probe && "an FSB probe"].filter(Boolean).join(", ")}`,
        };
      const { customer } = action.part;
      const line = action.part.index!;
      const t0 = ctx.now();
      const timings: FsbHangTimings = {};
      const report = () => onTimings?.(timings);
      let out = false;
      try {
        await balancer.setLineState(customer, line, "drain");
        out = true;
        timings.outOfPoolMs = ctx.now() - t0;
        ctx.log(`line ${line} drained after ${timings.outOfPoolMs} ms`);
        await sleep(drainMs);
        await balancer.setLineState(customer, line, "maint");
        ctx.log(`line ${line} in maintenance`);
      } catch (e) {
        // could not take it out: put back what was changed (it is no worse than before: it was in the pool)
        if (out) await balancer.setLineState(customer, line, "ready").catch(() => undefined);
        report();
        return {
          kind: "failed",
          detail: `could not take line ${line} out of the balancer: ${errText(e)}; line ${line} ${out ? "put back" : "untouched"}`,
          leftAsBefore: true,
        };
      }
      let restartError: string | undefined;
      try {
        await parts.restart(action.part);
        timings.restartedMs = ctx.now() - t0;
        ctx.log(`fsb-${line} restarted after ${timings.restartedMs} ms`);
      } catch (e) {
        restartError = errText(e);
        ctx.log(`restart of fsb-${line} failed: ${restartError}`);
      }
      // does it sign (again)? Also after a failed restart: a box that recovered by itself may go back too
      const deadline = ctx.now() + (restartError ? settings.signTimeoutMs : settings.recoverTimeoutMs);
      let last = "";
      for (;;) {
        const p = await probe.sign(customer, line, settings.signTimeoutMs);
        if (p.ok) {
          timings.signsAgainMs = ctx.now() - t0;
          break;
        }
        last = p.detail;
        if (ctx.now() >= deadline) {
          report();
          return {
            kind: "failed",
            detail: `${restartError ? `restart of fsb-${line} failed (${restartError}); ` : ""}fsb-${line} does not sign (${last}); line ${line} left in maintenance (out of the balancer), the other lines serve`,
            leftAsBefore: false,
          };
        }
        await sleep(500);
      }
      try {
        await balancer.setLineState(customer, line, "ready");
      } catch (e) {
        report();
        return {
          kind: "failed",
          detail: `fsb-${line} signs again, but line ${line} could not be put back: ${errText(e)}; line ${line} left in maintenance`,
          leftAsBefore: false,
        };
      }
      timings.backInMs = ctx.now() - t0;
      report();
      if (restartError)
        return {
          kind: "failed",
          detail: `restart of fsb-${line} failed (${restartError}), but it signs again: line ${line} put back in the pool`,
          leftAsBefore: true,
        };
      return {
        kind: "succeeded",
        detail: `line ${line} out after ${timings.outOfPoolMs} ms, fsb-${line} restarted after ${timings.restartedMs} ms, signs again after ${timings.signsAgainMs} ms, line back after ${timings.backInMs} ms`,
      };
    },
  };
}
