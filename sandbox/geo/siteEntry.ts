/**
 * Each site's own HTTPS entry for a customer spread over two sites. A balancer's address cannot span sites,
 * so every site runs the customer's entry point itself: the same translated haproxy.cfg the sandbox made from
 * the planned entry, bound to an address of this site, with its own admin socket, and the lines of other
 * sites kept as `backup` servers (used only when no line of this site is up: a request should not cross the
 * WAN twice, once to the line and once more for the line's commit).
 * Pure: `siteEntryConfig` is what the simulation runs; tests read it.
 */
export interface SiteEntryOptions {
  /** The address this site's entry binds (every `bind` of the planned entry moves to it). */
  address: string;
  adminSocket: string;
  /** Addresses of the License Central lines in this site; servers elsewhere become `backup`. */
  localLineAddresses: string[];
}

export function siteEntryConfig(translatedConfig: string, opts: SiteEntryOptions): string {
  let binds = 0;
  let sockets = 0;
  const out = translatedConfig.split("\n").map((line) => {
    const bind = /^(\s*bind\s+)(\S+):(\d+)(.*)$/.exec(line);
    if (bind) {
      binds++;
      return `${bind[1]}${opts.address}:${bind[3]}${bind[4]}`;
    }
    const sock = /^(\s*stats\s+socket\s+)(\S+)(.*)$/.exec(line);
    if (sock) {
      sockets++;
      return `${sock[1]}${opts.adminSocket}${sock[3]}`;
    }
    const server = /^(\s*server\s+\S+\s+)(\S+):(\d+)(.*)$/.exec(line);
    if (server && !opts.localLineAddresses.includes(server[2]) && !/\sbackup(\s|$)/.test(server[4])) return `${line} backup`;
    return line;
  });
  if (binds === 0) throw new Error("siteEntryConfig: the entry's haproxy.cfg has no bind line");
  if (sockets !== 1) throw new Error(`siteEntryConfig: the entry's haproxy.cfg has ${sockets} admin sockets, expected 1`);
  return out.join("\n");
}
