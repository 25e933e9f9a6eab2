/**
 * Playbook: Galera full-cluster recovery (issue 12). When no node of a customer's cluster serves — every node's
 * `DatabaseDown` fires (render/prometheus/rules.ts: part `db-N`), or `DatabaseClusterSmaller` — stop what is
 * left of them (a Docker restart loop), read every node's committed position (grastate.dat, and
 * `mariadbd --wsrep-recover` where grastate.dat says seqno -1), let the pure rule (heal/galeraRecovery.ts)
 * choose the one founder, start it as founder, start the others as joiners, and verify: every node in one
 * primary component, and the newest activation a client was told succeeded present on every node.
 *
 * Never two founders: only the decision's node is started as founder, every other node's data is prepared
 * as a joiner's (heal/seams/galera.ts). When the decision refuses (a node unreadable, different clusters, a
 * position unknown) nothing is started and on-call is paged: a cluster that stays down is better than one
 * that silently lost acknowledged writes.
 *
 * When some node still serves, this playbook does nothing (a single node's outage is the cluster's own
 * business: it rejoins by itself, or the lost-node playbook repoints its lines). When nodes run without
 * serving and the outage is younger than `startGraceMs`, it waits: Galera's own pc.recovery re-forms a
 * cluster whose members all come back (an engine restart: components/render/mariadbConfig.ts), and stopping
 * the nodes then would only delay it.
 */
import { chooseBootstrapNode, GaleraStateUnreadable, NodeState, parseGrastate, parseRecoveredPosition } from "../galeraRecovery";
import { HealAlert, PartRef, Playbook, PlaybookAction, PlaybookContext, PlaybookOutcome } from "../playbook";
import { GaleraControl, GaleraNodeStatus } from "../seams/galera";

/** Tells on-call (the heal service's notification channel); optional seam `seams.pager`. */
export interface Pager {
  page(customer: string, why: string): Promise<void>;
}

export interface GaleraFullRecoveryOptions {
  /**
   * The newest activation a client was told succeeded (its idempotency key), for the customer: the client's
   * own record (a load generator's, a reseller's), or the key read from License Central before the outage.
   * Absent, or undefined for a customer: only the cluster size and writability are verified, and the outcome
   * says so.
   */
  lastAcknowledged?: (customer: string) => Promise<string | undefined>;
  /** License Central's schema (default `license_central`). */
  schema?: string;
  /** Nodes running without serving are left to Galera's own recovery for this long after the alert started (default 120 s). */
  startGraceMs?: number;
  /** How long the founder may take to form a primary component (default 90 s). */
  foundTimeoutMs?: number;
  /** How long the joiners may take to be synced members (default 150 s). */
  joinTimeoutMs?: number;
  pollMs?: number;
}

