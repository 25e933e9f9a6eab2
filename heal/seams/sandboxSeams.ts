/** Every capability the sandbox offers the playbooks (heal/playbook.ts HealSeams). */
import type { SandboxHandle } from "../../sandbox/sandbox";
import type { HealSeams } from "../playbook";
import { FSB_PROBE } from "./fsbProbe";
import { sandboxBalancerControl } from "./sandboxBalancer";
import { sandboxFsbProbe } from "./sandboxFsbProbe";
import { SandboxPartControl } from "./sandboxParts";
import { GaleraControl, ProcessGaleraControl, sandboxGaleraNodes } from "./galera";
import { LineDatabaseControl, lineIndex, ProcessLineDatabaseControl } from "./lineDatabase";

export function sandboxSeams(sb: SandboxHandle): HealSeams {
  return { runtime: "sandbox", parts: new SandboxPartControl(sb), balancer: sandboxBalancerControl(sb), [FSB_PROBE]: sandboxFsbProbe(sb) };
}

/**
 * The Galera and line-database seams of a running sandbox stack (sandbox/sandbox.ts): its database processes are
 * the rendered start scripts with the container's paths under each process's directory, its lines License
 * Central processes whose DB_HOST is the node's sandbox address.
 */

export function sandboxHealSeams(sb: SandboxHandle, stack: string, customer: string): { galera: GaleraControl; lineDatabase: LineDatabaseControl } {
  const mine = sb.processes().filter((p) => p.stack === stack);
  const dbs = mine
    .filter((p) => p.role === "database")
    .map((p) => ({ info: p, spec: sb.processSpec(p.name) }))
    .filter((d) => d.spec.galera !== undefined)
    .sort((a, b) => a.spec.galera!.nodeIndex - b.spec.galera!.nodeIndex);
  if (dbs.length === 0) throw new Error(`sandbox stack ${stack} runs no Galera node`);
  const nodes = sandboxGaleraNodes(
    dbs.map((d) => ({ name: d.info.name, dir: d.spec.dir, socket: d.spec.socket!, nodeIndex: d.spec.galera!.nodeIndex })),
    {
      running: (name) => sb.process(name).running,
      start: (name) => sb.restart(name),
      stop: (name) => sb.stopProcess(name),
    },
  );
  const nodeHosts: string[] = [];
  for (const d of dbs) nodeHosts[d.spec.galera!.nodeIndex - 1] = d.spec.address;
  const lines = mine
    .filter((p) => p.role === "license-central" && lineIndex(p.name) !== undefined)
    .map((p) => ({ line: lineIndex(p.name)!, env: sb.processSpec(p.name).env, restart: () => sb.restart(p.name) }));
  return {
    galera: new ProcessGaleraControl({ [customer]: nodes }),
    lineDatabase: new ProcessLineDatabaseControl({ [customer]: { lines, nodeHosts } }),
  };
}
