/**
 * PartControl for the sandbox (sandbox/processSupervisor.ts through the SandboxHandle): parts are the stack's
 * processes (lc-<customer>-line-2 …). The sandbox has no restart policy, so `restarts` counts the restarts this
 * seam made; `recreate` starts the process again from its planned spec (the sandbox's role) and waits until it
 * is ready. A hung process (SIGSTOPped, as `docker pause`) ignores SIGTERM until continued, so a restart kills
 * its whole process group first, like `docker restart` after its timeout.
 */
import type { SandboxHandle, SandboxProcessInfo } from "../../sandbox/sandbox";
import type { PartControl, PartRef, PartStatus } from "../playbook";

const ROLE_OF: Record<string, PartRef["role"] | undefined> = {
  "license-central": "line",
  fsb: "fsb",
  "https-entry-point": "gateway",
  database: "database",
};

export function sandboxPartOf(p: SandboxProcessInfo): PartRef | undefined {
  const role = ROLE_OF[p.role];
  if (!role) return undefined;
  if (role === "gateway") return { customer: p.stack, role };
  const m = /-(?:line|fsb|db)(?:-(\d+))?$/.exec(p.name);
  if (!m) return undefined;
  return { customer: p.stack, role, index: m[1] ? Number(m[1]) : 1 };
}

export class SandboxPartControl implements PartControl {
  private readonly restarts = new Map<string, number>();
  constructor(private readonly sb: Pick<SandboxHandle, "processes" | "kill" | "restart">) {}

  private processOf(part: PartRef): SandboxProcessInfo {
    const p = this.sb.processes().find((x) => {
      const r = sandboxPartOf(x);
      return r && r.customer === part.customer && r.role === part.role && (part.role === "gateway" || r.index === (part.index ?? 1));
    });
    if (!p) throw new Error(`the sandbox runs no ${part.role}${part.index !== undefined ? ` ${part.index}` : ""} of ${part.customer}`);
    return p;
  }

  async list(customer: string): Promise<PartStatus[]> {
    return this.sb
      .processes()
      .filter((p) => p.stack === customer)
      .flatMap((p) => {
        const r = sandboxPartOf(p);
        return r ? [{ ...r, running: p.running, restarts: this.restarts.get(p.name) ?? 0 }] : [];
      });
  }

  async restart(part: PartRef): Promise<void> {
    const p = this.processOf(part);
    if (p.running) {
      try {
        this.sb.kill(p.name, "SIGKILL"); // the whole process group, stopped or not
      } catch {
        /* exited meanwhile */
      }
    }
    this.restarts.set(p.name, (this.restarts.get(p.name) ?? 0) + 1);
    await this.sb.restart(p.name);
  }

  /** The sandbox starts a process from its planned spec every time: recreate and restart are one. */
  recreate(part: PartRef): Promise<void> {
    return this.restart(part);
  }
}
