/**
 * Reads haproxy.cfg as HAProxy does: a section starts at a keyword in column 0 (`global`, `defaults`,
 * `frontend NAME`, `backend NAME`, `listen NAME`, `userlist NAME`, `resolvers NAME` …), its settings are
 * the indented lines after it, `#` starts a comment. Policies judge the deployed text with the queries
 * below; the sandbox rewrites it line by line (translateConfig.ts) from the same parse.
 */
export interface HaproxyLine {
  /** 0-based line number in the text. */
  index: number;
  /** The line without comment and surrounding blanks. */
  text: string;
  words: string[];
}

export interface HaproxySection {
  kind: string;
  name: string;
  /** Line number of the section keyword. */
  index: number;
  /** The section's settings (comments and blank lines left out). */
  settings: HaproxyLine[];
  /** Setting texts, for quick matching. */
  lines: string[];
}

export function haproxySections(cfg: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  let current: HaproxySection | undefined;
  cfg.split("\n").forEach((raw, index) => {
    const text = raw.replace(/#.*$/, "").trim();
    if (!text) return;
    const words = text.split(/\s+/);
    if (!/^\s/.test(raw)) {
      current = { kind: words[0], name: words[1] ?? "", index, settings: [], lines: [] };
      sections.push(current);
    } else if (current) {
      current.settings.push({ index, text, words });
      current.lines.push(text);
    }
  });
  return sections;
}

/** The section each line number belongs to (undefined before the first section). */
export function sectionOfLine(sections: HaproxySection[]): (index: number) => HaproxySection | undefined {
  return (index) => {
    let found: HaproxySection | undefined;
    for (const s of sections) if (s.index <= index) found = s;
    return found;
  };
}

export interface HaproxyBind {
  frontend: string;
  address: string;
  port: number;
  tls: boolean;
  clientCa: boolean;
  /** The words after `bind ADDR:PORT`. */
  options: string[];
  index: number;
}

export function haproxyBinds(cfg: string): HaproxyBind[] {
  const binds: HaproxyBind[] = [];
  for (const s of haproxySections(cfg).filter((x) => x.kind === "frontend" || x.kind === "listen")) {
    for (const l of s.settings.filter((x) => x.words[0] === "bind")) {
      const [, endpoint, ...opts] = l.words;
      const i = endpoint.lastIndexOf(":");
      binds.push({
        frontend: s.name,
        address: endpoint.slice(0, i),
        port: Number(endpoint.slice(i + 1)),
        tls: opts.includes("ssl") && opts.includes("crt"),
        clientCa: opts.includes("ca-file"),
        options: opts,
        index: l.index,
      });
    }
  }
  return binds;
}

/** Binds reachable from outside the container (not loopback). */
export function publicBinds(cfg: string): HaproxyBind[] {
  return haproxyBinds(cfg).filter((b) => !/^(127\.|localhost$|\[?::1\]?$)/.test(b.address));
}

/** How web-service requests (/ws/) are treated by the frontends that serve the public binds. */
export interface WebServiceGuards {
  /** Every /ws/ request is refused. */
  deniedOutright: boolean;
  clientCertificate: boolean;
  ipAllowList: boolean;
  basicAuth: boolean;
}

export function webServiceGuards(cfg: string, frontend = "https"): WebServiceGuards {
  const s = haproxySections(cfg).find((x) => x.kind === "frontend" && x.name === frontend);
  const lines = s?.lines ?? [];
  const has = (re: RegExp) => lines.some((l) => re.test(l));
  return {
    deniedOutright: has(/^http-request deny\b.*\bif web_service$/),
    clientCertificate: has(/^http-request deny\b.*\bif web_service !\{ ssl_c_used \}/) && has(/^http-request deny\b.*\bif web_service !\{ ssl_c_verify 0 \}/),
    ipAllowList: has(/^http-request deny\b.*\bif web_service !allowed_source$/) && has(/^acl allowed_source src -f \S+/),
    basicAuth: has(/^http-request auth\b.*\bif web_service !\{ http_auth\(\S+\) \}/),
  };
}

/** The allow-list file an `acl allowed_source src -f <path>` line names. */
export function allowListPath(cfg: string): string | undefined {
  for (const s of haproxySections(cfg)) {
    for (const l of s.lines) {
      const m = /^acl allowed_source src -f (\S+)/.exec(l);
      if (m) return m[1];
    }
  }
  return undefined;
}

export interface BackendHealth {
  backend: string;
  intervalMs: number | undefined;
  fall: number | undefined;
  /** Servers without `check` (or `track` of a checked server) are never taken out of the pool. */
  uncheckedServers: string[];
  servers: string[];
}

function durationMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(v);
  if (!m) return undefined;
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }[(m[2] ?? "ms") as "ms"];
  return Number(m[1]) * unit;
}

/** Health-check timing of every backend: `default-server inter X fall N`, overridden per server. */
export function backendHealth(cfg: string): BackendHealth[] {
  return haproxySections(cfg)
    .filter((s) => s.kind === "backend")
    .filter((s) => s.settings.some((l) => l.words[0] === "server"))
    .map((s) => {
      const opt = (words: string[] | undefined, key: string) => {
        const i = (words ?? []).indexOf(key);
        return i >= 0 ? words![i + 1] : undefined;
      };
      const def = s.settings.find((l) => l.words[0] === "default-server")?.words;
      const servers = s.settings.filter((l) => l.words[0] === "server").map((l) => l.words);
      // The slowest server decides how long a dead line may stay in the pool.
      let intervalMs = durationMs(opt(def, "inter")) ?? 2000; // HAProxy's default inter is 2s
      let fall = Number(opt(def, "fall") ?? 3); // and fall 3
      for (const w of servers) {
        intervalMs = Math.max(intervalMs, durationMs(opt(w, "inter")) ?? intervalMs);
        fall = Math.max(fall, Number(opt(w, "fall") ?? fall));
      }
      return {
        backend: s.name,
        intervalMs,
        fall,
        servers: servers.map((w) => w[1]),
        // `track B/S` follows S's checks (a balancing route's servers); S itself is judged in its own backend
        uncheckedServers: servers.filter((w) => !w.includes("check") && !w.includes("track")).map((w) => w[1]),
      };
    });
}

export interface HaproxyServerLine {
  backend: string;
  server: string;
  address: string;
  port: number;
}

/** The address:port of every `server` line, by backend/server name. */
export function haproxyServers(cfg: string): HaproxyServerLine[] {
  const out: HaproxyServerLine[] = [];
  for (const s of haproxySections(cfg).filter((x) => x.kind === "backend" || x.kind === "listen")) {
    for (const l of s.settings.filter((x) => x.words[0] === "server")) {
      const m = /^([^\s:]+):(\d+)$/.exec(l.words[2] ?? "");
      if (m) out.push({ backend: s.name, server: l.words[1], address: m[1], port: Number(m[2]) });
    }
  }
  return out;
}

/** The userlist's (first) user name, if the config has basic auth. */
export function basicAuthUser(cfg: string): string | undefined {
  for (const s of haproxySections(cfg).filter((x) => x.kind === "userlist")) {
    const u = s.settings.find((l) => l.words[0] === "user" && l.words[2] === "password");
    if (u) return u.words[1];
  }
  return undefined;
}

/** `stats socket PATH` of the global section. */
export function adminSocketPath(cfg: string): string | undefined {
  const g = haproxySections(cfg).find((s) => s.kind === "global");
  return g?.settings.find((l) => l.words[0] === "stats" && l.words[1] === "socket")?.words[2];
}
