/**
 * npm run bench:portal — the status portal under load (issue 10: p99 <= 100 ms at 50 requests/s) with the
 * 150-customer generated fleet (bench/fleet.ts) and 90 days of history each, and `lchost sla report` for the
 * same 150 customers for one month (<= 5 s; bench/slaBench.ts's run, folded in).
 *
 * 1. A throw-away MariaDB (sandbox/mariadbProcess.ts) with the portal's own user and schema.
 * 2. The customers file rendered from the fleet (render/statusPortal/customersFile.ts), a random password per
 *    customer.
 * 3. History written through the portal's own store (status-portal/src/store.ts, the code the webhook and the
 *    admin API run), each customer with its own clock: incidents from alerts (alertAction of an Alertmanager
 *    alert: detected, one or two team updates, resolved) about every 3 days over 90 days, a few still open;
 *    fleet-wide incidents of the shared servers (an alert per tenant carrying shared_server); announced
 *    maintenance past and coming, per customer and for everyone; the SLA figures of each month in the window
 *    (derived from the generated outages). The 90-day bars are computed by the page from these incidents.
 * 4. The real portal process (dist/status-portal/src/main.js, configured by environment like its image), its
 *    logs at the production level (info) to a file.
 * 5. Every customer logs in through the login form (its own session); then a second process (bench/portalLoad.ts,
 *    autocannon) loads the customer pages in rotation, each with its customer's session, and then the public
 *    page, each at the same overall rate for the same time.
 *
 * Prints a table, then as the last line one JSON object {"bench":"portal", ...}. Knobs (environment):
 * PORTAL_BENCH_SECONDS (30), PORTAL_BENCH_RATE (50), PORTAL_BENCH_CONNECTIONS (10), PORTAL_BENCH_SLA_RUNS (3; 0
 * skips the SLA report), PORTAL_BENCH_PROFILE (a directory: the portal's V8 CPU profile).
 */
