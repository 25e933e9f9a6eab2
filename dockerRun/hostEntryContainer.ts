/**
 * One host's HTTPS entry as a container on that host's Docker engine (docs/hosts.md, "The per-host HTTPS
 * entry"): HAProxy in master-worker mode on the host's network — the port is bound on the host itself, so
 * the entry sees each client's own address (a published port reached through docker-proxy would show the
 * bridge's) and reaches the customers' gateways on 127.0.0.1. Its haproxy.cfg is put in through the Engine
 * API; a changed configuration is checked with `haproxy -c` inside the container, then loaded by a graceful
 * reload (SIGUSR2 to the master: the new worker takes the listeners over, the old one finishes its
 * connections); an unchanged one is left alone.
 */
import * as http from "http";
import { DockerEngine } from "./dockerEngine";
import { dockerExec } from "./dockerExec";
import { tarArchive } from "./tarArchive";

export const HOST_ENTRY_CONFIG_DIR = "/usr/local/etc/haproxy";
export const HOST_ENTRY_CONFIG = `${HOST_ENTRY_CONFIG_DIR}/haproxy.cfg`;
const CANDIDATE = `${HOST_ENTRY_CONFIG_DIR}/haproxy.next.cfg`;
export const HOST_ENTRY_ROLE = "host-entry";

export interface HostEntryContainer {
  /** Container name (lchost-entry-<host>). */
  name: string;
  image: string;
  /** Where the entry listens on the host (the health check connects there). */
  bind: { address: string; port: number };
  /** haproxy.cfg as renderHostEntryConfig rendered it. */
  config: string;
  /** Labels naming the host it serves. */
  labels?: Record<string, string>;
}

export type HostEntryAction = "created" | "recreated" | "reloaded" | "unchanged";

const q = encodeURIComponent;

/** The one regular file of a tar stream as the Engine API returns it (GET /containers/{id}/archive). */
export function fileOfTar(tar: Buffer): Buffer | undefined {
  if (tar.length < 512) return undefined;
  const size = parseInt(tar.subarray(124, 136).toString("latin1").replace(/\0.*$/, "").trim() || "0", 8);
  return tar.subarray(512, 512 + size);
}

async function readFile(docker: DockerEngine, container: string, file: string): Promise<string | undefined> {
  const raw = await rawRequest(docker, "GET", `/containers/${q(container)}/archive?path=${q(file)}`);
  if (raw.status !== 200) return undefined;
  return fileOfTar(raw.body)?.toString("utf8");
}

