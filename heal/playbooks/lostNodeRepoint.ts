/**
 * Playbook: a line whose database node is lost for good → repoint the line to a healthy node (issue 12).
 *
 * An HA line uses one Galera node by name (heal/seams/lineDatabase.ts); when that node is gone, the line is
 * unready and the balancer serves with the other lines — fewer lines than booked. A node that comes back
 * rejoins by itself (Galera IST/SST), so this playbook waits: it acts only once `DatabaseDown` for node N
 * (render/prometheus/rules.ts, part `db-N`) has fired for `lostAfterMs`, and only while another node of the
 * cluster serves in the primary component (no node serving is the full-cluster playbook's case). Each line
 * on node N moves to the serving node with the fewest lines; the balancer takes the line out for the restart
 * and puts it back once it is ready again. A line that does not become ready on its new node is put back as
 * it was (still unready) — no worse than before.
 *
 * What it does not change: the stack's plan. A later `lchost up` points the line back at node N (by then
 * replaced or back); docs/self-healing.md.
 */
import { BalancerControl, HealAlert, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { GaleraControl, GaleraNodeStatus } from "../seams/galera";
import { LineDatabase, LineDatabaseControl } from "../seams/lineDatabase";

export interface LostNodeRepointOptions {
  /** How long a node must have been down before it counts as lost (default 10 min). */
  lostAfterMs?: number;
}

const partNode = (alert: HealAlert) => {
  const m = /^db-(\d+)$/.exec(alert.labels.part ?? "");
  return m ? Number(m[1]) : undefined;
};

export function lostNodeRepoint(opts: LostNodeRepointOptions = {}): Playbook {
  const lostAfterMs = opts.lostAfterMs ?? 600_000;
  if (!Number.isInteger(lostAfterMs) || lostAfterMs < 0) throw new RangeError(`lostAfterMs: must be a whole number ≥ 0 (got ${lostAfterMs})`);

  const seams = (ctx: PlaybookContext) => ({
    galera: ctx.seams.galera as GaleraControl | undefined,
    lines: ctx.seams.lineDatabase as LineDatabaseControl | undefined,
    balancer: ctx.seams.balancer as BalancerControl | undefined,
  });

  /** The lines to move and where, or why none. */
  async function moves(ctx: PlaybookContext): Promise<{ lost: number; moves: Array<{ line: number; to: number }>; why?: string }> {
    const lost = partNode(ctx.alert)!;
    const { galera, lines } = seams(ctx);
    const downFor = ctx.now() - Date.parse(ctx.alert.startsAt);
    if (!(downFor >= lostAfterMs))
      return { lost, moves: [], why: `db-${lost} down for ${Math.round(downFor / 1000)} s, lost only after ${Math.round(lostAfterMs / 1000)} s` };
    if (!galera || !lines) return { lost, moves: [], why: `the ${ctx.seams.runtime} runtime has no ${galera ? "line database" : "Galera"} control` };
    const nodes = await galera.nodes(ctx.alert.customer);
    const st: GaleraNodeStatus[] = await Promise.all(nodes.map((n) => galera.status(ctx.alert.customer, n)));
    if (st.find((s) => s.node === lost)?.ready) return { lost, moves: [], why: `db-${lost} serves again` };
    const serving = st.filter((s) => s.node !== lost && s.ready && s.clusterStatus === "Primary").map((s) => s.node);
    if (serving.length === 0)
      return { lost, moves: [], why: "no other node serves in a primary component (a full-cluster outage: galera-full-recovery's case)" };
    const current: LineDatabase[] = await lines.lines(ctx.alert.customer);
    const load = new Map(serving.map((n) => [n, current.filter((l) => l.node === n).length]));
    const out: Array<{ line: number; to: number }> = [];
    for (const l of current.filter((x) => x.node === lost)) {
      const to = [...load].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0][0];
      load.set(to, load.get(to)! + 1);
      out.push({ line: l.line, to });
    }
    return { lost, moves: out, why: out.length ? undefined : `no line uses db-${lost}` };
  }

  return {
    name: "lost-node-repoint",
    // it waits on purpose (grace time, lostAfter): the service hands the still-firing alert again on its timer
    recheckWhileFiring: true,

    matches(alert: HealAlert): boolean {
      return alert.status === "firing" && alert.name === "DatabaseDown" && partNode(alert) !== undefined;
    },

    async plan(ctx: PlaybookContext): Promise<PlaybookAction[]> {
      const m = await moves(ctx);
      if (m.why) ctx.log(`lost-node-repoint: nothing to do: ${m.why}`);
      return m.moves.map((x) => ({
        part: { customer: ctx.alert.customer, role: "line", index: x.line },
        summary: `repoint line-${x.line} of ${ctx.alert.customer} from db-${m.lost} (down since ${ctx.alert.startsAt}) to db-${x.to}`,
      }));
    },

    async run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome> {
      const line = action.part.index;
      if (action.part.role !== "line" || line === undefined) return { kind: "skipped", detail: "not a line action" };
      // decided again now: the node may be back, the serving nodes may have changed since the plan
      const m = await moves(ctx);
      const move = m.moves.find((x) => x.line === line);
      if (!move) return { kind: "skipped", detail: m.why ?? `line-${line} no longer uses db-${m.lost}` };
      if (ctx.dryRun) return { kind: "skipped", detail: `dry run: would repoint line-${line} to db-${move.to}` };
      const { lines, balancer } = seams(ctx);
      const customer = ctx.alert.customer;
      await balancer?.setLineState(customer, line, "maint").catch((e) => ctx.log(`balancer: line-${line} maint: ${(e as Error).message}`));
      try {
        await lines!.repoint(customer, line, move.to);
      } catch (e) {
        await balancer?.setLineState(customer, line, "ready").catch(() => undefined); // as before: its health check keeps it out
        return {
          kind: "failed",
          detail: `line-${line} did not become ready on db-${move.to}: ${(e as Error).message}; put back on db-${m.lost} as before`,
          leftAsBefore: true,
        };
      }
      await balancer?.setLineState(customer, line, "ready").catch((e) => ctx.log(`balancer: line-${line} ready: ${(e as Error).message}`));
      return { kind: "succeeded", detail: `line-${line} now uses db-${move.to} (db-${m.lost} down since ${ctx.alert.startsAt}) and is ready` };
    },
  };
}
