/**
 * crash-loop: a line, FSB or gateway container that the runtime keeps restarting, or that has been down or
 * unhealthy longer than N minutes (LineDown, FsbDown, GatewayDown) is recreated from the stack's plan. The
 * service's budget (heal/actionBudget.ts) stops it after K failed attempts and pages on-call once.
 * A recreate counts as a success only if the part then stays running and healthy for `settleSeconds`.
 */
import type { CrashLoopSettings } from "../service/config";
import type { HealAlert, PartStatus, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { errText, partOfAlert, samePart, sleep } from "./alertPart";

export const CRASH_LOOP_ALERTS = ["LineDown", "FsbDown", "GatewayDown"] as const;

const describe = (s: PartStatus | undefined) =>
  !s
    ? "not present"
    : `${s.running ? "running" : "not running"}, ${s.healthy === undefined ? "health unknown" : s.healthy ? "healthy" : "unhealthy"}, ${s.restarts} restarts`;

export function crashLoopPlaybook(settings: CrashLoopSettings): Playbook {
  return {
    name: "crash-loop",
    matches: (a: HealAlert) => a.status === "firing" && (CRASH_LOOP_ALERTS as readonly string[]).includes(a.name) && partOfAlert(a) !== undefined,

    async plan(ctx: PlaybookContext): Promise<PlaybookAction[]> {
      const part = partOfAlert(ctx.alert)!;
      const name = `${part.role}${part.index !== undefined ? `-${part.index}` : ""}`;
      const parts = ctx.seams.parts;
      if (!parts) return [{ part, summary: `recreate ${name} (${ctx.alert.name})` }]; // run() says "not here"
      const status = (await parts.list(part.customer)).find((s) => samePart(s, part));
      const firingMin = (ctx.now() - Date.parse(ctx.alert.startsAt)) / 60_000;
      ctx.log(`${name}: ${describe(status)}; ${ctx.alert.name} firing for ${firingMin.toFixed(1)} min`);
      if (status && status.restarts >= settings.restartsAtLeast)
        return [{ part, summary: `recreate ${name}: restarted ${status.restarts} times (crash loop)` }];
      const down = !status || !status.running || status.healthy === false;
      if (!down) {
        ctx.log(`${name} runs${status?.healthy ? " and is healthy" : ""}: not a crash loop (another playbook's case, or already over)`);
        return [];
      }
      if (firingMin < settings.unhealthyForMinutes) {
        ctx.log(`${name} down for less than ${settings.unhealthyForMinutes} min: the runtime's restart policy gets its chance first`);
        return [];
      }
      return [{ part, summary: `recreate ${name}: ${status ? (status.running ? "unhealthy" : "not running") : "missing"} for ${firingMin.toFixed(0)} min` }];
    },

    async run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome> {
      const parts = ctx.seams.parts;
      if (!parts) return { kind: "skipped", detail: `not here: the ${ctx.seams.runtime} runtime offers no part control` };
      const part = action.part;
      const before = (await parts.list(part.customer)).find((s) => samePart(s, part));
      // the part served nothing before (down, unhealthy or missing): a failed recreate cannot leave the customer worse off
      const servedBefore = !!before && before.running && before.healthy !== false;
      const t0 = ctx.now();
      try {
        await parts.recreate(part);
      } catch (e) {
        return {
          kind: "failed",
          detail: `recreate failed: ${errText(e)}`,
          leftAsBefore: !servedBefore,
        };
      }
      ctx.log(`recreated in ${ctx.now() - t0} ms; watching it for ${settings.settleSeconds} s`);
      const settleUntil = ctx.now() + settings.settleSeconds * 1000;
      let last: PartStatus | undefined;
      for (;;) {
        last = (await parts.list(part.customer)).find((s) => samePart(s, part));
        if (!last || !last.running || last.healthy === false)
          return {
            kind: "failed",
            detail: `recreated, but it is ${describe(last)} ${Math.round((ctx.now() - t0) / 1000)} s later`,
            leftAsBefore: !servedBefore,
          };
        if (ctx.now() >= settleUntil) break;
        await sleep(Math.min(1000, Math.max(0, settleUntil - ctx.now())));
      }
      return { kind: "succeeded", detail: `recreated; ${describe(last)} after ${settings.settleSeconds} s` };
    },
  };
}
