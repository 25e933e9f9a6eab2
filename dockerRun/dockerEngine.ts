import { spawn } from "child_process";
import * as http from "http";
import * as net from "net";
import { Duplex } from "stream";

/**
 * Where the Engine API is: the local socket, `unix:///path`, `tcp://host:port` (plain HTTP, as the Docker
 * CLI without TLS), or `ssh://user@host` (the API over `ssh … docker system dial-stdio`, as the Docker CLI
 * and the Pulumi Docker provider do for `docker:host ssh://…`).
 */
export type DockerEndpoint = { socketPath: string } | { host: string; port: number } | { ssh: string };

export function parseDockerHost(dockerHost: string | undefined): DockerEndpoint {
  if (!dockerHost) return { socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" };
  const m = /^(unix|tcp|ssh):\/\/(.+)$/.exec(dockerHost);
  if (!m) throw new Error(`docker:host: '${dockerHost}' is not a Docker host (allowed: unix:///path, tcp://host:port, ssh://[user@]host[:port])`);
  if (m[1] === "unix") return { socketPath: m[2].startsWith("/") ? m[2] : `/${m[2]}` };
  if (m[1] === "ssh") return { ssh: m[2] };
  const hp = /^([^:/]+):(\d+)\/?$/.exec(m[2]);
  if (!hp) throw new Error(`docker:host: '${dockerHost}' needs tcp://host:port`);
  return { host: hp[1], port: Number(hp[2]) };
}

/** A small client of the Docker Engine API (the API the Docker provider uses). */
export class DockerEngine {
  readonly endpoint: DockerEndpoint;

  /** `where`: a unix socket path (the former signature) or a DockerEndpoint. */
  constructor(
    where: string | DockerEndpoint = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock",
    readonly version = "v1.41",
  ) {
    this.endpoint = typeof where === "string" ? { socketPath: where } : where;
  }

  /** The engine of a `docker:host` value (absent: the local socket). */
  static forHost(dockerHost: string | undefined): DockerEngine {
    return new DockerEngine(parseDockerHost(dockerHost));
  }

  /** Connection options for http.request (also used by the exec stream, which upgrades the connection). */
  connectOptions(): http.RequestOptions {
    const e = this.endpoint;
    if ("socketPath" in e) return { socketPath: e.socketPath };
    if ("host" in e) return { host: e.host, port: e.port };
    const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(e.ssh);
    if (!m) throw new Error(`docker:host: 'ssh://${e.ssh}' is not [user@]host[:port]`);
    return {
      host: m[2],
      createConnection: () => sshDialStdio(e.ssh) as unknown as net.Socket,
    };
  }

  request<T = any>(method: string, path: string, body?: unknown, raw?: { data: Buffer; type: string }): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const data = raw ? raw.data : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          ...this.connectOptions(),
          method,
          path: `/${this.version}${path}`,
          headers: data ? { "Content-Type": raw ? raw.type : "application/json", "Content-Length": data.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* logs and archives are not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      if (data) req.write(data);
      req.end();
    });
  }

  async ok<T = any>(method: string, path: string, body?: unknown, raw?: { data: Buffer; type: string }): Promise<T> {
    const r = await this.request<T>(method, path, body, raw);
    if (r.status >= 300) throw new Error(`docker ${method} ${path}: ${r.status} ${typeof r.body === "object" ? (r.body as any)?.message : r.body}`);
    return r.body;
  }
}

/** `ssh [-p port] [user@]host docker system dial-stdio` as a duplex stream carrying the Engine API. */
function sshDialStdio(target: string): Duplex {
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(target)!;
  const child = spawn(
    "ssh",
    [...(m[3] ? ["-p", m[3]] : []), "-o", "BatchMode=yes", "--", `${m[1] ? `${m[1]}@` : ""}${m[2]}`, "docker", "system", "dial-stdio"],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const stream = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  stream.on("close", () => child.kill());
  return stream;
}
