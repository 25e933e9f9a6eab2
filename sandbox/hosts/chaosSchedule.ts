/**
 * The faults of a chaos run (`npm run chaos`, bench/chaos.ts): every 20–40 s one random kill — a line, an FSB, a
 * Galera node, a balancer node (HAProxy on the node holding the VIP) or a whole host — restored after 8–15 s, one at
 * a time (the next fault comes after the last one was restored). Pure and seeded: the same seed gives the same run,
 * so a failing run can be replayed.
 */
export type FaultKind = "line" | "fsb" | "galera-node" | "balancer-node" | "host";

export const FAULT_KINDS: readonly FaultKind[] = ["line", "fsb", "galera-node", "balancer-node", "host"];

export interface ChaosTargets {
  lines: string[];
  fsbs: string[];
  galeraNodes: string[];
  hosts: string[];
}

export interface Fault {
  /** ms after the start of the run. */
  at: number;
  kind: FaultKind;
  /** The process or host; "active" for a balancer node (whichever holds the VIP when the fault comes). */
  target: string;
  restoreAfterMs: number;
}

export interface ChaosScheduleOptions {
  durationMs: number;
  seed: number;
  targets: ChaosTargets;
  gapMs?: [number, number];
  restoreMs?: [number, number];
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chaosSchedule(o: ChaosScheduleOptions): Fault[] {
  const [gapMin, gapMax] = o.gapMs ?? [20_000, 40_000];
  const [restoreMin, restoreMax] = o.restoreMs ?? [8_000, 15_000];
  if (!(gapMin > 0 && gapMax >= gapMin)) throw new Error(`gapMs: [${gapMin}, ${gapMax}] is not a range of positive ms`);
  if (!(restoreMin > 0 && restoreMax >= restoreMin)) throw new Error(`restoreMs: [${restoreMin}, ${restoreMax}] is not a range of positive ms`);
  if (restoreMax >= gapMin) throw new Error(`restoreMs: ${restoreMax} ms must be shorter than the shortest gap (${gapMin} ms): one fault at a time`);
  const pool: Record<FaultKind, string[]> = {
    line: o.targets.lines,
    fsb: o.targets.fsbs,
    "galera-node": o.targets.galeraNodes,
    "balancer-node": ["active"],
    host: o.targets.hosts,
  };
  const kinds = FAULT_KINDS.filter((k) => pool[k].length > 0);
  const rnd = seededRandom(o.seed);
  const between = (lo: number, hi: number) => Math.round(lo + rnd() * (hi - lo));
  const faults: Fault[] = [];
  for (let at = between(gapMin, gapMax); at + restoreMax < o.durationMs; at += between(gapMin, gapMax)) {
    const kind = kinds[Math.floor(rnd() * kinds.length)];
    const targets = pool[kind];
    faults.push({ at, kind, target: targets[Math.floor(rnd() * targets.length)], restoreAfterMs: between(restoreMin, restoreMax) });
  }
  return faults;
}