const nodeName = (n: number) => `db-${n}`;
const nodeIndex = (name: string) => Number(/^db-(\d+)$/.exec(name)![1]);
const KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function galeraFullRecovery(opts: GaleraFullRecoveryOptions = {}): Playbook {
  const schema = opts.schema ?? "license_central";
  if (!/^[A-Za-z0-9_]+$/.test(schema)) throw new Error(`galeraFullRecovery: schema '${schema}' may only hold letters, digits and '_'`);
  const startGraceMs = opts.startGraceMs ?? 120_000;
  const foundTimeoutMs = opts.foundTimeoutMs ?? 90_000;
  const joinTimeoutMs = opts.joinTimeoutMs ?? 150_000;
  const pollMs = opts.pollMs ?? 1000;

  const galeraOf = (ctx: PlaybookContext) => ctx.seams.galera as GaleraControl | undefined;
  const pagerOf = (ctx: PlaybookContext) => ctx.seams.pager as Pager | undefined;

  async function statuses(g: GaleraControl, customer: string): Promise<GaleraNodeStatus[]> {
    const nodes = await g.nodes(customer);
    return Promise.all(nodes.map((n) => g.status(customer, n)));
  }

  /** Why not to act now, or undefined when the whole cluster is down for this playbook. */
  function notNow(st: GaleraNodeStatus[], alert: HealAlert, now: number): string | undefined {
    if (st.length === 0) return "no database nodes found";
    const serving = st.filter((s) => s.ready);
    if (serving.length) return `node(s) ${serving.map((s) => nodeName(s.node)).join(", ")} serve: not a full-cluster outage`;
    const starting = st.filter((s) => s.running);
    const since = Date.parse(alert.startsAt);
    if (starting.length && Number.isFinite(since) && now - since < startGraceMs)
      return `node(s) ${starting.map((s) => nodeName(s.node)).join(", ")} are starting; Galera's own recovery gets ${Math.round(startGraceMs / 1000)} s after the outage began`;
    return undefined;
  }

  async function waitFor(what: string, cond: () => Promise<boolean>, withinMs: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      if (await cond().catch(() => false)) return;
      if (Date.now() - t0 > withinMs) throw new Error(`${what}: not within ${Math.round(withinMs / 1000)} s`);
      await sleep(pollMs);
    }
  }

  async function readState(g: GaleraControl, customer: string, n: number, log: (l: string) => void): Promise<NodeState> {
    const node = nodeName(n);
    let grastate;
    try {
      grastate = parseGrastate(await g.readGrastate(customer, n));
    } catch (e) {
      return { node, unreadable: `grastate.dat: ${(e as Error).message}` };
    }
    if (grastate.seqno >= 0) {
      log(`${node}: grastate.dat ${grastate.uuid}:${grastate.seqno} safe_to_bootstrap ${Number(grastate.safeToBootstrap)}`);
      return { node, grastate };
    }
    try {
      const recovered = parseRecoveredPosition(await g.recover(customer, n));
      log(`${node}: grastate.dat seqno -1; --wsrep-recover: ${recovered.uuid}:${recovered.seqno}`);
      return { node, grastate, recovered };
    } catch (e) {
      if (e instanceof GaleraStateUnreadable) return { node, grastate }; // the rule refuses: no committed position
      return { node, unreadable: `--wsrep-recover: ${(e as Error).message.slice(0, 300)}` };
    }
  }

  return {
    name: "galera-full-recovery",
    // it waits on purpose (grace time, lostAfter): the service hands the still-firing alert again on its timer
    recheckWhileFiring: true,

    matches(alert: HealAlert): boolean {
      if (alert.status !== "firing") return false;
      if (alert.name === "DatabaseClusterSmaller") return true;
      return alert.name === "DatabaseDown" && /^db-\d+$/.test(alert.labels.part ?? "");
    },

    async plan(ctx: PlaybookContext): Promise<PlaybookAction[]> {
      const part: PartRef = { customer: ctx.alert.customer, role: "database" };
      const g = galeraOf(ctx);
      if (!g)
        return [
          { part, summary: `recover the Galera cluster of ${ctx.alert.customer}: not possible here (the ${ctx.seams.runtime} runtime has no Galera control)` },
        ];
      const st = await statuses(g, ctx.alert.customer);
      const why = notNow(st, ctx.alert, ctx.now());
      if (why) return [];
      return [
        {
          part,
          summary: `recover the Galera cluster of ${ctx.alert.customer} (no node of ${st.length} serves): stop the nodes, read every node's committed position, bootstrap the most advanced one, start the others`,
        },
      ];
    },

    async run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome> {
      const customer = action.part.customer;
      const g = galeraOf(ctx);
      if (!g) return { kind: "skipped", detail: `the ${ctx.seams.runtime} runtime has no Galera control` };
      const before = await statuses(g, customer);
      const why = notNow(before, ctx.alert, ctx.now());
      if (why) return { kind: "skipped", detail: why };
      const nodes = before.map((s) => s.node);
      if (ctx.dryRun) return { kind: "skipped", detail: "dry run" };
      // the client's newest acknowledged activation, known before anything changes
      const key = await opts.lastAcknowledged?.(customer);
      if (key !== undefined && !KEY.test(key))
        return { kind: "failed", detail: `lastAcknowledged: not an idempotency key (letters, digits, . _ : -; at most 128): nothing done`, leftAsBefore: true };

      // 1. nothing runs while the data is read (ends a Docker restart loop; the nodes were not serving)
      for (const n of nodes) await g.stop(customer, n);
      // 2. every node's committed position, 3. the one founder
      const states: NodeState[] = [];
      for (const n of nodes) states.push(await readState(g, customer, n, ctx.log));
      const decision = chooseBootstrapNode(states);
      if (decision.kind === "refuse") {
        const detail = `nothing bootstrapped: ${decision.why}`;
        ctx.log(detail);
        await pagerOf(ctx)
          ?.page(customer, `Galera cluster of ${customer} is down and was not recovered automatically: ${decision.why}`)
          .catch((e) => ctx.log(`paging on-call failed: ${(e as Error).message}`));
        return { kind: "failed", detail: `${detail} (on-call paged)`, leftAsBefore: true };
      }
      const founder = nodeIndex(decision.node);
      ctx.log(`founder ${nodeName(founder)}: ${decision.why}`);

      // 4. the founder alone, until it is a primary component
      try {
        await g.start(customer, founder, "founder");
        await waitFor(
          `${nodeName(founder)} forms a primary component`,
          async () => {
            const s = await g.status(customer, founder);
            return s.ready && s.clusterStatus === "Primary";
          },
          foundTimeoutMs,
        );
      } catch (e) {
        await g.stop(customer, founder).catch(() => undefined);
        const detail = `bootstrapping ${nodeName(founder)} failed: ${(e as Error).message}; stopped again, the other nodes untouched`;
        await pagerOf(ctx)
          ?.page(customer, detail)
          .catch(() => undefined);
        return { kind: "failed", detail, leftAsBefore: true };
      }
      // 5. the others join it (IST/SST from the founder)
      const joiners = nodes.filter((n) => n !== founder);
      const joinErrors: string[] = [];
      for (const n of joiners) await g.start(customer, n, "joiner").catch((e) => joinErrors.push(`${nodeName(n)}: ${(e as Error).message}`));
      try {
        await waitFor(
          `${nodes.length} nodes in the cluster`,
          async () => {
            const st = await Promise.all(nodes.map((n) => g.status(customer, n)));
            return st.every((s) => s.ready && s.clusterStatus === "Primary" && s.clusterSize === nodes.length);
          },
          joinTimeoutMs,
        );
      } catch (e) {
        joinErrors.push((e as Error).message);
      }
      // 6. verify: the newest acknowledged activation on every serving node
      const serving = (await Promise.all(nodes.map((n) => g.status(customer, n)))).filter((s) => s.ready).map((s) => s.node);
      let verified = "acknowledged writes not checked (no probe of the client's newest acknowledged activation)";
      if (key !== undefined) {
        const missing: string[] = [];
        for (const n of serving) {
          const rows = await g
            .query(customer, n, `SELECT COUNT(*) FROM \`${schema}\`.lc_activations WHERE idempotency_key = '${key}'`)
            .catch((e) => `error ${(e as Error).message}`);
          if (rows.trim() !== "1") missing.push(`${nodeName(n)} (${rows.trim().slice(0, 200)})`);
        }
        if (missing.length) {
          const detail = `the cluster re-formed from ${nodeName(founder)} but the newest acknowledged activation is missing on ${missing.join(", ")}: acknowledged writes were lost`;
          await pagerOf(ctx)
            ?.page(customer, detail)
            .catch(() => undefined);
          return { kind: "failed", detail, leftAsBefore: false };
        }
        verified = `the newest acknowledged activation is present on ${serving.map(nodeName).join(", ")}`;
      }
      if (joinErrors.length) {
        const detail = `bootstrapped ${nodeName(founder)} (${decision.why}); ${serving.length} of ${nodes.length} nodes serve; ${joinErrors.join("; ")}; ${verified}`;
        return { kind: "failed", detail, leftAsBefore: true };
      }
      return {
        kind: "succeeded",
        detail: `bootstrapped ${nodeName(founder)} (${decision.why}); ${nodes.length} of ${nodes.length} nodes in the primary component; ${verified}`,
      };
    },
  };
}
