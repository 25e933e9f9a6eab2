/**
 * The rolling upgrade of License Central over a fleet, as pure planning and bookkeeping (docs/fleet.md,
 * "Rolling upgrade"): which customers go first (canaries), in which batches the rest follow, the state of
 * each customer, and when to stop. What an upgrade does on an engine is injected (fleet/upgrade/upgradeOnDocker.ts),
 * so the order, the stop rule and the table are tested without Docker.
 *
 * The unit is a customer stack (one License Central deployment: a Datacenter tenant, a Dedicated, High
 * Performance or High Availability customer). A shared-server stack is not a unit: it runs no License
 * Central (lchost:image does not apply to it); its tenants are units of their own, because a tenant's
 * License Central is its own container and an image change touches nothing the tenants share (database
 * server, FSB, entry point).
 */
import { EDITION_IDS, EditionId } from "../../model/catalog";

export interface UpgradeCandidate {
  stack: string;
  customer: string;
  edition: EditionId;
}

export interface UpgradeWaves {
  /** One canary per wave: each is upgraded and verified alone before anything else starts. */
  canaries: UpgradeCandidate[][];
  /** Then batches of up to `batch` customers, upgraded side by side. */
  batches: UpgradeCandidate[][];
}

/** A flag value the planner refuses; the message names the flag. */
export class UpgradeInputError extends Error {}

export interface UpgradeLimits {
  canary: number;
  batch: number;
  maxFailures: number;
}

export const DEFAULT_LIMITS: UpgradeLimits = { canary: 1, batch: 5, maxFailures: 1 };

/** Checks --canary (≥ 0), --batch (≥ 1), --max-failures (≥ 1): whole numbers, each error naming its flag. */
export function checkLimits(given: { canary?: unknown; batch?: unknown; maxFailures?: unknown }): UpgradeLimits {
  const whole = (flag: string, v: unknown, min: number, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = typeof v === "number" ? v : /^-?\d+$/.test(String(v).trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min) throw new UpgradeInputError(`${flag}: '${String(v)}' is not allowed (a whole number ≥ ${min})`);
    return n;
  };
  return {
    canary: whole("--canary", given.canary, 0, DEFAULT_LIMITS.canary),
    batch: whole("--batch", given.batch, 1, DEFAULT_LIMITS.batch),
    maxFailures: whole("--max-failures", given.maxFailures, 1, DEFAULT_LIMITS.maxFailures),
  };
}

/**
 * The deterministic order: smallest edition first (the catalog's order: Datacenter, Dedicated, High
 * Performance, High Availability — the least at stake and the quickest to roll back go first), then by
 * customer name, then stack name. Canaries are the first `canary` of that order.
 */
