import * as net from "net";
import { allowListPath } from "../../haproxy/parseConfig";
import { uploadContent, uploadsEndingWith } from "./containerFacts";

export interface AllowListEntry {
  file: string;
  cidr: string;
  family: 4 | 6;
  prefix: number;
}

/** The CIDRs of the allow-list files that a container's haproxy.cfg reads (`src -f <file>`). */
export function allowListEntries(container: any): AllowListEntry[] {
  const out: AllowListEntry[] = [];
  for (const cfg of uploadsEndingWith(container, "/haproxy.cfg")) {
    const file = allowListPath(cfg.content);
    if (!file) continue;
    for (const raw of (uploadContent(container, file) ?? "").split("\n")) {
      const cidr = raw.replace(/#.*$/, "").trim();
      if (!cidr) continue;
      const [addr, bits] = cidr.split("/");
      const family = net.isIP(addr);
      if (family === 0) continue;
      out.push({ file, cidr, family: family as 4 | 6, prefix: bits === undefined ? (family === 4 ? 32 : 128) : Number(bits) });
    }
  }
  return out;
}
