/**
 * Issue 15.6: timeouts towards the database. A database that stops answering (frozen with SIGSTOP: TCP
 * still accepts, nothing answers) must not hang License Central: /readyz answers 503 within 1 s, so the
 * balancer takes the line out, and requests fail fast with 503 + Retry-After. Before, /readyz and every
 * request waited for as long as the database was frozen. Runs on its own throw-away MariaDB.
 */
import * as crypto from "crypto";
import * as mysql from "mysql2/promise";
import { startThrowawayMariadb, ThrowawayMariadb } from "../../../sandbox/mariadbProcess";
import { call, RunningFsb, RunningLc, startFsb, startLc } from "../../support/services";

jest.setTimeout(120_000);

const ITEMS = [{ productCode: 1001, quantity: 1 }];

let db: ThrowawayMariadb;
let fsb: RunningFsb;
let lc: RunningLc;
let frozen = false;
const freeze = () => {
  process.kill(db.pid, "SIGSTOP");
  frozen = true;
};
const thaw = () => {
  if (frozen) process.kill(db.pid, "SIGCONT");
  frozen = false;
};

beforeAll(async () => {
  db = await startThrowawayMariadb({ baseDir: `${process.env.LCHOST_TEST_DB_BASEDIR ?? "/tmp"}/frozen-${process.pid}` });
  const password = crypto.randomBytes(12).toString("hex");
  const root = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });
  await root.query("CREATE DATABASE lc_frozen");
  await root.query(`CREATE USER 'lc'@'127.0.0.1' IDENTIFIED BY '${password}'`);
  await root.query("GRANT ALL PRIVILEGES ON lc_frozen.* TO 'lc'@'127.0.0.1'");
  await root.end();
  fsb = await startFsb();
  lc = await startLc(
    fsb.url,
    { DB_ACQUIRE_TIMEOUT_MS: "500", DB_QUERY_TIMEOUT_MS: "1000", DB_CONNECT_TIMEOUT_MS: "1000" },
    { db: { database: "lc_frozen", user: "lc", password, host: db.host, port: db.port } },
  );
});
afterAll(async () => {
  thaw();
  await lc?.stop();
  await fsb?.stop();
  await db?.stop();
});
afterEach(thaw);

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await p;
  return { value, ms: Date.now() - t0 };
}

describe("License Central when its database stops answering", () => {
  test("/readyz answers 503 within 1 s, requests fail with 503 + Retry-After within their deadlines, and it recovers when the database answers again", async () => {
    const ticket = (await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "FZ-1", items: ITEMS }, token: lc.wsToken })).body.ticket;
    expect((await call(lc.publicUrl, "POST", `/depot/v1/tickets/${ticket}/activations`, { json: { container: "3-1", idempotencyKey: "fz-1" } })).status).toBe(
      201,
    );
    expect((await call(lc.publicUrl, "GET", "/readyz")).status).toBe(200);

    freeze();
    const ready = await timed(call(lc.publicUrl, "GET", "/readyz"));
    expect(ready.value.status).toBe(503);
    expect(ready.value.body).toMatchObject({ status: "not_ready", database: expect.stringMatching(/^unreachable/) });
    expect(ready.ms).toBeLessThan(1000);

    // 30 concurrent writes: each answered 503 with Retry-After, none waits longer than acquire + statement deadlines (+ slack for a loaded machine)
    const writes = await timed(
      Promise.all(
        Array.from({ length: 30 }, (_, i) => call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: `FZ-w${i}`, items: ITEMS }, token: lc.wsToken })),
      ),
    );
    for (const r of writes.value) {
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("1");
      expect(r.body).toMatchObject({ error: "database_unavailable" });
    }
    expect(writes.ms).toBeLessThan(4000);
    const view = await timed(call(lc.adminUrl, "GET", `/admin/v1/tickets/${ticket}`, { token: lc.adminToken }));
    expect(view.value.status).toBe(503);
    expect(view.ms).toBeLessThan(3000);
    const readyAgain = await timed(call(lc.publicUrl, "GET", "/readyz"));
    expect(readyAgain.value.status).toBe(503);
    expect(readyAgain.ms).toBeLessThan(1000);

    thaw();
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await call(lc.publicUrl, "GET", "/readyz")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await call(lc.publicUrl, "POST", "/ws/v1/tickets", { json: { orderId: "FZ-2", items: ITEMS }, token: lc.wsToken })).status).toBe(201);
  });
});
