/**
 * npm run docker:hosts-proof (bench/hostsEnginesProof.ts) — issue 11 item 1 on real engines: a High Availability stack
 * whose `lchost:hosts` names two real Docker engines (+ `lchost:galeraArbitrator` on a third host address served by the
 * first engine), or three (`-- --engines 3`: one Galera node on each), planned by the real program and deployed by dockerRun (runPlanInDocker: each resource on the engine
 * of its host's provider). Each engine is a dockerd of its own in a network namespace (bench/engineHostsLab.ts), so
 * the parts reach one another only at the hosts' addresses, over a bridge, through ports published on those addresses.
 *
 * Proves: Galera forms across the engines through the published ports (2 nodes + garbd, or 3 nodes = 3), each line answers
 * activations at its host's address and through the VIP (keepalived on both engines, the HAProxy pair); then host h2
 * is lost (its link down, every container of its engine SIGKILLed, its dockerd stopped) under a bounded activation
 * load through the VIP → the cluster stays Primary with 2 votes (node 1 + garbd, or nodes 1 and 3), the customer keeps being served by line 1, 0
 * acknowledged activations lost, 0 double.
 *
 * Real processes on fixed names and addresses (`en*`, 10.248.0.0/16): run it under the real-run lock, with the lock's
 * fd closed for the engines it starts: `flock -o -w 1200 /tmp/lchost-realruns.lock npm run docker:hosts-proof`.
 * Needs root, the main dockerd with `LCHOST_HA_IMAGES=1 npm run docker:images` done. Removes everything it made, also
 * on failure. Last line: {"proof":"docker-hosts-engines", ...}.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { dockerExec } from "../dockerRun/dockerExec";
import { PlanEngines } from "../dockerRun/planEngines";
import { parseWsrepStatus } from "../heal/seams/galera";
import { runPlanInDocker } from "../dockerRun/runPlanInDocker";
import { loadStack } from "../model/stackFile";
import { customerNames } from "../model/naming";
import { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { StackPlanner } from "../planner/planWithReferences";
import { RequestOutcome, runVipLoad, summarize, VipLoadSummary } from "../sandbox/hosts/vipClient";
import { EngineHostsLab } from "./engineHostsLab";

const PREFIX = "en";
const STACK = "enha";
const DOMAIN = "lchost.test";
const HTTPS_PORT = 443;
const ADDRESS = { h1: "10.248.0.1", h2: "10.248.0.2", h3: "10.248.0.3" };
const VIP = "10.248.0.100";
const BRIDGE_ADDRESS = "10.248.0.254";

export interface HostsEnginesFigures {
  proof: "docker-hosts-engines";
  engines: 2 | 3;
  /** Containers per engine, by the host names of lchost:hosts (h3 shares h1's engine). */
  containersPerEngine: Record<string, number>;
  imagesLoadSeconds: number | null;
  planSeconds: number | null;
  upSeconds: number | null;
  clusterSizeBefore: number | null;
  /** Activations answered 201 by each line at its host's address:port, and through the VIP. */
  lineActivations: { line1: number; line2: number; viaVip: number } | null;
  vipHolderBefore: string | null;
  hostLost: {
    host: "h2";
    containersKilled: number;
    /** From the kill to node 1 Primary in a cluster of 2 (node + garbd). */
    primaryAfterSeconds: number | null;
    clusterSizeAfter: number | null;
    clusterStatusAfter: string | null;
    vipHolderAfter: string | null;
    load: VipLoadSummary | null;
    acknowledgedAfterKill: number;
    line1DirectAfterKill: boolean;
    lost: number | null;
    double: number | null;
  } | null;
  passed: boolean;
  error?: string;
  loadavg: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;

function containerEnv(plan: Plan, container: string, key: string): string {
  const c = plan.resources.find((r) => r.type === "docker:index/container:Container" && unwrapSecrets(r.inputs.name) === container);
  const hit = ((unwrapSecrets(c?.inputs.envs) as string[] | undefined) ?? []).find((e) => e.startsWith(`${key}=`));
  if (!hit) throw new Error(`${container} has no ${key}`);
  return hit.slice(key.length + 1);
}

