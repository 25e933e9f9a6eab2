/**
 * haproxy.cfg as rendered for a container, made to run as a local process: the container's own
 * listen addresses (`*`, 0.0.0.0, 127.0.0.1) become the node's loopback address, Docker's DNS
 * resolver goes (the sandbox has fixed addresses), optional extra bind addresses for the TLS frontend
 * (tests reach it from a network namespace), and the basic-auth hash of the sandbox's own password.
 * Everything else — ACLs, checks, retries, timeouts — stays byte for byte as rendered.
 */
import { haproxySections, sectionOfLine } from "./parseConfig";

export interface HaproxyTranslation {
  /** The node's own address. */
  address: string;
  /** Also bind the TLS frontend on these addresses (same port, same options). */
  extraBindAddresses?: string[];
  /** Replaces the hash of every `user … password <hash>` line of the userlist. */
  basicAuthPasswordHash?: string;
}

export function translateHaproxyConfig(rendered: string, t: HaproxyTranslation): string {
  const sections = haproxySections(rendered);
  const sectionAt = sectionOfLine(sections);
  const dockerResolvers = sections.find((s) => s.kind === "resolvers" && s.name === "docker");
  const lines = rendered.split("\n");
  const out: string[] = [];
  lines.forEach((line, i) => {
    const section = sectionAt(i);
    if (dockerResolvers && section === dockerResolvers) {
      // The section, its settings and the blank line that closes it go.
      if (i === dockerResolvers.index || line.trim() !== "" || i === (dockerResolvers.settings.at(-1)?.index ?? i) + 1) return;
    }
    let l = line.replace(/\s+resolvers docker(\s+init-addr\s+\S+)?/, "");
    const bind = /^(\s+bind\s+)(\*|0\.0\.0\.0|127\.0\.0\.1)?(:\d+)(.*)$/.exec(l);
    if (bind && (section?.kind === "frontend" || section?.kind === "listen")) {
      out.push(`${bind[1]}${t.address}${bind[3]}${bind[4]}`);
      if (/\bssl\b/.test(bind[4])) for (const extra of t.extraBindAddresses ?? []) out.push(`${bind[1]}${extra}${bind[3]}${bind[4]}`);
      return;
    }
    if (t.basicAuthPasswordHash !== undefined && section?.kind === "userlist") {
      l = l.replace(/^(\s*user\s+\S+\s+password\s+)\S+$/, (_m, head: string) => `${head}${t.basicAuthPasswordHash}`);
    }
    out.push(l);
  });
  return out.join("\n");
}
