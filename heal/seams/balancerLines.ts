/**
 * BalancerControl over any HAProxy runtime API (the sandbox's admin socket, `docker exec` into a gateway): a
 * line is the server `line<N>` of every backend that has one (the gateway's license_central, a shared entry's
 * tenant backends); its state is set with `set server <backend>/line<N> state drain|maint|ready`.
 */
import { statRows } from "../../haproxy/showStat";
import type { BalancerControl } from "../playbook";

export type HaproxyCommand = (customer: string, command: string) => Promise<string>;

export function lineServers(showStat: string, line: number): Array<{ backend: string; server: string }> {
  const server = `line${line}`;
  return statRows(showStat)
    .filter((r) => r.svname === server)
    .map((r) => ({ backend: r.pxname, server }));
}

export class HaproxyBalancerControl implements BalancerControl {
  constructor(private readonly command: HaproxyCommand) {}

  async setLineState(customer: string, line: number, state: "drain" | "maint" | "ready"): Promise<void> {
    if (!Number.isInteger(line) || line < 1) throw new RangeError(`line: must be a whole number ≥ 1 (got ${line})`);
    const servers = lineServers(await this.command(customer, "show stat"), line);
    if (servers.length === 0) throw new Error(`the balancer of ${customer} has no server line${line}`);
    for (const s of servers) {
      const answer = (await this.command(customer, `set server ${s.backend}/${s.server} state ${state}`)).trim();
      if (answer) throw new Error(`set server ${s.backend}/${s.server} state ${state}: ${answer}`);
    }
  }
}
