/**
 * The geo-clustering simulation (docs/geo-clustering.md): a High Availability customer spread over two sites
 * and an arbitrator's third location, each site a network namespace, the WAN between them the relay of
 * wanRelay.ts. The customer's processes are the sandbox's own (planned from a stack file, translated and
 * started by `Sandbox`, placed in the sites' namespaces by its `placement` option): Galera node 1, FSB 1 and
 * line 1 in site a; Galera node 2, FSB 2 and line 2 in site b; `garbd` in site c in the place of Galera node 3;
 * each site its own copy of the customer's HTTPS entry (siteEntry.ts).
 *
 * It measures commit and activation latency for each WAN latency given, then cuts one site off under load
 * and reports what the customer sees: failed requests, when each depot was served again (DNS failover with a
 * low TTL), whether the cut-off site accepted any write (split brain) and whether every acknowledged
 * activation is in the surviving site's database.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as mysql from "mysql2/promise";
import * as os from "os";
import * as path from "path";
import { createTickets, percentile } from "../activationLoad";
import { findExecutable } from "../prerequisites";
import { LocalProcess } from "../processSupervisor";
import { startSandbox, SandboxHandle } from "../startSandbox";
import type { SandboxProcessSpec } from "../containerTranslation";
import { garbdProcessSpec } from "./garbdProcess";
import { GeoDns, GeoLoadResult, runGeoLoad, SiteEntry } from "./geoClients";
import { GeoNetwork, PlacedHost } from "./geoNetwork";
import { RelayProcess } from "./relayProcess";
import { siteEntryConfig } from "./siteEntry";
import type { WanLink } from "./wanRelay";

const CUSTOMER = "geo";
const DB1 = `lc-${CUSTOMER}-db`;
const DB2 = `lc-${CUSTOMER}-db-2`;
const DB3 = `lc-${CUSTOMER}-db-3`;
const GATEWAY = `lc-${CUSTOMER}-gateway`;
const ENTRY_PORT = 8443;

/** The customer: High Availability with 2 lines (one per site); its 3 Galera nodes' third place is garbd's. */
export const GEO_STACK_FILE = `# The geo simulation's customer (sandbox/geo/geoScenario.ts): High Availability, one line per site.
config:
  lchost:customer: ${CUSTOMER}
  lchost:edition: high-availability
  lchost:lines: 2
  lchost:domain: lchost.local
  lchost:quotaMode: soft
  lchost:fsb:
    mode: emulator
    signLatencyMs: 5
  lchost:connection:
    ipAllowList:
      - 10.0.0.0/8
`;

export interface LatencyStep extends Partial<WanLink> {
  latencyMs: number;
}

export interface GeoScenarioOptions {
  /** Namespace/interface prefix and the 10.X.0.0/16 block (the CI test and the sim use different ones). */
  tag: string;
  octet: number;
  relayBasePort: number;
  steps: LatencyStep[];
  /** Per step: how long the activation load runs, and how many sequential commits are timed on each node. */
  stepLoadMs: number;
  commitsPerNode: number;
  clientsPerSite: number;
  cut: { site: "a" | "b"; link: LatencyStep; beforeMs: number; afterMs: number; restoreAndRejoin: boolean };
  dns: { ttlMs: number; checkIntervalMs: number; failuresToWithdraw: number };
  /** Tickets created for each latency step's load and for the cut's (a depot takes the next one after each success). */
  ticketsPerStep: number;
  ticketsForCut: number;
  log: (line: string) => void;
}

export interface StepFigures {
  link: WanLink;
  commitMs: Record<string, { p50: number; p95: number; n: number }>;
  activationMs: Record<string, { p50: number; p95: number; n: number }>;
  failedActivations: number;
}

export interface CutFigures {
  site: string;
  link: WanLink;
  attempts: number;
  acknowledged: number;
  failedAttempts: number;
  failedBySite: Record<string, number>;
  clientsInterrupted: number;
  /** Per interrupted depot: ms from its first failure until an activation succeeded again, and where. */
  servedAgainMs: Array<{ client: number; home: string; ms: number | null; by: string | null }>;
  dnsWithdrawnAfterMs: number | null;
  /** The surviving node: the longest a write waited (the cluster noticing the loss), ms. */
  survivorLongestWriteMs: number;
  survivorWritesFailed: number;
  /** Writes the cut-off node acknowledged after the cut: anything but 0 is split brain. */
  minorityWritesAcknowledgedAfterCut: number;
  minorityWritesRefused: number;
  minorityFirstRefusalAfterMs: number | null;
  minorityStatus: string;
  survivorStatus: string;
  survivorClusterSize: number;
  /** Activations answered 201, and how many of them the surviving database does not hold as active. */
  acknowledgedChecked: number;
  acknowledgedLost: number;
  /** Probe rows the minority node acknowledged before the cut, and how many the survivor lacks. */
  minorityAckedBeforeCut: number;
  minorityAckedLost: number;
  rejoinMs: number | null;
}