import { ChildProcess, fork, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { loadFleet, MonitoredCustomer } from "../model/fleet";
import { renderPortalCustomers } from "../render/statusPortal/customersFile";
import { freePort } from "../sandbox/freePort";
import { startThrowawayMariadb, stopMariadbPid, ThrowawayMariadb } from "../sandbox/mariadbProcess";
import type { AlertmanagerAlert } from "../notifier/src/alertmanagerPayload";
import { migratePortal, PortalDatabase } from "../status-portal/src/db";
import { parsePortalCustomersJson, PORTAL_ENV } from "../status-portal/src/env";
import { alertAction } from "../status-portal/src/incidentsFromAlerts";
import { hashPortalPassword } from "../status-portal/src/passwordHash";
import { PortalStore } from "../status-portal/src/store";
import { writeFleet } from "./fleet";
import type { LoadJob, LoadResult } from "./portalLoad";
import { runSlaBench, SlaBenchResult } from "./slaBench";
import { cpuSecondsOf } from "./slaFixtures";

const CUSTOMERS = 150;
const HISTORY_DAYS = 90;
const TARGET_P99_MS = 100;
const SLA_TARGET_S = 5;
const SECONDS = Number(process.env.PORTAL_BENCH_SECONDS ?? 30);
const RATE = Number(process.env.PORTAL_BENCH_RATE ?? 50);
const CONNECTIONS = Number(process.env.PORTAL_BENCH_CONNECTIONS ?? 10);
const SLA_RUNS = Number(process.env.PORTAL_BENCH_SLA_RUNS ?? 3);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Logins are not what this bench measures: a cheaper scrypt than production's N = 2^15 (verify reads N from the hash).
const BENCH_SCRYPT = { N: 4096, r: 8, p: 1 };

/** A small deterministic generator (mulberry32), one per customer: the same history every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A store whose clock the history writer sets: rows carry the times they would have had. */
function storeAt(db: PortalDatabase): { store: PortalStore; at(t: number): void } {
  let clock = 0;
  return { store: new PortalStore(db, () => new Date(clock)), at: (t) => (clock = t) };
}

/** Alert labels of one part of a customer's page (the monitoring's labels: component + part). */
function alertLabelsOf(customer: MonitoredCustomer, pagePart: string): { component: string; part: string } {
  if (pagePart === "entry") return { component: "entry", part: "gateway" };
  if (pagePart === "database") return { component: "database", part: customer.databases.length > 1 ? "db-2" : "db-1" };
  if (pagePart.startsWith("fsb")) return { component: "fsb", part: pagePart };
  return { component: "line", part: pagePart };
}

function alertOf(
  customer: MonitoredCustomer,
  labels: Record<string, string>,
  status: "firing" | "resolved",
  startsAt: number,
  endsAt?: number,
): AlertmanagerAlert {
  return {
    status,
    labels: { customer: customer.customer, edition: customer.edition, ...labels },
    annotations: { summary: `${labels.alertname} on ${labels.part} of ${customer.customer}` },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: endsAt === undefined ? "0001-01-01T00:00:00Z" : new Date(endsAt).toISOString(),
    generatorURL: "http://lc-ops-dc1-prometheus:9090/graph",
    fingerprint: crypto.createHash("sha256").update(`${customer.customer}|${labels.alertname}|${labels.part}`).digest("hex").slice(0, 16),
  } as AlertmanagerAlert;
}

/**
 * Deadlocks outlasting the store's own 5 attempts: the fill's parallel writers of different customers contend
 * for the gap locks of `SELECT … FOR UPDATE` on an absent open_key (seen once in a few runs with 6 writers).
 */
let fillDeadlocks = 0;
async function applyAlert(store: PortalStore, a: AlertmanagerAlert): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.applyAlert(alertAction(a));
    } catch (err) {
      if ((err as { code?: string }).code !== "ER_LOCK_DEADLOCK" || attempt >= 5) throw err;
      fillDeadlocks++;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

const UPDATES = [
  "We are looking into it.",
  "The cause is found; a fix is being applied.",
  "The line has been restarted; we are watching it.",
  "Wir prüfen die Ursache.",
];

interface Outage {
  from: number;
  to: number;
}

/** One customer's 90 days: incidents from alerts with team updates, a few open now, maintenance past and coming. */
async function writeCustomerHistory(db: PortalDatabase, c: MonitoredCustomer, index: number, now: number, parts: string[]): Promise<Outage[]> {
  const { store, at } = storeAt(db);
  const rnd = random(index + 1);
  const outages: Outage[] = [];
  const apply = async (a: AlertmanagerAlert) => {
    const outcome = await applyAlert(store, a);
    if (outcome !== "opened" && outcome !== "resolved" && outcome !== "updated") throw new Error(`history of ${c.customer}: alert ${a.status} -> ${outcome}`);
  };
  let t = Math.floor(now - HISTORY_DAYS * DAY + rnd() * 3 * DAY);
  while (t < now - 6 * HOUR) {
    const pagePart = parts[Math.floor(rnd() * parts.length)];
    const severity = rnd() < 0.4 ? "critical" : "warning";
    const length = (3 + Math.floor(rnd() * 88)) * MINUTE;
    const labels = { alertname: `${pagePart.split("-")[0].replace(/^./, (x) => x.toUpperCase())}Down`, severity, ...alertLabelsOf(c, pagePart) };
    at(t + 30_000);
    await apply(alertOf(c, labels, "firing", t));
    const [incident] = await store.openIncidents({ customer: c.customer });
    const teamUpdates = 1 + Math.floor(rnd() * 2);
    for (let u = 0; u < teamUpdates; u++) {
      at(t + ((u + 1) * length) / (teamUpdates + 1));
      await store.teamUpdate(incident.id, UPDATES[Math.floor(rnd() * UPDATES.length)], rnd() < 0.7 ? "en" : "de", false);
    }
    at(t + length + 20_000);
    await apply(alertOf(c, labels, "resolved", t, t + length));
    if (severity === "critical") outages.push({ from: t, to: t + length });
    t += length + Math.floor((1 + rnd() * 4) * DAY);
  }
  // one customer in 15 has an incident open right now
  if (index % 15 === 0) {
    const start = now - 20 * MINUTE;
    at(start + 30_000);
    await apply(alertOf(c, { alertname: "LineDown", severity: "warning", ...alertLabelsOf(c, parts[1]) }, "firing", start));
    const open = (await store.openIncidents({ customer: c.customer }))[0];
    at(now - 5 * MINUTE);
    await store.teamUpdate(open.id, UPDATES[0], "en", false);
  }
  // maintenance: one done (announced a week ahead), one coming
  const past = now - (10 + rnd() * 70) * DAY;
  at(past - 7 * DAY);
  await store.addMaintenance({ customer: c.customer, startsAt: new Date(past), endsAt: new Date(past + HOUR), reason: "Database upgrade", language: "en" });
  const coming = now + (3 + rnd() * 10) * DAY;
  at(now - DAY);
  await store.addMaintenance({
    customer: c.customer,
    startsAt: new Date(coming),
    endsAt: new Date(coming + 2 * HOUR),
    reason: "Neue Version von License Central",
    language: "de",
  });
  return outages;
}

/** Fleet-wide incidents: every 20 days or so a shared server's database fails for all its tenants (an alert per tenant). */
async function writeSharedServerHistory(
  db: PortalDatabase,
  tenants: MonitoredCustomer[],
  shared: string,
  seed: number,
  now: number,
): Promise<Map<string, Outage[]>> {
  const { store, at } = storeAt(db);
  const rnd = random(10_000 + seed);
  const outages = new Map<string, Outage[]>(tenants.map((c) => [c.customer, []]));
  for (let t = Math.floor(now - HISTORY_DAYS * DAY + rnd() * 20 * DAY); t < now - DAY; t += Math.floor((15 + rnd() * 10) * DAY)) {
    const length = (5 + Math.floor(rnd() * 40)) * MINUTE;
    const labels = { alertname: "SharedDatabaseDown", severity: "critical", component: "database", part: "db-1", shared_server: shared };
    at(t + 30_000);
    for (const c of tenants) await applyAlert(store, alertOf(c, labels, "firing", t));
    at(t + length + 20_000);
    for (const c of tenants) {
      await applyAlert(store, alertOf(c, labels, "resolved", t, t + length));
      outages.get(c.customer)!.push({ from: t, to: t + length });
    }
  }
  return outages;
}

/** The SLA figures of each UTC month in the window, as `lchost sla report` would publish them (from the generated outages). */
async function writeMonthFigures(store: PortalStore, customer: string, guarantee: number, outages: Outage[], now: number): Promise<void> {
  const first = new Date(now - HISTORY_DAYS * DAY);
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); Date.UTC(y, m) <= now; m === 11 ? (y++, (m = 0)) : m++) {
    const from = Date.UTC(y, m);
    const to = Math.min(Date.UTC(y, m + 1), now);
    const down = Math.round(outages.reduce((s, o) => s + Math.max(0, Math.min(o.to, to) - Math.max(o.from, from)), 0) / MINUTE);
    const minutes = Math.round((to - from) / MINUTE);
    const availability = Math.round((100 * (minutes - down) * 1e5) / minutes) / 1e5;
    const met = availability >= guarantee;
    await store.saveMonthAvailability(customer, `${y}-${String(m + 1).padStart(2, "0")}`, {
      availabilityPercent: availability,
      minutesDown: down,
      minutesMaintenance: 60,
      met,
      creditPercent: met ? 0 : 10,
    });
  }
}

