/**
 * Every planned container gets a loopback address of its own, so the ports in the rendered files
 * (3306, 4567/4568/4444, 7070, 8080/8081, 8443) stay exactly as rendered: 127.B.S.N, where B comes
 * from the sandbox's name, S is the stack's position and N the container's position in its plan.
 * Hosts that are referenced but not planned (a tenant line whose stack is not started, an external
 * shared FSB) get addresses in 127.B.250.N. Linux routes all of 127.0.0.0/8 to the loopback device.
 */
export interface AddressedHost {
  host: string;
  address: string;
}

export const UNPLANNED_HOSTS_BLOCK = 250;

/** Second octet of a sandbox: 10..249, stable for a name (FNV-1a). */
export function sandboxOctet(sandboxName: string): number {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(sandboxName, "utf8")) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 10 + (h % 240);
}

/**
 * Assigns addresses: `stacks[i]` lists that stack's container names in plan order; `unplanned` lists
 * other host names that configs mention. Throws when a stack has more than 249 containers.
 */
export function assignAddresses(sandboxName: string, stacks: string[][], unplanned: string[] = []): Map<string, string> {
  const b = sandboxOctet(sandboxName);
  const out = new Map<string, string>();
  stacks.forEach((hosts, s) => {
    if (hosts.length > 249) throw new Error(`stack ${s + 1} has ${hosts.length} containers; the sandbox gives at most 249 an address`);
    hosts.forEach((host, n) => {
      if (!out.has(host)) out.set(host, `127.${b}.${s + 1}.${n + 1}`);
    });
  });
  let n = 0;
  for (const host of unplanned) {
    if (out.has(host)) continue;
    out.set(host, `127.${b}.${UNPLANNED_HOSTS_BLOCK}.${++n}`);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces every whole host name in `text` by its address (`lc-wayne-db` but not the prefix of
 * `lc-wayne-db-2`). One pass, longest names first, so a replacement is never replaced again.
 */
export function replaceHosts(text: string, addresses: Map<string, string>): string {
  if (addresses.size === 0) return text;
  const names = [...addresses.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const re = new RegExp(`(?<![A-Za-z0-9_.-])(${names.join("|")})(?![A-Za-z0-9_-])`, "g");
  return text.replace(re, (m) => addresses.get(m)!);
}

/**
 * The addresses of a running sandbox after its stacks changed: every host keeps the address it has (a
 * line that stays, or a tenant line the shared entry point already routes to), and a new host gets the
 * first free address of its stack's block. Addresses are never reused while the sandbox runs.
 */
export function extendAddresses(sandboxName: string, existing: Map<string, string>, stacks: string[][]): Map<string, string> {
  const b = sandboxOctet(sandboxName);
  const out = new Map(existing);
  const taken = new Set(existing.values());
  stacks.forEach((hosts, s) => {
    let n = 0;
    for (const host of hosts) {
      if (out.has(host)) continue;
      let address: string;
      do {
        if (++n > 249) throw new Error(`stack ${s + 1} of sandbox ${sandboxName}: no free address left in 127.${b}.${s + 1}.0/24`);
        address = `127.${b}.${s + 1}.${n}`;
      } while (taken.has(address));
      taken.add(address);
      out.set(host, address);
    }
  });
  return out;
}