export interface GeoScenarioResult {
  placement: Record<string, { site: string; address: string }>;
  startupMs: number;
  steps: StepFigures[];
  cut: CutFigures;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function summary(values: number[]): { p50: number; p95: number; n: number } {
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), n: values.length };
}
function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A process of our own in a site's namespace, run by the sandbox's LocalProcess. */
function inNamespace(spec: SandboxProcessSpec, netns: string): SandboxProcessSpec {
  return { ...spec, command: "ip", args: ["netns", "exec", netns, spec.command, ...spec.args] };
}

export async function runGeoScenario(o: GeoScenarioOptions): Promise<GeoScenarioResult> {
  const t0 = Date.now();
  const haproxy = findExecutable("haproxy");
  if (!haproxy) throw new Error("haproxy is not installed (Debian package haproxy)");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `lchost-${o.tag}-`));
  fs.chmodSync(work, 0o755); // the database nodes run as mysql and must reach their directories below it
  const logDir = path.join(work, "logs");
  fs.mkdirSync(logDir);
  const network = new GeoNetwork({
    tag: o.tag,
    octet: o.octet,
    sites: [
      { name: "a", hosts: [DB1, `lc-${CUSTOMER}-fsb-1`, `lc-${CUSTOMER}-line-1`, "entry-a"] },
      { name: "b", hosts: [DB2, `lc-${CUSTOMER}-fsb-2`, `lc-${CUSTOMER}-line-2`, "entry-b"] },
      { name: "c", hosts: [DB3] },
    ],
    crossSitePorts: [3306, 4444, 4567, 4568, 8080],
    relayBasePort: o.relayBasePort,
  });
  const own: LocalProcess[] = [];
  let sb: SandboxHandle | undefined;
  let relay: RelayProcess | undefined;
  const pools: mysql.Pool[] = [];
  let ok = false;
  try {
    o.log(`network: namespaces ${o.tag}a, ${o.tag}b, ${o.tag}c and ${o.tag}wan (10.${o.octet}.0.0/16)`);
    network.up();
    relay = await RelayProcess.start(network.plan.wanNetns, { routes: network.plan.routes, sites: network.plan.sitePrefixes }, work);
    o.log(`WAN relay: ${network.plan.routes.length} cross-site routes`);

    const stackFile = path.join(work, `Pulumi.${CUSTOMER}.yaml`);
    fs.writeFileSync(stackFile, GEO_STACK_FILE);
    const placement: Record<string, { address: string; netns: string }> = {};
    for (const h of network.plan.hosts) if (h.host !== DB3 && !h.host.startsWith("entry-")) placement[h.host] = { address: h.address, netns: h.netns };
    sb = await startSandbox({
      stackFiles: [stackFile],
      name: `${o.tag}-sim`,
      dir: path.join(work, "sandbox"),
      serviceLogLevel: "warn",
      readyTimeoutMs: 180_000,
      placement,
      // node 3's place is garbd's; the entry runs once per site (below); the exporters are not measured here
      skipProcesses: [DB3, GATEWAY, `${DB1}-exporter`, `${DB2}-exporter`, `${DB3}-exporter`],
      log: (l) => o.log(`sandbox: ${l}`),
    });
    const sandbox = sb;
    const pathEnv = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");

    // the arbitrator in the third location
    const c = network.host(DB3);
    const garbd = new LocalProcess(
      inNamespace(
        garbdProcessSpec(
          {
            name: "garbd",
            clusterName: `lc-${CUSTOMER}`,
            members: [`${network.host(DB1).address}:4567`, `${network.host(DB2).address}:4567`],
            address: c.address,
            dir: work,
            pathEnv,
          },
          CUSTOMER,
        ),
        c.netns,
      ),
      logDir,
      () => undefined,
    );
    garbd.start();
    own.push(garbd);
    await waitFor(
      async () => status(sandbox, DB1).size === 3,
      60_000,
      () => `garbd did not join (cluster size ${status(sandbox, DB1).size}); ${garbd.tail(10)}`,
    );
    o.log("galera: node 1 (site a), node 2 (site b) and garbd (site c): cluster size 3");

    // each site's entry
    const plannedCfg = fs.readFileSync(path.join(sandbox.dir, GATEWAY, "usr", "local", "etc", "haproxy", "haproxy.cfg"), "utf8");
    const entries: SiteEntry[] = [];
    for (const site of ["a", "b"]) {
      const e = network.host(`entry-${site}`);
      const dir = path.join(work, `entry-${site}`);
      fs.mkdirSync(dir);
      const cfg = siteEntryConfig(plannedCfg, {
        address: e.address,
        adminSocket: path.join(dir, "admin.sock"),
        localLineAddresses: network.plan.hosts.filter((h) => h.site === site && h.host.includes("-line-")).map((h) => h.address),
      });
      fs.writeFileSync(path.join(dir, "haproxy.cfg"), cfg, { mode: 0o600 });
      const spec: SandboxProcessSpec = {
        name: `entry-${site}`,
        stack: CUSTOMER,
        role: "https-entry-point",
        address: e.address,
        dir,
        command: haproxy,
        args: ["-db", "-f", path.join(dir, "haproxy.cfg")],
        env: { PATH: pathEnv },
        files: [],
        oneShot: false,
        ports: [ENTRY_PORT],
      };
      const p = new LocalProcess(inNamespace(spec, e.netns), logDir, () => undefined);
      p.start();
      own.push(p);
      entries.push({ site, address: e.address, port: ENTRY_PORT });
    }
    const serverName = sandbox.endpoints[CUSTOMER].gateway!.host;
    const ca = fs.readFileSync(sandbox.tls.caCert);
    const probeDns = new GeoDns({ entries, serverName, ca, checkIntervalMs: 200, failuresToWithdraw: 1, ttlMs: 0 });
    for (const e of entries) {
      await waitFor(
        async () => {
          await probeDns.checkAll();
          return probeDns.resolve(e.site)?.site === e.site;
        },
        30_000,
        () => `the entry of site ${e.site} does not answer /readyz`,
      );
    }
    probeDns.stop();
    o.log(`entries: site a ${entries[0].address}:${ENTRY_PORT}, site b ${entries[1].address}:${ENTRY_PORT} (${serverName})`);

    const tickets = await createTickets(sandbox, CUSTOMER, o.ticketsPerStep * o.steps.length + o.ticketsForCut, `${o.tag}-${process.pid}`);
    let used = 0;
    const take = (n: number) => tickets.slice(used, (used += n));
    const cred = sandbox.credentials[CUSTOMER].database!;
    const pool = (node: string) => {
      const p = mysql.createPool({
        host: network.host(node).address,
        port: 3306,
        user: cred.user,
        password: cred.password,
        database: cred.name,
        connectionLimit: 2,
        connectTimeout: 2000,
      });
      pools.push(p);
      return p;
    };
    const db1 = pool(DB1);
    const db2 = pool(DB2);
    await db1.query("CREATE TABLE IF NOT EXISTS geo_commit_probe (id CHAR(36) PRIMARY KEY, node VARCHAR(32) NOT NULL, at BIGINT NOT NULL)");
    const startupMs = Date.now() - t0;

    const steps: StepFigures[] = [];
    for (const step of o.steps) {
      const link = (await relay.setLink({ jitterMs: 0, stallPercent: 0, ...step }).then((a: any) => a.link)) as WanLink;
      await sleep(300);
      const commitMs: StepFigures["commitMs"] = {};
      for (const [site, db, node] of [
        ["a", db1, DB1],
        ["b", db2, DB2],
      ] as const) {
        const times: number[] = [];
        for (let i = 0; i < o.commitsPerNode; i++) {
          const t = process.hrtime.bigint();
          await db.query("INSERT INTO geo_commit_probe (id, node, at) VALUES (?, ?, ?)", [crypto.randomUUID(), node, Date.now()]);
          times.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        commitMs[site] = summary(times);
      }
      const dns = new GeoDns({ entries, serverName, ca, checkIntervalMs: 1000, failuresToWithdraw: 3, ttlMs: o.dns.ttlMs });
      const r = await runGeoLoad({
        dns,
        clients: [...Array(o.clientsPerSite).fill("a"), ...Array(o.clientsPerSite).fill("b")],
        tickets: take(o.ticketsPerStep),
        durationMs: o.stepLoadMs,
        ttlMs: o.dns.ttlMs,
        retryPauseMs: 500,
        requestTimeoutMs: 15_000,
        serverName,
        ca,
      });
      dns.stop();
      const activationMs: StepFigures["activationMs"] = {};
      for (const site of ["a", "b"]) activationMs[site] = summary(r.acknowledged.filter((a) => a.site === site).map((a) => a.endedAt - a.startedAt));
      const fig = { link, commitMs, activationMs, failedActivations: r.attempts.length - r.acknowledged.length };
      steps.push(fig);
      o.log(
        `WAN ${link.latencyMs} ms one way${link.stallPercent ? ` + ${link.stallPercent} % stalls of ${link.stallMs} ms` : ""}: ` +
          `commit p50 a ${commitMs.a.p50} / b ${commitMs.b.p50} ms, activation p50 a ${activationMs.a.p50} / b ${activationMs.b.p50} ms ` +
          `(p95 ${activationMs.a.p95} / ${activationMs.b.p95}; ${r.acknowledged.length} ok, ${fig.failedActivations} failed)`,
      );
    }

    const cut = await cutUnderLoad(o, { sandbox, relay, entries, serverName, ca, db1, db2, tickets: take(o.ticketsForCut), network });
    ok = true;
    return {
      placement: Object.fromEntries(network.plan.hosts.map((h: PlacedHost) => [h.host === DB3 ? "garbd" : h.host, { site: h.site, address: h.address }])),
      startupMs,
      steps,
      cut,
    };
  } finally {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await Promise.all(own.reverse().map((p) => p.stop(5000)));
    await sb?.stop().catch((e) => o.log(`sandbox stop: ${(e as Error).message}`));
    await relay?.stop();
    network.down();
    if (ok) fs.rmSync(work, { recursive: true, force: true });
    else o.log(`kept ${work} (logs of every process) for a look`);
  }
}

