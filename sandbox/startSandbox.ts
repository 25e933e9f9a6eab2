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

/** Moved to haproxy/showStat.ts; re-exported for the sandbox's importers. */
export { parseShowStat, sessionCounts } from "../haproxy/showStat";
