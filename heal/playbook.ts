/**
 * The contract between the `lchost heal` service and its playbooks (issue 12), and the seams a playbook acts
 * through. One playbook per module (`heal/playbooks/*.ts`); the service (heal/service/) receives Alertmanager
 * webhooks, finds the playbooks whose `matches` accepts an alert, asks the action budget (heal/actionBudget.ts),
 * runs `run` (or only `plan` in dry-run mode), writes the audit row and notifies the customer and on-call.
 *
 * Seams (the same ones `lchost migrate` uses: the Docker Engine API for Docker deployments, process control for
 * the sandbox): each capability is an interface of its own, implemented once per runtime. A playbook names what
 * it needs; a runtime that lacks a capability leaves it undefined and the playbook reports "not here" as a
 * skipped action, never by throwing from a half-implemented method.
 */

/** One alert as the service hands it to playbooks (already authenticated and schema-checked). */
export interface HealAlert {
  /** `alertname` label. */
  name: string;
  status: "firing" | "resolved";
  /** `customer` label (every lchost alert carries it). */
  customer: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** RFC 3339, as Alertmanager sent it. */
  startsAt: string;
  fingerprint?: string;
}

/** A part of a customer's deployment a playbook may act on. `index` is 1-based (line 1, node 2 …). */
export interface PartRef {
  customer: string;
  role: "line" | "fsb" | "database" | "gateway" | "balancer" | "arbitrator";
  index?: number;
}

export function partKey(p: PartRef): string {
  return `${p.customer}/${p.role}${p.index !== undefined ? `-${p.index}` : ""}`;
}

export interface PartStatus extends PartRef {
  running: boolean;
  /** The health check's verdict where the runtime has one; undefined when unknown. */
  healthy?: boolean;
  /** Restarts counted by the runtime (Docker's RestartCount, the sandbox supervisor's). */
  restarts: number;
}

/** Containers / processes: list, restart, recreate from the stack's plan, signal. */
export interface PartControl {
  list(customer: string): Promise<PartStatus[]>;
  restart(part: PartRef): Promise<void>;
  /** Remove and create again from the stack's plan (the container's spec, the sandbox's role). */
  recreate(part: PartRef): Promise<void>;
}

/** The customer's balancer (HAProxy runtime API on the admin socket). */
export interface BalancerControl {
  /** Takes a line out of (`maint`, after draining) or back into (`ready`) every backend that serves it. */
  setLineState(customer: string, line: number, state: "drain" | "maint" | "ready"): Promise<void>;
}

/** What a playbook's context carries; capabilities a runtime does not have are undefined. */
export interface HealSeams {
  runtime: "docker" | "sandbox";
  parts?: PartControl;
  balancer?: BalancerControl;
  /** Galera, extra lines … : added by their playbooks' modules (heal/seams/*.ts) as they land. */
  [capability: string]: unknown;
}

export interface PlaybookContext {
  alert: HealAlert;
  seams: HealSeams;
  /** Dry run: describe, change nothing. */
  dryRun: boolean;
  now(): number;
  /** Progress lines for the audit log (never secrets). */
  log(line: string): void;
}

/** What a playbook would do (dry run) or did. `part` keys the action budget. */
export interface PlaybookAction {
  part: PartRef;
  /** One sentence, for the audit log and the notification: "restart lc-hooli-line-2 (unhealthy for 6 min)". */
  summary: string;
}

export type PlaybookOutcome =
  | { kind: "succeeded"; detail: string }
  | { kind: "failed"; detail: string; /** The customer is no worse off than before (undo ran or nothing changed). */ leftAsBefore: boolean }
  | { kind: "skipped"; detail: string };

export interface Playbook {
  /** Stable id: audit rows, budget keys, config. */
  readonly name: string;
  /** Cheap and pure: does this alert concern this playbook? */
  matches(alert: HealAlert): boolean;
  /**
   * Resolved alerts reach this playbook too (autoscale: a peak that ended starts the idle time). Others see
   * firing alerts only.
   */
  readonly observesResolved?: boolean;
  /**
   * While its alert keeps firing, the service hands it to this playbook again on its timer (heal/service/healer.ts
   * `recheck`): for playbooks that wait on purpose before acting (a Galera cluster's own recovery gets its grace
   * time; a node counts as lost only after a while), since Alertmanager does not post again until its repeat
   * interval.
   */
  readonly recheckWhileFiring?: boolean;
  /** What would be done, without changing anything (dry run, and the audit row's "what"). */
  plan(ctx: PlaybookContext): Promise<PlaybookAction[]>;
  /** Do it. Must leave the customer no worse than before when it fails halfway, and say so. */
  run(ctx: PlaybookContext, action: PlaybookAction): Promise<PlaybookOutcome>;
}
