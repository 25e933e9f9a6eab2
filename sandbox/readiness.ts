/**
 * When a sandbox process counts as ready, per role: a database answers (a Galera node is Synced), an
 * FSB's /healthz and a License Central's /readyz answer 200, an entry point's monitor answers and
 * every server whose line runs is UP. The probes that need the rest of the sandbox come in as functions.
 */
import * as http from "http";
import type { SandboxProcessSpec } from "./containerTranslation";
import { probeMariadb } from "./mariadbProcess";
import type { LocalProcess } from "./processSupervisor";

export interface ReadinessProbes {
  /** SQL as the database's root; throws when it cannot run. */
  sqlAsRoot(databaseProcess: string, sql: string): string;
  /** `backend/server` -> status on an entry point (its admin socket's `show stat`). */
  serverStates(entryProcess: string): Promise<Record<string, string>>;
  /** The `backend/server` names of the lines that run now (an entry point waits for these to be UP). */
  runningLineServers(): string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The HTTP status of a GET, 0 when there is no answer within the timeout. */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

export async function isProcessReady(s: SandboxProcessSpec, probes: ReadinessProbes): Promise<boolean> {
  switch (s.role) {
    case "database": {
      if (!(await probeMariadb({ host: s.address, port: 3306 }, 500))) return false;
      if (!s.galera) return true;
      try {
        return /Synced/.test(probes.sqlAsRoot(s.name, "SHOW STATUS LIKE 'wsrep_local_state_comment'"));
      } catch {
        return false;
      }
    }
    case "database-exporter":
      // the exporter answers its landing page whether or not the database does (mysql_up says that)
      return (await httpStatus(`http://${s.address}:${s.ports[0]}/`)) === 200;
    case "fsb":
      return (await httpStatus(`http://${s.address}:${s.ports[0]}/healthz`)) === 200;
    case "license-central":
      return (await httpStatus(`http://${s.address}:${s.ports[0]}/readyz`)) === 200;
    case "https-entry-point": {
      if (s.monitorPort && (await httpStatus(`http://${s.address}:${s.monitorPort}/haproxy-health`)) !== 200) return false;
      if (!s.adminSocket) return true;
      try {
        const states = await probes.serverStates(s.name);
        return probes.runningLineServers().every((srv) => !(srv in states) || states[srv] === "UP");
      } catch {
        return false;
      }
    }
    default:
      // the operations processes: their own readiness endpoint
      if (s.readyPath) return (await httpStatus(`http://${s.address}:${s.ports[0]}${s.readyPath}`)) === 200;
      return true;
  }
}

/**
 * Waits until the process is ready (a one-shot job: until it exited 0); throws naming the process,
 * why, and the tail of its log.
 */
export async function waitUntilReady(p: LocalProcess, isReady: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const s = p.spec;
  const deadline = Date.now() + timeoutMs;
  const failed = (why: string) => new Error(`${s.name} (${s.role}) ${why}; log ${p.logFile}:\n${p.tail()}`);
  if (s.oneShot) {
    const e = await p.waitExit(timeoutMs);
    if (!e) throw failed(`did not finish within ${timeoutMs} ms`);
    if (e.code !== 0) throw failed(`exited with ${e.signal ?? `code ${e.code}`}`);
    return;
  }
  for (;;) {
    if (!p.running) throw failed(`exited with ${p.exit?.signal ?? `code ${p.exit?.code}`}`);
    if (await isReady()) return;
    if (Date.now() > deadline) throw failed(`was not ready within ${timeoutMs} ms`);
    await sleep(150);
  }
}