function writeStack(dir: string, lab: EngineHostsLab, engines: 2 | 3): void {
  const host = (name: "h1" | "h2" | "h3") => ({ name, dockerHost: lab.host(name).dockerHost, address: ADDRESS[name] });
  const config = {
    customer: STACK,
    edition: "high-availability",
    lines: 2,
    domain: DOMAIN,
    httpsPort: HTTPS_PORT,
    ...(engines === 3
      ? { hosts: [host("h1"), host("h2"), host("h3")] }
      : {
          hosts: [host("h1"), host("h2")],
          // the third vote: garbd on a host address of its own, served by h1's engine (losing h1 loses both; h2 is the one lost here)
          galeraArbitrator: { name: "h3", dockerHost: lab.host("h1").dockerHost, address: ADDRESS.h3 },
        }),
    balancer: { virtualIp: VIP },
    connection: { ipAllowList: ["10.248.0.0/24"] },
  };
  fs.writeFileSync(
    path.join(dir, `Pulumi.${STACK}.yaml`),
    YAML.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`lchost:${k}`, v])) }),
  );
}

/** Galera's view from a node: cluster size and status (node 1 answers as root over its socket). */
async function galeraStatus(engine: DockerEngine, node: string): Promise<{ size: number; status: string }> {
  const { stdout } = await dockerExec(engine, node, [
    "mariadb",
    "-N",
    "-e",
    "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_cluster_status')",
  ]);
  // the one reading of wsrep status rows (the heal seams'): node index and running do not matter here
  const st = parseWsrepStatus(0, true, stdout);
  return { size: st.clusterSize ?? 0, status: st.clusterStatus ?? "" };
}

/** Creates `n` tickets through License Central's admin API inside a line (the token in the exec's environment). */
async function adminTickets(engine: DockerEngine, plan: Plan, line: string, n: number): Promise<string[]> {
  const js =
    `(async()=>{for(let i=0;i<${n};i++){const r=await fetch("http://127.0.0.1:8081/admin/v1/tickets",{method:"POST",` +
    `headers:{"content-type":"application/json",authorization:"Bearer "+process.env.T},` +
    `body:JSON.stringify({orderId:"EN-"+i,items:[{productCode:101,quantity:1000}]}),signal:AbortSignal.timeout(10000)});` +
    `const j=await r.json();if(r.status!==201)throw new Error("admin ticket: "+r.status);console.log(j.ticket)}})().catch(e=>{console.error(e.message);process.exit(1)})`;
  const { stdout } = await dockerExec(engine, line, ["node", "-e", js], { env: [`T=${containerEnv(plan, line, "LC_ADMIN_TOKEN")}`] });
  const tickets = stdout.trim().split("\n").filter(Boolean);
  if (tickets.length !== n || !tickets.every((t) => /^[A-Z0-9-]+$/.test(t))) throw new Error(`admin API in ${line} answered ${tickets.length} of ${n} tickets`);
  return tickets;
}