async function inParallel<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

interface Portal {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startPortalProcess(env: Record<string, string>, logFile: string): Promise<Portal> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(logFile, "a");
  // PORTAL_BENCH_PROFILE=<dir>: the portal writes a V8 CPU profile there when it stops (open it in Chrome's DevTools)
  const profile = process.env.PORTAL_BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.PORTAL_BENCH_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(__dirname, "..", "status-portal", "src", "main.js")], {
    env: { PATH: process.env.PATH ?? "", ...env, [PORTAL_ENV.port]: String(port), [PORTAL_ENV.host]: "127.0.0.1" },
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`status-portal exited with ${child.exitCode}:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return { url, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`status-portal did not answer /healthz within 120 s:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Logs in through the form (GET /login for the CSRF token, POST); answers the session cookie `name=value`. */
async function login(url: string, customer: string, password: string): Promise<string> {
  const page = await fetch(`${url}/login`, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
  const csrfCookie = page.headers.getSetCookie().map((c) => c.split(";")[0])[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrfCookie || !csrf) throw new Error(`login page for ${customer}: no CSRF token`);
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ username: customer, password, csrf }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  await res.text();
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith("portal_session="));
  if (res.status !== 303 || !session) throw new Error(`login of ${customer}: ${res.status}, no session cookie`);
  return session;
}

