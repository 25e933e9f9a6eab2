/**
 * Reads back the haproxy.cfg that components/render/haproxyConfig.ts renders and the entry-point
 * container uploads: policies judge the text that is deployed, not the arguments it came from.
 */
export interface HaproxySection {
  kind: string;
  name: string;
  lines: string[];
}

export function haproxySections(cfg: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  let current: HaproxySection | undefined;
  for (const raw of cfg.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    if (!/^\s/.test(raw)) {
      const [kind, name = ""] = line.split(/\s+/);
      current = { kind, name, lines: [] };
      sections.push(current);
    } else if (current) {
      current.lines.push(line);
    }
  }
  return sections;
}

export interface HaproxyBind {
  frontend: string;
  address: string;
  port: number;
  tls: boolean;
  clientCa: boolean;
}

export function haproxyBinds(cfg: string): HaproxyBind[] {
  const binds: HaproxyBind[] = [];
  for (const s of haproxySections(cfg).filter((x) => x.kind === "frontend" || x.kind === "listen")) {
    for (const l of s.lines.filter((x) => x.startsWith("bind "))) {
      const [, endpoint, ...opts] = l.split(/\s+/);
      const i = endpoint.lastIndexOf(":");
      binds.push({
        frontend: s.name,
        address: endpoint.slice(0, i),
        port: Number(endpoint.slice(i + 1)),
        tls: opts.includes("ssl") && opts.includes("crt"),
        clientCa: opts.includes("ca-file"),
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
  /** Servers without `check` are never taken out of the pool. */
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
    .filter((s) => s.lines.some((l) => l.startsWith("server ")))
    .map((s) => {
      const opt = (line: string | undefined, key: string) => {
        const words = line?.split(/\s+/) ?? [];
        const i = words.indexOf(key);
        return i >= 0 ? words[i + 1] : undefined;
      };
      const def = s.lines.find((l) => l.startsWith("default-server "));
      const servers = s.lines.filter((l) => l.startsWith("server "));
      // The slowest server decides how long a dead line may stay in the pool.
      let intervalMs = durationMs(opt(def, "inter")) ?? 2000; // HAProxy's default inter is 2s
      let fall = Number(opt(def, "fall") ?? 3); // and fall 3
      for (const l of servers) {
        intervalMs = Math.max(intervalMs, durationMs(opt(l, "inter")) ?? intervalMs);
        fall = Math.max(fall, Number(opt(l, "fall") ?? fall));
      }
      return {
        backend: s.name,
        intervalMs,
        fall,
        servers: servers.map((l) => l.split(/\s+/)[1]),
        uncheckedServers: servers.filter((l) => !l.split(/\s+/).includes("check")).map((l) => l.split(/\s+/)[1]),
      };
    });
}