interface CutContext {
  sandbox: SandboxHandle;
  relay: RelayProcess;
  entries: SiteEntry[];
  serverName: string;
  ca: Buffer;
  db1: mysql.Pool;
  db2: mysql.Pool;
  tickets: string[];
  network: GeoNetwork;
}

interface WriteProbe {
  node: string;
  at: number;
  ms: number;
  ok: boolean;
  id: string;
}

/** Writes one probe row every 200 ms on a node until `stop`, each with a 10 s limit. */
async function probeWrites(pool: mysql.Pool, node: string, stop: () => boolean): Promise<WriteProbe[]> {
  const out: WriteProbe[] = [];
  while (!stop()) {
    const id = crypto.randomUUID();
    const at = Date.now();
    let ok = false;
    try {
      await pool.query({ sql: "INSERT INTO geo_commit_probe (id, node, at) VALUES (?, ?, ?)", timeout: 10_000, values: [id, node, at] });
      ok = true;
    } catch {
      ok = false;
    }
    out.push({ node, at, ms: Date.now() - at, ok, id });
    await sleep(200);
  }
  return out;
}

async function cutUnderLoad(o: GeoScenarioOptions, x: CutContext): Promise<CutFigures> {
  const [survivorPool, minorityPool] = o.cut.site === "b" ? [x.db1, x.db2] : [x.db2, x.db1];
  const [survivorDb, minorityDb] = o.cut.site === "b" ? [DB1, DB2] : [DB2, DB1];
  const link = ((await x.relay.setLink({ jitterMs: 0, stallPercent: 0, ...o.cut.link })) as any).link as WanLink;
  const dns = new GeoDns({ entries: x.entries, serverName: x.serverName, ca: x.ca, ...o.dns });
  dns.start();
  let probing = true;
  const probes = Promise.all([probeWrites(survivorPool, survivorDb, () => !probing), probeWrites(minorityPool, minorityDb, () => !probing)]);
  const load = runGeoLoad({
    dns,
    clients: [...Array(o.clientsPerSite).fill("a"), ...Array(o.clientsPerSite).fill("b")],
    tickets: x.tickets,
    durationMs: o.cut.beforeMs + o.cut.afterMs,
    ttlMs: o.dns.ttlMs,
    retryPauseMs: 500,
    requestTimeoutMs: 15_000,
    serverName: x.serverName,
    ca: x.ca,
  });
  await sleep(o.cut.beforeMs);
  const cutAt = Date.now();
  await x.relay.cutSite(o.cut.site);
  o.log(`cut site ${o.cut.site} off (its WAN links closed) under load`);
  const r: GeoLoadResult = await load;
  probing = false;
  const [survivorProbes, minorityProbes] = await probes;
  dns.stop();

  const minorityStatus = status(x.sandbox, minorityDb);
  const survivorStatus = status(x.sandbox, survivorDb);
  // every acknowledged activation must be in the surviving database, active
  const keys = r.acknowledged.map((a) => a.idempotencyKey);
  const [rows] = keys.length
    ? await survivorPool.query("SELECT idempotency_key, ticket, status FROM lc_activations WHERE idempotency_key IN (?)", [keys])
    : [[]];
  const stored = new Map((rows as any[]).map((row) => [row.idempotency_key, row]));
  const lost = r.acknowledged.filter((a) => stored.get(a.idempotencyKey)?.status !== "active" || stored.get(a.idempotencyKey)?.ticket !== a.ticket);
  const minorityAcked = minorityProbes.filter((p) => p.ok);
  const ackedBefore = minorityAcked.filter((p) => p.at + p.ms <= cutAt);
  const ackedAfter = minorityAcked.filter((p) => p.at + p.ms > cutAt);
  const [probeRows] = ackedBefore.length ? await survivorPool.query("SELECT id FROM geo_commit_probe WHERE id IN (?)", [ackedBefore.map((p) => p.id)]) : [[]];
  const firstRefusal = minorityProbes.find((p) => !p.ok && p.at >= cutAt - 10_000);
  const survivorAfter = survivorProbes.filter((p) => p.at + p.ms >= cutAt);
  const withdrawn = dns.withdrawnAt.get(o.cut.site);

  let rejoinMs: number | null = null;
  if (o.cut.restoreAndRejoin) {
    const t = Date.now();
    await x.relay.restore();
    try {
      await waitFor(
        async () => status(x.sandbox, survivorDb).size === 3 && status(x.sandbox, minorityDb).state === "Synced",
        120_000,
        () => "no rejoin",
      );
      rejoinMs = Date.now() - t;
      o.log(`link restored: site ${o.cut.site} rejoined (cluster size 3, Synced) after ${rejoinMs} ms`);
    } catch {
      o.log(`link restored: site ${o.cut.site} did not rejoin within 120 s (${JSON.stringify(status(x.sandbox, minorityDb))})`);
    }
  }

  const failedBySite: Record<string, number> = {};
  for (const a of r.attempts.filter((a) => a.status !== 201)) failedBySite[a.site] = (failedBySite[a.site] ?? 0) + 1;
  return {
    site: o.cut.site,
    link,
    attempts: r.attempts.length,
    acknowledged: r.acknowledged.length,
    failedAttempts: r.attempts.length - r.acknowledged.length,
    failedBySite,
    clientsInterrupted: new Set(r.outages.map((x) => x.client)).size,
    servedAgainMs: r.outages.map((x) => ({
      client: x.client,
      home: x.home,
      ms: x.servedAgainAt === undefined ? null : x.servedAgainAt - x.firstFailureAt,
      by: x.servedAgainBy ?? null,
    })),
    dnsWithdrawnAfterMs: withdrawn === undefined ? null : withdrawn - cutAt,
    survivorLongestWriteMs: Math.max(0, ...survivorAfter.map((p) => p.ms)),
    survivorWritesFailed: survivorAfter.filter((p) => !p.ok).length,
    minorityWritesAcknowledgedAfterCut: ackedAfter.length,
    minorityWritesRefused: minorityProbes.filter((p) => !p.ok).length,
    minorityFirstRefusalAfterMs: firstRefusal ? firstRefusal.at + firstRefusal.ms - cutAt : null,
    minorityStatus: `${minorityStatus.status} (${minorityStatus.state}, size ${minorityStatus.size})`,
    survivorStatus: `${survivorStatus.status} (${survivorStatus.state}, size ${survivorStatus.size})`,
    survivorClusterSize: survivorStatus.size,
    acknowledgedChecked: r.acknowledged.length,
    acknowledgedLost: lost.length,
    minorityAckedBeforeCut: ackedBefore.length,
    minorityAckedLost: ackedBefore.length - (probeRows as any[]).length,
    rejoinMs,
  };
}

/** wsrep_cluster_status / wsrep_local_state_comment / wsrep_cluster_size of a node, as root over its socket. */
function status(sb: SandboxHandle, node: string): { status: string; state: string; size: number } {
  try {
    const rows = sb.sqlAsRoot(node, "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_local_state_comment','wsrep_cluster_size')");
    const v = Object.fromEntries(
      rows
        .trim()
        .split("\n")
        .map((l) => l.split("\t")),
    );
    return { status: v.wsrep_cluster_status ?? "?", state: v.wsrep_local_state_comment ?? "?", size: Number(v.wsrep_cluster_size ?? 0) };
  } catch (e) {
    return { status: `unreachable: ${(e as Error).message.split("\n")[0]}`, state: "?", size: 0 };
  }
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${why()}`);
    await sleep(250);
  }
}
