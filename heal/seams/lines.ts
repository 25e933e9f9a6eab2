/**
 * The extra-lines capability of a runtime (issue 12, items 2 and 3): bring a running High Availability
 * deployment to the lines its stack file says now — booked lchost:lines plus the lchost:extraLines still
 * ahead of their deadline — the way `lchost migrate` scales lines: new lines are started and ready before
 * the balancer sends them traffic; lines that go are drained on the balancer first, then stopped.
 *
 * The stack file is the one record of the extra lines (`pulumi up` and `lchost plan` read it too): the use
 * cases (heal/extraLinesApplier.ts) write it, then call `apply`. A runtime without this capability leaves
 * `seams.lines` undefined (heal/playbook.ts); the playbook then reports a skipped action.
 */
import type { HealSeams } from "../playbook";
import type { SandboxHandle } from "../../sandbox/startSandbox";

export interface LinesApplied {
  /** Processes / containers started (lines and their FSBs). */
  added: string[];
  /** Processes / containers stopped after their lines were drained. */
  removed: string[];
  /** Balancers reloaded gracefully. */
  reloaded: string[];
}

export interface LineControl {
  readonly runtime: "sandbox" | "docker";
  /** The stack file of a customer this runtime runs; undefined: not one of its customers. */
  stackFileOf(customer: string): string | undefined;
  /** Brings the running deployment of the stack in `stackFile` to the lines the file says now. */
  apply(stackFile: string, log: (line: string) => void): Promise<LinesApplied>;
}

/** The key of the capability in HealSeams. */
export const LINES_SEAM = "lines";

export function lineControlOf(seams: HealSeams): LineControl | undefined {
  const c = seams[LINES_SEAM] as LineControl | undefined;
  return c && typeof c.apply === "function" ? c : undefined;
}

/**
 * The sandbox's lines: `updateStack` on the running sandbox plans the stack file again, starts the new
 * lines and FSBs and waits until each is ready, drains the servers that go on the gateway
 * (`set server … state drain` until no session is left, at most `drainTimeoutMs`), reloads the gateway
 * gracefully (-sf: requests in flight finish on the old HAProxy) and stops what is gone.
 * Lines that stay keep running with the environment they started with (their quota env included: the
 * month's quota is enforced by every line from the customer's one database, and a line restarted later
 * picks the new value up).
 */
export class SandboxLineControl implements LineControl {
  readonly runtime = "sandbox";
  constructor(
    private readonly handle: SandboxHandle,
    /** customer -> its stack file, as the sandbox was started with. */
    private readonly stackFiles: Readonly<Record<string, string>>,
    private readonly drainTimeoutMs = 30_000,
  ) {}

  stackFileOf(customer: string): string | undefined {
    return this.stackFiles[customer];
  }

  async apply(stackFile: string, log: (line: string) => void): Promise<LinesApplied> {
    const r = await this.handle.updateStack(stackFile, { drainTimeoutMs: this.drainTimeoutMs });
    if (r.added.length) log(`started ${r.added.join(", ")} (ready before the gateway sends them traffic)`);
    if (r.removed.length) log(`drained on the gateway, then stopped: ${r.removed.join(", ")}`);
    if (r.reloaded.length) log(`reloaded gracefully: ${r.reloaded.join(", ")}`);
    return r;
  }
}