/** An Engine API request whose answer is kept as bytes (an archive). */
function rawRequest(docker: DockerEngine, method: string, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...docker.connectOptions(), method, path: `/${docker.version}${path}`, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error(`docker ${method} ${path}: no answer within 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

async function putFile(docker: DockerEngine, container: string, file: string, content: string): Promise<void> {
  const tar = tarArchive([{ path: file, content, mode: 0o644 }]);
  await docker.ok("PUT", `/containers/${q(container)}/archive?path=/`, undefined, { data: tar, type: "application/x-tar" });
}

async function logsSince(docker: DockerEngine, container: string, since: number): Promise<string> {
  const r = await rawRequest(docker, "GET", `/containers/${q(container)}/logs?stdout=1&stderr=1&since=${since}`);
  return r.body.toString("latin1");
}

/** The printable lines of a multiplexed log (each frame's 8-byte header dropped with the other control bytes). */
const readableLog = (text: string) => [...text].filter((c) => c === "\n" || c >= " ").join("");

const count = (text: string, what: string) => text.split(what).length - 1;

/**
 * Loads a new configuration into the running entry: checked first (`haproxy -c` on a candidate file in the
 * container: a configuration that does not load changes nothing), then put in place and the master
 * signalled; resolves once the master logs the new worker's "Loading success.". The logs are read from a
 * second before the signal on (not a tail, which a busy entry's connection log would push the line out of).
 */
export async function reloadHostEntry(docker: DockerEngine, name: string, config: string, timeoutMs = 30_000): Promise<void> {
  await putFile(docker, name, CANDIDATE, config);
  try {
    await dockerExec(docker, name, ["haproxy", "-c", "-q", "-f", CANDIDATE]);
  } catch (e) {
    throw new Error(`${name}: the new configuration does not pass haproxy -c; the entry keeps serving the old one: ${(e as Error).message}`);
  }
  await putFile(docker, name, HOST_ENTRY_CONFIG, config);
  const since = Math.floor(Date.now() / 1000) - 1;
  const before = await logsSince(docker, name, since);
  await docker.ok("POST", `/containers/${q(name)}/kill?signal=SIGUSR2`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await logsSince(docker, name, since);
    if (count(now, "Loading failure") > count(before, "Loading failure"))
      throw new Error(`${name}: HAProxy did not load the new configuration (the old one keeps serving)`);
    if (count(now, "Loading success.") > count(before, "Loading success.")) return;
    if (Date.now() > deadline) throw new Error(`${name}: HAProxy did not confirm the reload within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Engine API create body of the entry container. */
export function hostEntryContainerBody(want: HostEntryContainer): Record<string, unknown> {
  const probe = `exec 3<>/dev/tcp/${want.bind.address}/${want.bind.port}`;
  return {
    Image: want.image,
    // root only to bind the host's port 443; the rendered config switches the workers to haproxy (dropPrivilegesTo)
    User: "root",
    Cmd: ["haproxy", "-W", "-db", "-f", HOST_ENTRY_CONFIG],
    Labels: { ...want.labels, "lchost.role": HOST_ENTRY_ROLE, "lchost.entry.bind": `${want.bind.address}:${want.bind.port}` },
    Healthcheck: { Test: ["CMD", "bash", "-c", probe], Interval: 3e9, Timeout: 3e9, Retries: 3, StartPeriod: 30e9 },
    HostConfig: { NetworkMode: "host", RestartPolicy: { Name: "unless-stopped" }, Memory: 256 * 1024 * 1024, CpuShares: 512 },
  };
}

/** Waits until the container's health check passes; a container that stops or turns unhealthy is an error with its log. */
async function waitHealthy(docker: DockerEngine, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await docker.ok("GET", `/containers/${q(name)}/json`);
    const health = info.State?.Health?.Status;
    if (health === "healthy") return;
    if (!info.State?.Running || health === "unhealthy" || Date.now() > deadline) {
      const logs = readableLog(await logsSince(docker, name, 0)).slice(-1500);
      const why = !info.State?.Running
        ? `exited with ${info.State?.ExitCode}`
        : health === "unhealthy"
          ? "is unhealthy"
          : `is not healthy within ${timeoutMs} ms`;
      throw new Error(`${name}: the host entry ${why}: ${logs.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Brings the entry container to `want`: created when absent; recreated when its image or bind differ or it
 * does not run; otherwise reloaded when its configuration differs, and left alone when it is the same.
 */
export async function ensureHostEntry(docker: DockerEngine, want: HostEntryContainer, timeoutMs = 60_000): Promise<HostEntryAction> {
  const r = await docker.request("GET", `/containers/${q(want.name)}/json`);
  if (r.status !== 404 && r.status >= 300) throw new Error(`docker GET /containers/${want.name}/json: ${r.status} ${r.body?.message ?? ""}`);
  const info = r.status === 404 ? undefined : r.body;
  const sameContainer =
    info?.State?.Running && info.Config?.Image === want.image && info.Config?.Labels?.["lchost.entry.bind"] === `${want.bind.address}:${want.bind.port}`;
  if (sameContainer) {
    if ((await readFile(docker, want.name, HOST_ENTRY_CONFIG)) === want.config) return "unchanged";
    await reloadHostEntry(docker, want.name, want.config, timeoutMs);
    return "reloaded";
  }
  if (info) await docker.ok("DELETE", `/containers/${q(want.name)}?force=1`);
  await docker.ok("POST", `/containers/create?name=${q(want.name)}`, hostEntryContainerBody(want));
  await putFile(docker, want.name, HOST_ENTRY_CONFIG, want.config);
  await docker.ok("POST", `/containers/${q(want.name)}/start`);
  await waitHealthy(docker, want.name, timeoutMs);
  return info ? "recreated" : "created";
}

/** Removes the entry container of a host that has no customers left; false when there was none. */
export async function removeHostEntry(docker: DockerEngine, name: string): Promise<boolean> {
  const r = await docker.request("DELETE", `/containers/${q(name)}?force=1`);
  if (r.status === 404) return false;
  if (r.status >= 300) throw new Error(`docker DELETE /containers/${name}: ${r.status} ${r.body?.message ?? ""}`);
  return true;
}
