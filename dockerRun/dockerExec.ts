import * as http from "http";
import * as net from "net";
import { PassThrough, Readable, Writable } from "stream";
import { DockerEngine } from "./dockerEngine";

/**
 * Running a command inside a container through the Engine API (what `docker exec -i` does): create the
 * exec, start it on a hijacked connection, write stdin raw, read stdout/stderr from the engine's
 * multiplexed frames (8-byte header: stream, 0, 0, 0, size). Nothing is published and no tool is needed on
 * the machine running lchost: admin calls, dumps and restores all reach the containers this way.
 */
export interface ExecStream {
  stdout: Readable;
  stderr: Readable;
  /** Raw stdin; end() closes the command's stdin. */
  stdin: Writable;
  /** Resolves with the exit code once the command has finished. */
  exitCode: Promise<number>;
  destroy(): void;
}

export async function openExec(docker: DockerEngine, container: string, cmd: string[], opts: { env?: string[]; stdin?: boolean } = {}): Promise<ExecStream> {
  const created = await docker.ok<{ Id: string }>("POST", `/containers/${encodeURIComponent(container)}/exec`, {
    AttachStdin: opts.stdin ?? false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Cmd: cmd,
    Env: opts.env ?? [],
  });
  const body = Buffer.from(JSON.stringify({ Detach: false, Tty: false }));
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const req = http.request({
      ...docker.connectOptions(),
      method: "POST",
      path: `/${docker.version}/exec/${created.Id}/start`,
      headers: { "Content-Type": "application/json", "Content-Length": body.length, Connection: "Upgrade", Upgrade: "tcp" },
    });
    req.on("upgrade", (_res, sock, head) => {
      if (head.length) sock.unshift(head);
      resolve(sock);
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => reject(new Error(`docker exec in ${container}: ${res.statusCode} ${text.trim()}`)));
    });
    req.on("error", reject);
    req.end(body);
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const payload = pending.subarray(8, 8 + size);
      (pending[0] === 2 ? stderr : stdout).write(payload);
      pending = pending.subarray(8 + size);
    }
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", (e) => stdout.destroy(e));
  const exitCode = closed.then(async () => {
    stdout.end();
    stderr.end();
    // the stream closes a moment before the engine records the exit code
    for (let i = 0; i < 50; i++) {
      const info = await docker.ok("GET", `/exec/${created.Id}/json`);
      if (!info.Running && info.ExitCode !== null) return Number(info.ExitCode);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`docker exec in ${container}: no exit code`);
  });
  return { stdout, stderr, stdin: socket, exitCode, destroy: () => socket.destroy() };
}

/**
 * Runs a command to completion: stdin from a stream (or nothing), stdout into `stdout` (or collected).
 * Rejects with the command's stderr when it exits non-zero; secrets go through `env`, never `cmd`.
 */
export async function dockerExec(
  docker: DockerEngine,
  container: string,
  cmd: string[],
  opts: { env?: string[]; stdin?: Readable | string; stdout?: Writable } = {},
): Promise<{ stdout: string; stderr: string }> {
  const ex = await openExec(docker, container, cmd, { env: opts.env, stdin: opts.stdin !== undefined });
  const out: Buffer[] = [];
  let err = "";
  ex.stderr.on("data", (d) => (err += d.toString()));
  const wrote = opts.stdout
    ? new Promise<void>((resolve, reject) => ex.stdout.pipe(opts.stdout!).on("finish", resolve).on("error", reject))
    : Promise.resolve();
  if (!opts.stdout) ex.stdout.on("data", (d) => out.push(d));
  if (typeof opts.stdin === "string") ex.stdin.end(opts.stdin);
  else if (opts.stdin) opts.stdin.pipe(ex.stdin);
  const code = await ex.exitCode;
  await wrote;
  if (code !== 0) throw new Error(`${cmd[0]} in ${container} exited with ${code}: ${err.trim().slice(-2000)}`);
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: err };
}

/**
 * A local TCP port whose connections are carried by `docker exec` into `container`, where node connects
 * to host:port: the admin API of a line (127.0.0.1:8081 inside it) or a database reachable from it, without
 * publishing either. One exec per connection, started ahead of time: `spares` execs wait in the container
 * (node already running, not yet connected) and a new connection takes one and writes a go byte, so the
 * cost of starting a process in the container — seconds on a loaded host — is not paid when a connection is
 * needed (inside a maintenance window). Closed with close().
 */
export class ExecTunnel {
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly describe: string,
    private readonly pool: { spares: Array<Promise<ExecStream>>; closed: boolean },
  ) {}

  static async open(docker: DockerEngine, container: string, host: string, port: number, opts: { spares?: number } = {}): Promise<ExecTunnel> {
    // waits for the go byte, then connects (a database speaks first: an early connection would time out idle)
    const js =
      `process.stdin.once("data",(b)=>{const s=require("net").connect(${port},${JSON.stringify(host)});` +
      `if(b.length>1)s.write(b.subarray(1));process.stdin.pipe(s);s.pipe(process.stdout);` +
      `s.on("error",e=>{process.stderr.write(String(e));process.exit(1)});s.on("close",()=>process.exit(0));process.stdin.on("end",()=>s.end())})`;
    const pool = { spares: [] as Array<Promise<ExecStream>>, closed: false };
    const exited = new WeakSet<ExecStream>();
    const spawn = () => {
      const ex = openExec(docker, container, ["node", "-e", js], { stdin: true });
      ex.then(
        (e) => {
          e.stdin.on("error", () => undefined); // the container went away: the exec's socket closes
          e.exitCode.catch(() => undefined).finally(() => exited.add(e));
        },
        () => undefined, // a spare that failed to start is replaced by a fresh exec when taken
      );
      return ex;
    };
    /** A spare that still waits for its go byte, or a fresh exec. */
    const take = async (): Promise<ExecStream> => {
      while (pool.spares.length) {
        const e = await pool.spares.shift()!.catch(() => undefined);
        if (e && !exited.has(e) && !e.stdin.destroyed) return e;
      }
      return spawn();
    };
    const want = opts.spares ?? 2;
    const refill = () => {
      while (!pool.closed && pool.spares.length < want) pool.spares.push(spawn());
    };
    refill();
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      sockets.add(client);
      client.on("close", () => sockets.delete(client));
      client.pause();
      take()
        .finally(refill)
        .then(
          (ex) => {
            ex.stdin.write(Buffer.from([1]));
            client.pipe(ex.stdin);
            ex.stdout.pipe(client);
            client.resume();
            client.on("error", () => ex.destroy());
            client.on("close", () => ex.destroy());
            ex.exitCode.catch(() => undefined).finally(() => client.destroy());
          },
          () => client.destroy(),
        );
    });
    server.on("close", () => sockets.forEach((s) => s.destroy()));
    await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
    const bound = (server.address() as net.AddressInfo).port;
    (server as any).__sockets = sockets;
    return new ExecTunnel(server, bound, `127.0.0.1:${bound} -> ${container} -> ${host}:${port}`, pool);
  }

  async close(): Promise<void> {
    this.pool.closed = true;
    for (const spare of this.pool.spares.splice(0)) (await spare.catch(() => undefined))?.destroy();
    for (const s of (this.server as any).__sockets as Set<net.Socket>) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
