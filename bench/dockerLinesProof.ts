/**
 * npm run docker:lines-proof — issue 12's "lines --add 2 --until +2min under load" on the real Docker engine: an HA
 * customer (`gr-dlp`: 2 booked lines, a 3-node Galera cluster) deployed by the dockerRun deployer, activations
 * through its published HTTPS entry (4 concurrent clients on keep-alive connections, one fresh ticket each, no
 * retry), then `lchost lines --add 2 --until +2min` applied by the Docker line control (heal/seams/dockerLines.ts):
 * the two lines and their FSBs start and are healthy before the gateway reloads with them; measured until both
 * serve requests (the gateway's own counters). The deadline then passes and the heal service's timer
 * (heal/service/timer.ts, a real Healer) removes them by itself, drained. Every request is counted; a failed one is
 * any answer but 201 (or none).
 *
 * Uses the engine's fixed names `lc-gr-dlp-*` and port 42203: run under `flock /tmp/lchost-realruns.lock`.
 * Needs dockerd, `npm run docker:images`, `npm run build`. Destroys what it made (data too). Last line:
 * {"bench":"docker-lines", ...}.
 */
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import pino from "pino";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { EntryAdmin } from "../fleet/upgrade/entryAdmin";
import { addExtraLines } from "../heal/extraLinesApplier";
import { DockerLineControl } from "../heal/seams/dockerLines";
import { MemoryAuditLog } from "../heal/service/auditLog";
import { Healer } from "../heal/service/healer";
import { HealNotifier } from "../heal/service/notifications";
import { HealTimer } from "../heal/service/timer";
import { DockerRunDeployer } from "../migration/dockerRunDeployer";
import { DockerTarget } from "../migration/dockerTarget";
import { customerNames } from "../model/naming";
import { adminTicket, removeDockerObjects } from "./migrationFixtures";

const STACK = "gr-dlp";
const PORT = 42203;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secondsSince = (t: number) => Math.round((Date.now() - t) / 100) / 10;

export interface DockerLinesFigures {
  bench: "docker-lines";
  upSeconds: number | null;
  /** From `lines --add 2` to both new lines having served requests through the gateway. */
  addedServingSeconds: number | null;
  /** Requests the two extra lines served while they ran. */
  servedByExtraLines: number | null;
  /** From the deadline to both extra lines gone (the timer ticks every 5 s). */
  removedAfterDeadlineSeconds: number | null;
  requests: number;
  failed: number;
  failures: string[];
  error?: string;
  loadavg: number[];
}