/** One activation straight at a line's published port on its host's address (plain HTTP, as the balancers reach it). */
async function activateAtLine(address: string, port: number, ticket: string, key: string): Promise<number> {
  const res = await fetch(`http://${address}:${port}/depot/v1/tickets/${ticket}/activations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ container: `en-${key}`, idempotencyKey: key }),
    signal: AbortSignal.timeout(15_000),
  }).catch(() => undefined);
  await res?.text();
  return res?.status ?? 0;
}

/** Acknowledged activations not stored as active (lost), and tickets with more than one live activation (double). */
async function checkActivations(engine: DockerEngine, node: string, schema: string, acknowledged: RequestOutcome[], tickets: string[]) {
  const quote = (s: string) => {
    if (!/^[A-Za-z0-9-]+$/.test(s)) throw new Error("unexpected characters in a key or ticket");
    return `'${s}'`;
  };
  const sql = async (q: string) => (await dockerExec(engine, node, ["mariadb", "-N", "-e", q])).stdout.trim();
  let lost = 0;
  for (let i = 0; i < acknowledged.length; i += 500) {
    const chunk = acknowledged.slice(i, i + 500);
    const rows = await sql(
      `SELECT idempotency_key, ticket FROM ${schema}.lc_activations WHERE status = 'active' AND idempotency_key IN (${chunk.map((a) => quote(a.idempotencyKey)).join(",")})`,
    );
    const stored = new Map(
      rows
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t") as [string, string]),
    );
    lost += chunk.filter((a) => stored.get(a.idempotencyKey) !== a.ticket).length;
  }
  let double = 0;
  for (let i = 0; i < tickets.length; i += 500) {
    const rows = await sql(
      `SELECT ticket FROM ${schema}.lc_activations WHERE status <> 'deactivated' AND ticket IN (${tickets
        .slice(i, i + 500)
        .map(quote)
        .join(",")}) GROUP BY ticket HAVING COUNT(*) > 1`,
    );
    double += rows ? rows.split("\n").length : 0;
  }
  return { lost, double };
}

async function waitUntil<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  withinMs: number,
  everyMs = 500,
): Promise<{ value: T | undefined; ms: number | null }> {
  const t0 = performance.now();
  let value: T | undefined;
  while (performance.now() - t0 < withinMs) {
    value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return { value, ms: performance.now() - t0 };
    await sleep(everyMs);
  }
  return { value, ms: null };
}

async function prove(lab: EngineHostsLab, scratch: string, f: HostsEnginesFigures): Promise<void> {
  const check = (cond: unknown, what: string) => {
    if (!cond) throw new Error(`docker hosts proof: ${what}`);
    console.log(`ok - ${what}`);
  };
  lab.createNetwork();
  await lab.startEngines();
  check(
    true,
    `${f.engines} dockerds in their own network namespaces answer (${lab.hosts.map((h) => `${h.name} ${h.dockerHost} at ${h.addresses.join(", ")}`).join("; ")})`,
  );

  writeStack(scratch, lab, f.engines);
  let t = performance.now();
  const plan = await new StackPlanner({ materialize: true }).plan(loadStack(STACK, scratch));
  f.planSeconds = seconds(t);
  // nothing of the stack may land on the main engine: the default is a socket that does not exist
  const noDefault = DockerEngine.forHost(`unix:///run/${PREFIX}-no-default-engine.sock`);
  const engines = new PlanEngines(plan, noDefault);
  const hostOfEngine = (e: DockerEngine) =>
    lab.hosts.find((h) => engines.hosts.some((p) => p.engine === e && p.dockerHost === h.dockerHost))?.name ?? "default";
  // the images each engine needs: those of the parts the plan puts on it
  const images = new Map<string, string[]>(lab.hosts.map((h) => [h.name, []]));
  for (const r of plan.resources.filter((x) => x.type === "docker:index/remoteImage:RemoteImage")) {
    const host = hostOfEngine(engines.of(r));
    const list = images.get(host);
    if (!list) throw new Error(`image ${String(unwrapSecrets(r.inputs.name))} is planned on the default engine, not on a host`);
    const name = String(unwrapSecrets(r.inputs.name));
    if (!list.includes(name)) list.push(name);
  }
  t = performance.now();
  lab.loadImages(images);
  f.imagesLoadSeconds = seconds(t);
  check(true, `images loaded into the engines in ${f.imagesLoadSeconds} s (${[...images].map(([h, l]) => `${h}: ${l.length}`).join(", ")})`);

  t = performance.now();
  // what it creates goes with the engines at the end (lab.destroy)
  await runPlanInDocker(plan, noDefault, 600_000);
  f.upSeconds = seconds(t);
  for (const h of lab.hosts) f.containersPerEngine[h.name] = ((await lab.engine(h.name).ok("GET", "/containers/json")) as unknown[]).length;
  check(
    Object.values(f.containersPerEngine).every((n) => n > 0),
    `the plan deployed by dockerRun over the engines in ${f.upSeconds} s (running containers: ${JSON.stringify(f.containersPerEngine)})`,
  );

  const names = customerNames(STACK);
  const h1 = lab.engine("h1");
  const node1 = names.dbHost(1);
  const formed = await waitUntil(
    () => galeraStatus(h1, node1),
    (s) => s.size === 3 && s.status === "Primary",
    60_000,
  );
  f.clusterSizeBefore = formed.value?.size ?? null;
  check(
    formed.ms !== null,
    `Galera formed across the engines through the hosts' addresses: cluster size ${formed.value?.size}, ${formed.value?.status} (${f.engines === 3 ? "3 nodes, one per engine" : "2 nodes + garbd"})`,
  );

  const vip = await waitUntil(
    async () => (lab.holds("h1", VIP) ? "h1" : lab.holds("h2", VIP) ? "h2" : ""),
    (v) => v !== "",
    30_000,
  );
  f.vipHolderBefore = vip.value || null;
  check(vip.value === "h1", `keepalived holds the VIP ${VIP} on h1 (holder: ${vip.value || "none"})`);

  const tickets = await adminTickets(h1, plan, names.line(1), 610);
  const line1 = await Promise.all(tickets.slice(0, 5).map((tk, i) => activateAtLine(ADDRESS.h1, 8080, tk, `direct-1-${i}`)));
  const line2 = await Promise.all(tickets.slice(5, 10).map((tk, i) => activateAtLine(ADDRESS.h2, 8081, tk, `direct-2-${i}`)));
  const caPem = String(unwrapSecrets(plan.outputs.entryCertificate));
  const viaVip: RequestOutcome[] = [];
  await runVipLoad(
    {
      address: VIP,
      port: HTTPS_PORT,
      servername: `${STACK}.${DOMAIN}`,
      caPem,
      tickets: tickets.slice(10, 20),
      concurrency: 2,
      durationMs: 60_000,
      timeoutMs: 10_000,
      retryAfterMs: 1000,
      pauseMs: 0,
    },
    (o) => viaVip.push(o),
  );
  f.lineActivations = {
    line1: line1.filter((s) => s === 201).length,
    line2: line2.filter((s) => s === 201).length,
    viaVip: viaVip.filter((o) => o.attempts[0].status === 201).length,
  };
  check(
    f.lineActivations.line1 === 5 && f.lineActivations.line2 === 5 && f.lineActivations.viaVip === 10,
    `each line answers activations at its host's address (line 1 on h1: ${line1.join(",")}; line 2 on h2: ${line2.join(",")}) and through the VIP (${f.lineActivations.viaVip}/10 first attempts)`,
  );

  // h2 lost under load
  const loadTickets = tickets.slice(20);
  const outcomes: RequestOutcome[] = [];
  const load = runVipLoad(
    {
      address: VIP,
      port: HTTPS_PORT,
      servername: `${STACK}.${DOMAIN}`,
      caPem,
      tickets: loadTickets,
      concurrency: 2,
      durationMs: 45_000,
      // above License Central's pending takeover (5 s): a request cut off on the dead line is answered on the retry
      timeoutMs: 8000,
      retryAfterMs: 2000,
      pauseMs: 100,
    },
    (o) => outcomes.push(o),
  );
  await sleep(12_000);
  const killedAt = Date.now();
  const tKill = performance.now();
  const killed = await lab.killHost("h2");
  const lostHost: NonNullable<HostsEnginesFigures["hostLost"]> = {
    host: "h2",
    containersKilled: killed.length,
    primaryAfterSeconds: null,
    clusterSizeAfter: null,
    clusterStatusAfter: null,
    vipHolderAfter: null,
    load: null,
    acknowledgedAfterKill: 0,
    line1DirectAfterKill: false,
    lost: null,
    double: null,
  };
  f.hostLost = lostHost;
  console.log(`h2 lost: link down, ${killed.length} containers SIGKILLed, its dockerd stopped`);
  const tWait = performance.now();
  const primary = await waitUntil(
    () => galeraStatus(h1, node1),
    (s) => s.size === 2 && s.status === "Primary",
    60_000,
    250,
  );
  lostHost.primaryAfterSeconds = primary.ms === null ? null : Math.round((tWait - tKill + primary.ms) / 100) / 10;
  lostHost.clusterSizeAfter = primary.value?.size ?? null;
  lostHost.clusterStatusAfter = primary.value?.status ?? null;
  await load;
  lostHost.load = summarize(outcomes);
  lostHost.acknowledgedAfterKill = outcomes.filter((o) => o.acknowledged && o.attempts[0].startedAt > killedAt).length;
  lostHost.vipHolderAfter = lab.holds("h1", VIP) ? "h1" : "none";
  lostHost.line1DirectAfterKill = (await activateAtLine(ADDRESS.h1, 8080, tickets[tickets.length - 1], "direct-after")) === 201;
  const acknowledged = outcomes.filter((o) => o.acknowledged);
  const verdict = await checkActivations(h1, node1, names.schema, acknowledged, loadTickets);
  lostHost.lost = verdict.lost;
  lostHost.double = verdict.double;
  check(
    primary.ms !== null,
    `Galera stays Primary without h2: node 1 sees ${lostHost.clusterSizeAfter} (${lostHost.clusterStatusAfter}) ${lostHost.primaryAfterSeconds} s after the kill`,
  );
  check(lostHost.vipHolderAfter === "h1", "the VIP stays on h1");
  check(
    lostHost.acknowledgedAfterKill > 0 && lostHost.line1DirectAfterKill,
    `the customer keeps being served by line 1: ${lostHost.acknowledgedAfterKill} activations acknowledged through the VIP after the kill, line 1 answers directly`,
  );
  check(
    lostHost.load.failed === 0 && verdict.lost === 0 && verdict.double === 0,
    `under load: ${lostHost.load.requests} requests, ${lostHost.load.acknowledged} acknowledged (${lostHost.load.fixedByRetry} by the retry), ${lostHost.load.failed} failed; ${verdict.lost} acknowledged lost, ${verdict.double} double`,
  );
}

async function main(): Promise<void> {
  const f: HostsEnginesFigures = {
    proof: "docker-hosts-engines",
    engines: process.argv.includes("--engines") && process.argv[process.argv.indexOf("--engines") + 1] === "3" ? 3 : 2,
    containersPerEngine: {},
    imagesLoadSeconds: null,
    planSeconds: null,
    upSeconds: null,
    clusterSizeBefore: null,
    lineActivations: null,
    vipHolderBefore: null,
    hostLost: null,
    passed: false,
    loadavg: [],
  };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}-hosts-proof-`));
  const lab = new EngineHostsLab(
    PREFIX,
    f.engines === 3
      ? [
          { name: "h1", addresses: [ADDRESS.h1] },
          { name: "h2", addresses: [ADDRESS.h2] },
          { name: "h3", addresses: [ADDRESS.h3] },
        ]
      : [
          { name: "h1", addresses: [ADDRESS.h1, ADDRESS.h3] },
          { name: "h2", addresses: [ADDRESS.h2] },
        ],
    BRIDGE_ADDRESS,
    "10.248",
  );
  try {
    await prove(lab, scratch, f);
    f.passed = true;
  } catch (e) {
    f.error = e instanceof Error ? e.message : String(e);
    console.error(f.error);
  } finally {
    f.loadavg = os.loadavg().map((x) => Math.round(x * 10) / 10);
    // the engines go with everything on them (the deployment's remove() would ask a stopped engine)
    await lab.destroy().catch((e) => console.error(`cleanup: ${e instanceof Error ? e.message : e}`));
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(JSON.stringify(f));
  process.exitCode = f.passed ? 0 : 1;
}

if (require.main === module) void main();
