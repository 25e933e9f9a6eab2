/** Helpers for the services suite: start real emulators and License Central lines on loopback. */
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import * as mysql from "mysql2/promise";
import pino from "pino";
import { buildFsbApp, FsbApp } from "../../fsb-emulator/src/app";
import { canonicalJson } from "../../service-kit/src/canonicalJson";
import { parseFsbConfig } from "../../fsb-emulator/src/config";
import { createLogger as createFsbLogger } from "../../fsb-emulator/src/logger";
import { buildLcApps, LcApps } from "../../license-central/src/app";
import { parseLcConfig } from "../../license-central/src/config";
import { createLogger as createLcLogger } from "../../license-central/src/logger";
import { createTestDatabase, testDbSettings } from "./mariadbServer";

/** Captures pino JSON lines in memory. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    cb();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

export interface Resp {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(
  base: string,
  method: string,
  urlPath: string,
  opts: { json?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Resp> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  if (opts.raw !== undefined) body = opts.raw;
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const res = await fetch(base + urlPath, { method, headers, body });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * Sends exactly these bytes as one HTTP/1.1 request (no client-side URL normalisation: fetch and http.request
 * would resolve dot segments or refuse some targets) and reads the answer until the server closes.
 */
export function rawHttp(base: string, method: string, target: string | Buffer, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<Resp> {
  const u = new URL(base);
  const headers = { host: u.host, connection: "close", ...(opts.headers ?? {}) };
  if (opts.body !== undefined) (headers as Record<string, string>)["content-length"] = String(Buffer.byteLength(opts.body));
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const bytes = Buffer.concat([
    Buffer.from(`${method} `),
    Buffer.isBuffer(target) ? target : Buffer.from(target, "latin1"),
    Buffer.from(` HTTP/1.1\r\n${head}\r\n${opts.body ?? ""}`),
  ]);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    sock.setTimeout(30_000, () => sock.destroy(new Error("rawHttp: no answer within 30 s")));
    sock.on("data", (c) => chunks.push(c));
    sock.on("error", reject);
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return reject(new Error(`rawHttp: no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const split = text.indexOf("\r\n\r\n");
      const h = new Headers();
      for (const line of text.slice(0, split).split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      let body = text.slice(split + 4);
      if (/chunked/i.test(h.get("transfer-encoding") ?? "")) {
        let out = "";
        let rest = body;
        for (;;) {
          const nl = rest.indexOf("\r\n");
          const n = parseInt(rest.slice(0, nl), 16);
          if (!n) break;
          out += rest.slice(nl + 2, nl + 2 + n);
          rest = rest.slice(nl + 2 + n + 2);
        }
        body = out;
      }
      let parsed: any;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      resolve({ status: Number(m[1]), headers: h, body: parsed, text: body });
    });
    sock.write(bytes);
  });
}

export function verifySignature(update: unknown, signatureB64: string, publicKeyPem: string): boolean {
  return crypto.verify(null, Buffer.from(canonicalJson(update)), publicKeyPem, Buffer.from(signatureB64, "base64"));
}

export interface RunningFsb extends FsbApp {
  url: string;
  dataDir: string;
  logs: LogCapture;
  stop(): Promise<void>;
}

export const FIRM_A = { code: "ACME", token: "acme-token-0123456789" };
export const FIRM_B = { code: "BETA", token: "beta-token-9876543210" };

export async function startFsb(env: Record<string, string> = {}, dataDir?: string): Promise<RunningFsb> {
  // under the suite MariaDB's temp dir, which the global teardown removes
  const dir = dataDir ?? fs.mkdtempSync(path.join(process.env.LCHOST_TEST_DB_BASEDIR ?? os.tmpdir(), "fsb-"));
  const config = parseFsbConfig({
    FSB_DATA_DIR: dir,
    FSB_FIRM_TOKENS: `${FIRM_A.code}=${FIRM_A.token},${FIRM_B.code}=${FIRM_B.token}`,
    LOG_LEVEL: "info",
    // Generous database deadlines: the tests race tens of requests on one quota or ticket row through a pool
    // of 10, and with the defaults (1 s pool wait, 3 s per statement) a loaded machine may answer some of them
    // 503 LC_DB_TIMEOUT — right in production, not what those tests check. (The 503s CI once saw, 39 of 50
    // activations and later 50 of 50 calls, were a pool starvation in the quota admission, fixed since:
    // licenseCentralHardQuota's pool-of-one test.) A test of the deadlines themselves sets its own (licenseCentralDatabaseFrozen).
    DB_ACQUIRE_TIMEOUT_MS: "20000",
    DB_QUERY_TIMEOUT_MS: "20000",
    ...env,
  });
  const logs = new LogCapture();
  const fsb = buildFsbApp(config, { logger: createFsbLogger(config.logLevel, logs) });
  await fsb.app.listen({ port: 0, host: "127.0.0.1" });
  const addr = fsb.app.server.address() as { port: number };
  return { ...fsb, url: `http://127.0.0.1:${addr.port}`, dataDir: dir, logs, stop: () => fsb.app.close() };
}

export interface RunningLc {
  lc: LcApps;
  publicUrl: string;
  adminUrl: string;
  database: string;
  logs: LogCapture;
  adminToken: string;
  wsToken: string;
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = "admin-token-abcdefgh";
export const WS_TOKEN = "ws-token-abcdefgh";

/**
 * Creates a fresh database and a dedicated MariaDB user for it (the service never runs as root),
 * then starts one License Central line (public + admin port on 127.0.0.1) against it.
 */
export async function createLcDatabase(): Promise<{ database: string; user: string; password: string }> {
  const database = await createTestDatabase("lc");
  const user = `u${crypto.randomBytes(6).toString("hex")}`;
  const password = crypto.randomBytes(12).toString("hex");
  const conn = await mysql.createConnection(testDbSettings());
  try {
    await conn.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await conn.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${user}'@'127.0.0.1'`);
  } finally {
    await conn.end();
  }
  return { database, user, password };
}

export async function startLc(
  fsbUrl: string,
  env: Record<string, string> = {},
  opts: { now?: () => Date; db?: { database: string; user: string; password: string; host?: string; port?: number } } = {},
): Promise<RunningLc> {
  const db = opts.db ?? (await createLcDatabase());
  const settings = testDbSettings();
  const config = parseLcConfig({
    LC_PORT: "0",
    LC_ADMIN_PORT: "0",
    LC_HOST: "127.0.0.1",
    LC_ADMIN_TOKEN: ADMIN_TOKEN,
    LC_WEB_SERVICES: "true",
    LC_WS_TOKEN: WS_TOKEN,
    DB_HOST: db.host ?? settings.host,
    DB_PORT: String(db.port ?? settings.port),
    DB_NAME: db.database,
    DB_USER: db.user,
    DB_PASSWORD: db.password,
    FSB_URL: fsbUrl,
    FSB_FIRM_CODE: FIRM_A.code,
    FSB_TOKEN: FIRM_A.token,
    LOG_LEVEL: "info",
    // Generous database deadlines: the tests race tens of requests on one quota or ticket row through a pool
    // of 10, and with the defaults (1 s pool wait, 3 s per statement) a loaded machine may answer some of them
    // 503 LC_DB_TIMEOUT — right in production, not what those tests check. (The 503s CI once saw, 39 of 50
    // activations and later 50 of 50 calls, were a pool starvation in the quota admission, fixed since:
    // licenseCentralHardQuota's pool-of-one test.) A test of the deadlines themselves sets its own (licenseCentralDatabaseFrozen).
    DB_ACQUIRE_TIMEOUT_MS: "20000",
    DB_QUERY_TIMEOUT_MS: "20000",
    ...env,
  });
  const logs = new LogCapture();
  const lc = buildLcApps(config, { logger: createLcLogger(config.logLevel, logs), now: opts.now });
  await lc.migrate();
  await lc.publicApp.listen({ port: 0, host: "127.0.0.1" });
  await lc.adminApp.listen({ port: 0, host: "127.0.0.1" });
  const p = (lc.publicApp.server.address() as { port: number }).port;
  const a = (lc.adminApp.server.address() as { port: number }).port;
  return {
    lc,
    publicUrl: `http://127.0.0.1:${p}`,
    adminUrl: `http://127.0.0.1:${a}`,
    database: db.database,
    logs,
    adminToken: ADMIN_TOKEN,
    wsToken: WS_TOKEN,
    stop: () => lc.close(),
  };
}

/** Root connection to a test database, to look at what the service wrote. */
export async function inspect<T = any>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await mysql.createConnection({ ...testDbSettings(), database });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

export { pino };