function runLoadInChild(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "portalLoad.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    let answered = false;
    child.once("message", (m: { ok: boolean; result?: LoadResult; error?: string }) => {
      answered = true;
      if (m.ok) resolve(m.result!);
      else reject(new Error(`load generator: ${m.error}`));
    });
    child.once("exit", (code) => {
      if (!answered) reject(new Error(`load generator exited with ${code} before answering`));
    });
    child.send(job);
  });
}

const loadavg = () => fs.readFileSync("/proc/loadavg", "utf8").trim().split(" ").slice(0, 3).join(" ");

async function main(): Promise<void> {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-bench-portal-"));
  const loadStart = loadavg();
  console.log(`bench:portal in ${work}; load average ${loadStart}; ${os.cpus().length} cores`);
  let mariadb: ThrowawayMariadb | undefined;
  let portal: Portal | undefined;
  let pool: PortalDatabase | undefined;
  try {
    // the fill's many small commits need not reach the disk one by one: what is measured is reads
    mariadb = await startThrowawayMariadb({ baseDir: path.join(work, "mariadb"), extraConfig: ["innodb_flush_log_at_trx_commit=2"] });
    const dbPassword = crypto.randomBytes(18).toString("base64url");
    const root = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.user, password: mariadb.password });
    await root.query("CREATE DATABASE portal");
    await root.query("CREATE USER 'portal'@'127.0.0.1' IDENTIFIED BY ?", [dbPassword]);
    await root.query("GRANT ALL ON portal.* TO 'portal'@'127.0.0.1'");
    await root.end();
    const dbConfig = { host: mariadb.host, port: mariadb.port, database: "portal", user: "portal", password: dbPassword, timeoutMs: 60_000 };

    // the fleet and its customers file
    writeFleet(path.join(work, "stacks"), CUSTOMERS);
    const fleet = loadFleet(path.join(work, "stacks"));
    if (fleet.customers.length !== CUSTOMERS) throw new Error(`the generated fleet has ${fleet.customers.length} customers, not ${CUSTOMERS}`);
    const passwords = new Map(fleet.customers.map((c) => [c.customer, crypto.randomBytes(18).toString("base64url")]));
    const customersFile = path.join(work, "customers.json");
    const customersText = renderPortalCustomers(fleet, (c) => hashPortalPassword(passwords.get(c)!, BENCH_SCRYPT));
    fs.writeFileSync(customersFile, customersText, { mode: 0o600 });
    const file = parsePortalCustomersJson(customersText);

    // history through the portal's store, before the portal starts (it then only mirrors the file again)
    const t0 = Date.now();
    const now = Date.now();
    pool = new PortalDatabase(dbConfig);
    await migratePortal(pool);
    const first = storeAt(pool);
    first.at(now - (HISTORY_DAYS + 5) * DAY); // the customers were in the file before the 90 days began
    await first.store.syncCustomers(file);
    const outages = new Map<string, Outage[]>();
    await inParallel(fleet.customers, 4, async (c, i) => {
      outages.set(c.customer, await writeCustomerHistory(pool!, c, i, now, file.customers[c.customer].parts));
    });
    const sharedServers = [...new Set(fleet.customers.map((c) => c.sharedServer).filter((s): s is string => !!s))].sort();
    await inParallel(sharedServers, 3, async (shared, i) => {
      const tenants = fleet.customers.filter((c) => c.sharedServer === shared);
      for (const [customer, o] of await writeSharedServerHistory(pool!, tenants, shared, i, now)) outages.get(customer)!.push(...o);
    });
    const fleetStore = storeAt(pool);
    for (const [k, days] of [
      [0, -60],
      [1, -33],
      [2, -8],
      [3, 6],
    ]) {
      fleetStore.at(now + (days - 10) * DAY);
      await fleetStore.store.addMaintenance({
        customer: null,
        startsAt: new Date(now + days * DAY),
        endsAt: new Date(now + days * DAY + 90 * MINUTE),
        reason: `Platform maintenance ${k + 1}: operating system updates`,
        language: "en",
      });
    }
    await inParallel(fleet.customers, 6, (c) =>
      writeMonthFigures(fleetStore.store, c.customer, file.customers[c.customer].guaranteePercent, outages.get(c.customer)!, now),
    );
    const count = async (sql: string) => Number((await pool!.query(sql))[0].n);
    const rows = {
      incidents: await count("SELECT COUNT(*) AS n FROM portal_incidents WHERE scope = 'customer'"),
      fleet_incidents: await count("SELECT COUNT(*) AS n FROM portal_incidents WHERE scope = 'fleet'"),
      open_incidents: await count("SELECT COUNT(*) AS n FROM portal_incidents WHERE resolved_at IS NULL"),
      updates: await count("SELECT COUNT(*) AS n FROM portal_incident_updates"),
      maintenance: await count("SELECT COUNT(*) AS n FROM portal_maintenance"),
      month_figures: await count("SELECT COUNT(*) AS n FROM portal_month_availability"),
    };
    await pool.close();
    pool = undefined;
    const fillSeconds = (Date.now() - t0) / 1000;
    console.log(
      `history of ${CUSTOMERS} customers over ${HISTORY_DAYS} days written through the portal's store in ${fillSeconds.toFixed(1)} s: ` +
        `${rows.incidents} incidents (${rows.open_incidents} open) with ${rows.updates} timeline entries, ${rows.fleet_incidents} fleet-wide, ` +
        `${rows.maintenance} maintenance windows, ${rows.month_figures} months of SLA figures; ${fillDeadlocks} deadlocks beyond the store's retries, retried`,
    );

    // the real portal process
    const amToken = path.join(work, "alertmanager-token");
    const adminToken = path.join(work, "admin-token");
    fs.writeFileSync(amToken, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
    fs.writeFileSync(adminToken, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
    const portalLog = path.join(work, "status-portal.log");
    portal = await startPortalProcess(
      {
        [PORTAL_ENV.dbHost]: mariadb.host,
        [PORTAL_ENV.dbPort]: String(mariadb.port),
        [PORTAL_ENV.dbName]: "portal",
        [PORTAL_ENV.dbUser]: "portal",
        [PORTAL_ENV.dbPassword]: dbPassword,
        [PORTAL_ENV.customersFile]: customersFile,
        [PORTAL_ENV.alertmanagerTokenFile]: amToken,
        [PORTAL_ENV.adminTokenFile]: adminToken,
        [PORTAL_ENV.cookieSecure]: "false", // plain http on loopback
        [PORTAL_ENV.logLevel]: "info",
      },
      portalLog,
    );
    console.log(`status-portal (pid ${portal.child.pid}) at ${portal.url}, logs in ${portalLog}`);

    // every customer logs in (its own session); then each page once (warm-up and a check of what it shows)
    const sessions: Array<{ customer: string; cookie: string }> = [];
    await inParallel(fleet.customers, 4, async (c) => {
      sessions.push({ customer: c.customer, cookie: await login(portal!.url, c.customer, passwords.get(c.customer)!) });
    });
    sessions.sort((a, b) => a.customer.localeCompare(b.customer));
    let pageBytes = 0;
    for (const s of sessions) {
      const r = await fetch(`${portal.url}/c/${s.customer}`, { headers: { cookie: s.cookie, "accept-language": "en" }, redirect: "manual" });
      const text = await r.text();
      if (r.status !== 200 || !text.includes(`Status of ${s.customer}<`)) throw new Error(`warm-up: /c/${s.customer} answered ${r.status} without its name`);
      pageBytes += text.length;
    }
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`${portal.url}/`, { headers: { "accept-language": "en" } });
      const text = await r.text();
      if (r.status !== 200 || /cust\d{3}|shared-\d/.test(text)) throw new Error(`warm-up: / answered ${r.status} or named a customer`);
    }
    console.log(`${sessions.length} customers logged in; their pages average ${Math.round(pageBytes / sessions.length / 1024)} KiB`);

    const measure = async (job: LoadJob) => {
      const cpu0 = cpuSecondsOf(portal!.child.pid!);
      const db0 = cpuSecondsOf(mariadb!.pid);
      const load0 = loadavg();
      const r = await runLoadInChild(job);
      const portalCpu = cpuSecondsOf(portal!.child.pid!) - cpu0;
      const dbCpu = cpuSecondsOf(mariadb!.pid) - db0;
      const load1 = loadavg();
      console.log(
        `${r.page} page: ${r.requests} requests in ${r.seconds} s (${r.achievedRate}/s), p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
          `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}, wrong bodies ${r.wrongBody}; ${Math.round(r.bytesPerResponse / 1024)} KiB each; ` +
          `CPU ${((1000 * portalCpu) / Math.max(1, r.requests)).toFixed(2)} ms portal + ${((1000 * dbCpu) / Math.max(1, r.requests)).toFixed(2)} ms MariaDB per request; load ${load0} -> ${load1}`,
      );
      return {
        ...r,
        portalCpuMsPerRequest: Math.round((1e5 * portalCpu) / Math.max(1, r.requests)) / 100,
        dbCpuMsPerRequest: Math.round((1e5 * dbCpu) / Math.max(1, r.requests)) / 100,
        load: `${load0} -> ${load1}`,
      };
    };
    const base = { url: portal.url, seconds: SECONDS, rate: RATE, connections: CONNECTIONS, language: "en" as const };
    const customerPage = await measure({ ...base, sessions });
    const publicPage = await measure(base);
    await portal.stop();
    portal = undefined;
    await stopMariadbPid(mariadb.pid);
    mariadb = undefined;

    let sla: SlaBenchResult | undefined;
    if (SLA_RUNS > 0) sla = await runSlaBench(SLA_RUNS);

    const broken = [customerPage, publicPage].some((r) => r.errors + r.timeouts + r.non2xx + r.wrongBody > 0);
    const p99Met = customerPage.p99 <= TARGET_P99_MS && publicPage.p99 <= TARGET_P99_MS;
    const page = (r: typeof customerPage) => ({
      requests: r.requests,
      rate: r.achievedRate,
      p50_ms: r.p50,
      p90_ms: r.p90,
      p99_ms: r.p99,
      max_ms: r.max,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      wrong_body: r.wrongBody,
      cpu_ms_per_request: r.portalCpuMsPerRequest,
      db_cpu_ms_per_request: r.dbCpuMsPerRequest,
      kib: Math.round(r.bytesPerResponse / 1024),
    });
    console.log(
      `target p99 <= ${TARGET_P99_MS} ms at ${RATE}/s: ${p99Met ? "met" : "MISSED"}` +
        (sla ? `; sla report median ${sla.median_s} s (target ${SLA_TARGET_S} s): ${sla.within_target ? "met" : "MISSED"}` : "; sla report not run"),
    );
    console.log(
      JSON.stringify({
        bench: "portal",
        customers: CUSTOMERS,
        history_days: HISTORY_DAYS,
        ...rows,
        rate: RATE,
        seconds: SECONDS,
        connections: CONNECTIONS,
        customer_page: page(customerPage),
        public_page: page(publicPage),
        target_p99_ms: TARGET_P99_MS,
        p99_within_target: p99Met,
        sla_median_s: sla?.median_s ?? null,
        sla_cpu_median_s: sla?.cpu_median_s ?? null,
        sla_figures_correct: sla?.figures_correct ?? null,
        sla_target_s: SLA_TARGET_S,
        sla_within_target: sla?.within_target ?? null,
        fill_s: fillSeconds,
        total_s: Math.round((Date.now() - started) / 1000),
        loadavg: `${loadStart} -> ${loadavg()}`,
      }),
    );
    if (broken || (sla && !sla.figures_correct)) process.exitCode = 1;
    fs.rmSync(work, { recursive: true, force: true });
  } finally {
    await pool?.close().catch(() => undefined);
    await portal?.stop();
    if (mariadb) await stopMariadbPid(mariadb.pid);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
