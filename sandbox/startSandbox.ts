/**
 * `startSandbox(...)`: runs a stack's topology on this machine as local processes and returns a handle
 * to inspect, break and stop it (the `Sandbox` class, sandbox.ts). Used by `lchost sandbox`, the e2e
 * tests, the migration's sandbox target and the bench.
 */
import { Sandbox, SandboxHandle, SandboxOptions } from "./sandbox";

export type { SandboxHandle, SandboxOptions, SandboxProcessInfo } from "./sandbox";

export function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  return Sandbox.start(opts);
}

export function parseShowStat(csv: string): Record<string, string> {
  const lines = csv.split("\n").filter((l) => l.trim());
  const header = lines[0]?.replace(/^#\s*/, "").split(",") ?? [];
  const status = header.indexOf("status");
  const out: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const f = l.split(",");
    if (f[1] === "FRONTEND" || f[1] === "BACKEND") continue;
    out[`${f[0]}/${f[1]}`] = f[status];
  }
  return out;
}

/** Current sessions per `backend/server` from `show stat`. */
export function sessionCounts(csv: string): Record<string, number> {
  const lines = csv.split("\n").filter((l) => l.trim());
  const header = lines[0]?.replace(/^#\s*/, "").split(",") ?? [];
  const scur = header.indexOf("scur");
  const out: Record<string, number> = {};
  for (const l of lines.slice(1)) {
    const f = l.split(",");
    if (f[1] === "FRONTEND" || f[1] === "BACKEND") continue;
    out[`${f[0]}/${f[1]}`] = Number(f[scur]) || 0;
  }
  return out;
}