export function upgradeOrder(candidates: UpgradeCandidate[]): UpgradeCandidate[] {
  const rank = (e: EditionId) => EDITION_IDS.indexOf(e);
  return [...candidates].sort((a, b) => rank(a.edition) - rank(b.edition) || cmp(a.customer, b.customer) || cmp(a.stack, b.stack));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function planWaves(candidates: UpgradeCandidate[], limits: Pick<UpgradeLimits, "canary" | "batch">): UpgradeWaves {
  const ordered = upgradeOrder(candidates);
  const canaries = ordered.slice(0, limits.canary).map((c) => [c]);
  const rest = ordered.slice(limits.canary);
  const batches: UpgradeCandidate[][] = [];
  for (let i = 0; i < rest.length; i += limits.batch) batches.push(rest.slice(i, i + limits.batch));
  return { canaries, batches };
}

/** pending → upgrading → verifying → upgraded | (rolling-back →) rolled-back | rollback-failed. */
export const UPGRADE_STATES = ["pending", "upgrading", "verifying", "upgraded", "rolling-back", "rolled-back", "rollback-failed"] as const;
export type UpgradeState = (typeof UPGRADE_STATES)[number];

const NEXT: Record<UpgradeState, UpgradeState[]> = {
  pending: ["upgrading"],
  // a deployment that fails half way is rolled back like a failed verification
  upgrading: ["verifying", "rolling-back"],
  verifying: ["upgraded", "rolling-back"],
  upgraded: [],
  "rolling-back": ["rolled-back", "rollback-failed"],
  "rolled-back": [],
  "rollback-failed": [],
};

export const FINAL_STATES: ReadonlySet<UpgradeState> = new Set(["upgraded", "rolled-back", "rollback-failed"]);

/** A customer's record through the upgrade; `advance` refuses a step the state machine does not allow. */
export class CustomerUpgrade {
  state: UpgradeState = "pending";
  /** The image it ran before (read from the deployment), the image it runs now. */
  previousImage?: string;
  runningImage?: string;
  /** Why the verification (or the deployment) failed, and why a rollback failed. */
  reason?: string;
  readonly history: UpgradeState[] = ["pending"];

  constructor(readonly candidate: UpgradeCandidate) {}

  advance(to: UpgradeState): void {
    if (!NEXT[this.state].includes(to)) throw new Error(`${this.candidate.stack}: cannot go from ${this.state} to ${to}`);
    this.state = to;
    this.history.push(to);
  }

  get failed(): boolean {
    return this.state === "rolled-back" || this.state === "rollback-failed";
  }
}

/** What the engine side does for one customer; each step reports failure by throwing. */
export interface UpgradeSteps {
  /** The image the customer's License Central runs now. */
  currentImage(c: UpgradeCandidate): Promise<string>;
  /** Deploys `image` (stack file and containers). */
  deploy(c: UpgradeCandidate, image: string): Promise<void>;
  /** Verifies the running deployment: throws with the reason when it is not healthy. */
  verify(c: UpgradeCandidate): Promise<void>;
  /** Puts the previous image back (stack file and containers). */
  rollback(c: UpgradeCandidate, previousImage: string): Promise<void>;
  log?(line: string): void;
}

export interface RollingUpgradeResult {
  customers: CustomerUpgrade[];
  /** True when the run stopped at --max-failures: customers still pending were not touched. */
  stopped: boolean;
  failures: number;
}

/**
 * Runs the waves in order: each canary alone, then each batch side by side. After each wave the failures
 * are counted; at `maxFailures` the run stops and every customer not started stays pending, untouched.
 * (Within a batch all customers start together, so a batch that reaches the limit finishes — each of its
 * failures rolled back — before the stop.)
 */
export async function runRollingUpgrade(waves: UpgradeWaves, image: string, maxFailures: number, steps: UpgradeSteps): Promise<RollingUpgradeResult> {
  const all = [...waves.canaries, ...waves.batches];
  const records = new Map(all.flat().map((c) => [c.stack, new CustomerUpgrade(c)]));
  // read only: the table then says what every customer runs, touched or not
  for (const r of records.values()) r.runningImage = r.previousImage = await steps.currentImage(r.candidate);
  let failures = 0;
  let stopped = false;
  for (const [i, wave] of all.entries()) {
    if (failures >= maxFailures) {
      stopped = true;
      break;
    }
    const kind = i < waves.canaries.length ? "canary" : "batch";
    steps.log?.(`${kind} ${wave.map((c) => c.stack).join(", ")}: upgrading to ${image}`);
    await Promise.all(wave.map((c) => upgradeOne(records.get(c.stack)!, image, steps)));
    failures += wave.filter((c) => records.get(c.stack)!.failed).length;
  }
  return { customers: [...records.values()], stopped, failures };
}

async function upgradeOne(r: CustomerUpgrade, image: string, steps: UpgradeSteps): Promise<void> {
  const c = r.candidate;
  const log = (s: string) => steps.log?.(`${c.stack}: ${s}`);
  r.advance("upgrading");
  log(`${r.previousImage} -> ${image}`);
  try {
    await steps.deploy(c, image);
    r.runningImage = image;
    r.advance("verifying");
    await steps.verify(c);
    r.advance("upgraded");
    log(`upgraded and verified (${image})`);
    return;
  } catch (e) {
    r.reason = firstLine(e);
    log(`${r.state === "verifying" ? "verification" : "deployment"} failed: ${r.reason}; rolling back to ${r.previousImage}`);
    r.advance("rolling-back");
  }
  try {
    r.runningImage = undefined; // unknown until the rollback has deployed
    await steps.rollback(c, r.previousImage!);
    r.runningImage = r.previousImage;
    await steps.verify(c);
    r.advance("rolled-back");
    log(`rolled back to ${r.previousImage} and verified`);
  } catch (e) {
    r.reason = `${r.reason}; rollback failed: ${firstLine(e)}`;
    r.advance("rollback-failed");
    log(`rollback failed: ${firstLine(e)}`);
  }
}

/** The first line of an error, at most 200 characters (a container's log tail stays in the log, not in the table). */
function firstLine(e: unknown): string {
  const line = String((e as Error)?.message ?? e).split("\n")[0];
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The end-of-run table: which customer runs which image, in upgrade order, and why a failure failed. */
export function renderUpgradeTable(result: RollingUpgradeResult, image: string): string {
  const rows = result.customers.map((r) => [r.candidate.stack, r.candidate.edition, r.state, r.runningImage ?? "unknown", r.reason ?? ""]);
  const head = ["stack", "edition", "state", "image", "reason"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const counts = (s: UpgradeState) => result.customers.filter((r) => r.state === s).length;
  const summary =
    `${counts("upgraded")} upgraded to ${image}, ${counts("rolled-back")} rolled back, ${counts("rollback-failed")} rollback failed, ` +
    `${counts("pending")} not touched` +
    (result.stopped ? ` (stopped: ${result.failures} failure(s) reached --max-failures)` : "");
  return [fmt(head), ...rows.map(fmt), summary].join("\n");
}
