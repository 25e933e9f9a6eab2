/**
 * haproxy.cfg as rendered for a container, made to run as a local process: the container's own
 * listen addresses (`*`, 0.0.0.0, 127.0.0.1) become the node's loopback address, Docker's DNS
 * resolver goes (the sandbox has fixed addresses), optional extra bind addresses for the TLS frontend
 * (tests reach it from a network namespace), and the basic-auth hash of the sandbox's own password.
 * Everything else — ACLs, checks, retries, timeouts — stays byte for byte as rendered.
 */
export interface HaproxyTranslation {
  /** The node's own address. */
  address: string;
  /** Also bind the TLS frontend on these addresses (same port, same options). */
  extraBindAddresses?: string[];
  /** Replaces the hash of every `user … password <hash>` line of the userlist. */
  basicAuthPasswordHash?: string;
}

export function translateHaproxyConfig(rendered: string, t: HaproxyTranslation): string {
  const out: string[] = [];
  let inDockerResolvers = false;
  for (const line of rendered.split("\n")) {
    if (/^resolvers docker\s*$/.test(line)) {
      inDockerResolvers = true;
      continue;
    }
    if (inDockerResolvers) {
      if (/^\s/.test(line) && line.trim() !== "") continue;
      inDockerResolvers = false;
      if (line.trim() === "") continue; // the blank line that closed the section
    }
    let l = line.replace(/\s+resolvers docker(\s+init-addr\s+\S+)?/, "");
    const bind = /^(\s*bind\s+)(\*|0\.0\.0\.0|127\.0\.0\.1)?(:\d+)(.*)$/.exec(l);
    if (bind) {
      l = `${bind[1]}${t.address}${bind[3]}${bind[4]}`;
      out.push(l);
      if (/\bssl\b/.test(bind[4])) for (const extra of t.extraBindAddresses ?? []) out.push(`${bind[1]}${extra}${bind[3]}${bind[4]}`);
      continue;
    }
    if (t.basicAuthPasswordHash !== undefined) {
      l = l.replace(/^(\s*user\s+\S+\s+password\s+)\S+$/, (_m, head: string) => `${head}${t.basicAuthPasswordHash}`);
    }
    out.push(l);
  }
  return out.join("\n");
}

/** The userlist's user name, if the config has basic auth. */
export function basicAuthUser(rendered: string): string | undefined {
  return /^\s*user\s+(\S+)\s+password\s+/m.exec(rendered)?.[1];
}

/** The address:port of every `server` line, by backend/server name. */
export function haproxyServers(config: string): Array<{ backend: string; server: string; address: string; port: number }> {
  const out: Array<{ backend: string; server: string; address: string; port: number }> = [];
  let backend = "";
  for (const line of config.split("\n")) {
    const b = /^backend\s+(\S+)/.exec(line);
    if (b) backend = b[1];
    const s = /^\s+server\s+(\S+)\s+([^\s:]+):(\d+)/.exec(line);
    if (s && backend) out.push({ backend, server: s[1], address: s[2], port: Number(s[3]) });
  }
  return out;
}