function writeStack(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `Pulumi.${STACK}.yaml`);
  fs.writeFileSync(
    file,
    [
      "config:",
      `  lchost:customer: ${STACK}`,
      "  lchost:edition: high-availability",
      "  lchost:lines: 2",
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${PORT}`,
      "  lchost:connection:",
      "    ipAllowList: [127.0.0.0/8]",
      "",
    ].join("\n"),
  );
  return file;
}

function activate(agent: https.Agent, host: string, ticket: string, key: string): Promise<number> {
  const body = JSON.stringify({ container: `dlp-${key}`, idempotencyKey: key });
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: PORT,
        method: "POST",
        path: `/depot/v1/tickets/${ticket}/activations`,
        servername: host,
        agent,
        rejectUnauthorized: false, // the stack's own self-signed certificate
        headers: { host, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

export async function dockerLinesProof(): Promise<DockerLinesFigures> {
  const docker = new DockerEngine();
  const names = customerNames(STACK);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-docker-lines-"));
  const stacksDir = path.join(root, "stacks");
  const stateDir = path.join(root, "state");
  const stackFile = writeStack(stacksDir);
  const f: DockerLinesFigures = {
    bench: "docker-lines",
    upSeconds: null,
    addedServingSeconds: null,
    servedByExtraLines: null,
    removedAfterDeadlineSeconds: null,
    requests: 0,
    failed: 0,
    failures: [],
    loadavg: [],
  };
  const deployer = new DockerRunDeployer({ stacksDir, stateDir, docker, log: (l) => console.log(l) });
  let stop = false;
  let load: Promise<void> | undefined;
  let timer: HealTimer | undefined;
  try {
    await removeDockerObjects(docker, `lc-${STACK}`);
    const t0 = Date.now();
    await deployer.up(STACK);
    f.upSeconds = secondsSince(t0);
    const target = new DockerTarget({ deployer, stackName: STACK, docker });
    const view = await target.current();
    const host = new URL(view.entryUrl).hostname;
    const tickets: string[] = [];
    // enough for the whole run (about 3 min at about 6 requests a second), made 8 at a time
    for (let i = 0; i < 1400; i += 8)
      tickets.push(...(await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((k) => adminTicket(view.lines[0].adminUrl, view.adminToken, `dlp-${i + k}`)))));
    console.log(`${STACK} up in ${f.upSeconds} s; ${tickets.length} tickets`);

    // the load: 4 clients, keep-alive, no retry
    const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
    let next = 0;
    const client = async (c: number) => {
      while (!stop && next < tickets.length) {
        const ticket = tickets[next++];
        f.requests++;
        try {
          const status = await activate(agent, host, ticket, `dlp-${c}-${next}`);
          if (status !== 201) f.failures.push(`${new Date().toISOString()} ${status}`);
        } catch (e) {
          f.failures.push(`${new Date().toISOString()} ${(e as Error).message}`);
        }
        await sleep(400);
      }
    };
    load = Promise.all([0, 1, 2, 3].map(client)).then(() => undefined);
    await sleep(5000);

    const gateway = new EntryAdmin(docker, names.gateway, "/tmp/haproxy-admin.sock");
    const served = async (lines: number[]) => {
      const rows = await gateway.stat();
      return lines.map((l) => rows.filter((r) => r.svname === `line${l}`).reduce((n, r) => n + Number(r.stot || 0), 0));
    };
    const lines = new DockerLineControl({ stateDir, stacksDir, docker, readyTimeoutMs: 240_000 });
    const added = Date.now();
    const until = new Date(added + 120_000);
    const r = await addExtraLines({ stackFile, now: new Date(added), add: 2, until, lines, log: (l) => console.log(`  ${l}`) });
    console.log(`lines --add 2 --until ${until.toISOString()}: ${JSON.stringify(r.applied)}`);
    for (;;) {
      const [l3, l4] = await served([3, 4]);
      if (l3 > 0 && l4 > 0) break;
      if (Date.now() - added > 180_000) throw new Error(`the extra lines did not serve within 180 s (line3 ${l3}, line4 ${l4})`);
      await sleep(250);
    }
    f.addedServingSeconds = secondsSince(added);
    console.log(`both extra lines serve ${f.addedServingSeconds} s after lines --add`);

    // the heal service's timer removes them at the deadline, drained
    const healer = new Healer({
      playbooks: [],
      seams: { runtime: "docker" },
      audit: new MemoryAuditLog(),
      notifier: new HealNotifier({ postAlerts: async () => undefined }, () => undefined),
      budget: { maxAttempts: 3, windowMs: 3_600_000, minIntervalMs: 0 },
      dryRun: false,
      log: pino({ level: "warn" }),
    });
    timer = new HealTimer({ healer, tickMs: 5000, stacksDir, lines, log: pino({ level: "info" }) });
    timer.start();
    const exists = async (n: string) => (await docker.request("GET", `/containers/${n}/json`)).status === 200;
    // the most each served (the gateway forgets them once it reloads without them)
    const most = [0, 0];
    while ((await exists(names.line(3))) || (await exists(names.line(4)))) {
      const now = await served([3, 4]).catch(() => [0, 0]);
      now.forEach((n, i) => (most[i] = Math.max(most[i], n)));
      if (Date.now() - until.getTime() > 180_000) throw new Error("the extra lines were not removed within 180 s of their deadline");
      await sleep(500);
    }
    f.removedAfterDeadlineSeconds = Math.round((Date.now() - until.getTime()) / 100) / 10;
    f.servedByExtraLines = most[0] + most[1];
    console.log(`extra lines removed ${f.removedAfterDeadlineSeconds} s after their deadline; they served ${f.servedByExtraLines} requests`);
    await sleep(5000); // requests after the removal count too
    if (next >= tickets.length) throw new Error(`the load ran out of tickets (${tickets.length}) before the end`);
  } catch (e) {
    f.error = (e as Error).message;
  } finally {
    stop = true;
    await load;
    await timer?.stop();
    f.failed = f.failures.length;
    f.failures = f.failures.slice(0, 20);
    await deployer.destroy(STACK, { removeVolumes: deployer.deployedVolumes(STACK) }).catch(() => undefined);
    await removeDockerObjects(docker, `lc-${STACK}`).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    f.loadavg = os.loadavg().map((x) => Math.round(x * 100) / 100);
  }
  return f;
}

if (require.main === module) {
  dockerLinesProof().then(
    (f) => {
      console.log(JSON.stringify(f));
      process.exit(f.error || f.failed ? 1 : 0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
