/**
 * npm run docker:engine-restart-proof (bench/engineRestartProof.ts) — issue 12's first proof, "a host restart", on this machine's real Docker
 * engine: deploy an HA customer with `lchost up <stack> --target docker` (stack `gr-ers`: 2 lines, a 3-node
 * Galera cluster), write activations (one writer per node, `license_central.lc_activations`, acknowledged when
 * the INSERT returned), stop dockerd with SIGTERM — every container stops, as at a reboot — and start it again
 * (`dockerd >/var/log/lchost-dockerd.log 2>&1 &`). Then wait: the containers come back by their restart policy
 * and the Galera nodes' start script (components/render/mariadbConfig.ts: the last to leave founds, the saved
 * views re-form, an outdated view steps aside) re-forms the cluster by itself; time it; check every acknowledged write on every node and the lines ready.
 * When the cluster has not re-formed by itself within the wait, the heal playbook (Docker seams) is run as the
 * fallback and the figures say so. Destroys the stack afterwards (data too).
 *
 * It restarts the whole engine: every other container on it restarts too. Run it only under both real-run
 * locks (flock /tmp/lchost-helper-gate.lock flock /tmp/lchost-realruns.lock npm run docker:engine-restart-proof).
 * Needs dockerd, npm run docker:images, npm run build. Last line: {"proof":"docker-engine-restart", ...}.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerEngine } from "../dockerRun/dockerEngine";
import { dockerExec } from "../dockerRun/dockerExec";
import { packageRoot } from "../model/packageRoot";
import { customerNames } from "../model/naming";
import { DockerGaleraControl } from "../heal/seams/galera";
import { galeraFullRecovery } from "../heal/playbooks/galeraFullRecovery";
import { removeDockerObjects } from "./migrationFixtures";

export const ENGINE_PROOF_STACK = "gr-ers";
const HTTPS_PORT = 42201;
const DOCKERD_LOG = "/var/log/lchost-dockerd.log";

export interface EngineRestartFigures {
  proof: "docker-engine-restart";
  stack: string;
  upSeconds: number | null;
  acknowledgedWrites: number;
  /** From the new dockerd answering to every node Primary in a cluster of 3 and writable. */
  reformSeconds: number | null;
  /** From the SIGTERM to dockerd to the cluster writable again. */
  totalOutageSeconds: number | null;
  reformedBy: "start-script" | "heal-playbook" | "none";
  lostWrites: number | null;
  linesReady: boolean;
  destroyed: boolean;
  error?: string;
  loadavg: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lchost(args: string[], stacksDir: string): { code: number | null; out: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(packageRoot(), "dist", "cli", "main.js"), ...args, "--stacks-dir", stacksDir], {
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
    timeout: 1_200_000,
  });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  process.stdout.write(out);
  return { code: r.status, out, seconds: Math.round((performance.now() - t0) / 100) / 10 };
}

function writeStack(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `Pulumi.${ENGINE_PROOF_STACK}.yaml`),
    [
      "config:",
      `  lchost:customer: ${ENGINE_PROOF_STACK}`,
      "  lchost:edition: high-availability",
      "  lchost:lines: 2",
      "  lchost:domain: lchost.test",
      `  lchost:httpsPort: ${HTTPS_PORT}`,
      "  lchost:connection:",
      "    ipAllowList: [127.0.0.0/8]",
      "",
    ].join("\n"),
  );
}

async function engineAnswers(docker: DockerEngine): Promise<boolean> {
  return docker.request("GET", "/_ping").then(
    (r) => r.status === 200,
    () => false,
  );
}

function dockerdPid(): number | undefined {
  const r = spawnSync("pidof", ["dockerd"], { encoding: "utf8" });
  const pids = (r.stdout ?? "").trim().split(/\s+/).filter(Boolean).map(Number);
  if (pids.length > 1) throw new Error(`more than one dockerd runs (${pids.join(", ")}): not restarting any`);
  return pids[0];
}

/** SIGTERM to dockerd (it stops every container), wait until it is gone, start it again; resolves with the times. */
async function restartEngine(docker: DockerEngine): Promise<{ stoppedAt: number; answeringAt: number }> {
  const pid = dockerdPid();
  if (!pid) throw new Error("dockerd is not running");
  const stoppedAt = Date.now();
  process.kill(pid, "SIGTERM");
  for (let t0 = Date.now(); fs.existsSync(`/proc/${pid}`); await sleep(250))
    if (Date.now() - t0 > 180_000) throw new Error("dockerd did not stop within 180 s");
  const log = fs.openSync(DOCKERD_LOG, "a");
  const child = spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  fs.closeSync(log);
  for (let t0 = Date.now(); !(await engineAnswers(docker)); await sleep(250))
    if (Date.now() - t0 > 120_000) throw new Error(`dockerd did not answer within 120 s (log ${DOCKERD_LOG})`);
  return { stoppedAt, answeringAt: Date.now() };
}

async function sqlIn(docker: DockerEngine, container: string, sql: string): Promise<string> {
  return (await dockerExec(docker, container, ["mariadb", "-uroot", "--connect-timeout=3", "-N", "-B", "-e", sql])).stdout;
}

export async function engineRestartProof(opts: { reformWithinMs?: number } = {}): Promise<EngineRestartFigures> {
  const docker = new DockerEngine();
  const names = customerNames(ENGINE_PROOF_STACK);
  const dbs = [1, 2, 3].map((n) => names.dbHost(n));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-engine-restart-"));
  const stacksDir = path.join(root, "stacks");
  writeStack(stacksDir);
  const f: EngineRestartFigures = {
    proof: "docker-engine-restart",
    stack: ENGINE_PROOF_STACK,
    upSeconds: null,
    acknowledgedWrites: 0,
    reformSeconds: null,
    totalOutageSeconds: null,
    reformedBy: "none",
    lostWrites: null,
    linesReady: false,
    destroyed: false,
    loadavg: [],
  };
  try {
    if (!(await engineAnswers(docker))) throw new Error("dockerd is not reachable");
    const up = lchost(["up", ENGINE_PROOF_STACK, "--target", "docker"], stacksDir);
    if (up.code !== 0) throw new Error(`lchost up exited with ${up.code}`);
    f.upSeconds = up.seconds;

    // activations: one writer per node, acknowledged when the INSERT returned (one statement each: one commit)
    const acknowledged: string[] = [];
    for (let k = 0; k < 90; k++) {
      const key = `ers-${k}`;
      const node = dbs[k % 3];
      await sqlIn(
        docker,
        node,
        `INSERT INTO license_central.lc_activations (idempotency_key, ticket, container, status, created_at, activated_at) VALUES ('${key}', REPEAT('T', 29), 'c-${k}', 'active', NOW(3), NOW(3))`,
      );
      acknowledged.push(key);
    }
    f.acknowledgedWrites = acknowledged.length;
    console.log(`${acknowledged.length} activations acknowledged; restarting the Docker engine`);

    const { stoppedAt, answeringAt } = await restartEngine(docker);
    console.log(`dockerd answers again ${Math.round((answeringAt - stoppedAt) / 1000)} s after the SIGTERM; waiting for the cluster`);
    const reformed = async () => {
      for (const db of dbs) {
        const rows = await sqlIn(docker, db, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_cluster_status','wsrep_ready')").catch(
          () => "",
        );
        if (!/wsrep_cluster_size\t3/.test(rows) || !/wsrep_cluster_status\tPrimary/.test(rows) || !/wsrep_ready\tON/.test(rows)) return false;
      }
      return true;
    };
    const within = opts.reformWithinMs ?? Number(process.env.ENGINE_PROOF_REFORM_WITHIN_S ?? 180) * 1000;
    while (!(await reformed()) && Date.now() - answeringAt < within) await sleep(1000);
    if (await reformed()) f.reformedBy = "start-script";
    else {
      console.log(`not re-formed by itself within ${within / 1000} s: running the heal playbook (Docker seams)`);
      const lines: string[] = [];
      const pb = galeraFullRecovery({ lastAcknowledged: async () => acknowledged[acknowledged.length - 1], startGraceMs: 0 });
      const ctx = {
        alert: {
          name: "DatabaseDown",
          status: "firing" as const,
          customer: ENGINE_PROOF_STACK,
          labels: { part: "db-1" },
          annotations: {},
          startsAt: new Date(stoppedAt).toISOString(),
        },
        seams: { runtime: "docker" as const, galera: new DockerGaleraControl(docker) },
        dryRun: false,
        now: () => Date.now(),
        log: (l: string) => lines.push(l),
      };
      const [action] = await pb.plan(ctx);
      const outcome = action ? await pb.run(ctx, action) : { kind: "skipped", detail: "no action planned" };
      console.log(`${lines.join("\n")}\n${JSON.stringify(outcome)}`);
      if (await reformed()) f.reformedBy = "heal-playbook";
    }
    if (f.reformedBy !== "none") {
      await sqlIn(
        docker,
        dbs[1],
        "INSERT INTO license_central.lc_activations (idempotency_key, ticket, container, status, created_at) VALUES ('ers-after', REPEAT('T', 29), 'c', 'active', NOW(3))",
      );
      const writable = Date.now();
      f.reformSeconds = Math.round((writable - answeringAt) / 100) / 10;
      f.totalOutageSeconds = Math.round((writable - stoppedAt) / 100) / 10;
      let lost = 0;
      for (const db of dbs) {
        const have = new Set((await sqlIn(docker, db, "SELECT idempotency_key FROM license_central.lc_activations")).split("\n").filter(Boolean));
        lost = Math.max(lost, acknowledged.filter((k) => !have.has(k)).length);
      }
      f.lostWrites = lost;
      // the lines: healthy again (their readiness needs their database node and FSB)
      const lineNames = [1, 2].map((l) => names.line(l));
      for (let t0 = Date.now(); Date.now() - t0 < 120_000; await sleep(1000)) {
        const states = await Promise.all(lineNames.map((n) => docker.ok("GET", `/containers/${n}/json`).then((i: any) => i.State.Health?.Status ?? "none")));
        if (states.every((s) => s === "healthy")) {
          f.linesReady = true;
          break;
        }
      }
    }
  } catch (e) {
    f.error = (e as Error).message;
  } finally {
    if (await engineAnswers(docker)) {
      const d = lchost(["destroy", ENGINE_PROOF_STACK, "--yes", "--target", "docker", "--delete-data"], stacksDir);
      f.destroyed = d.code === 0;
      await removeDockerObjects(docker, `lc-${ENGINE_PROOF_STACK}`).catch(() => undefined);
    }
    fs.rmSync(path.join(packageRoot(), ".docker-run", `${ENGINE_PROOF_STACK}.json`), { force: true });
    fs.rmSync(root, { recursive: true, force: true });
    f.loadavg = os.loadavg().map((x) => Math.round(x * 100) / 100);
  }
  return f;
}

if (require.main === module) {
  engineRestartProof().then(
    (f) => {
      console.log(
        `engine restart: re-formed by ${f.reformedBy}${f.reformSeconds !== null ? ` ${f.reformSeconds} s after dockerd answered (${f.totalOutageSeconds} s after the SIGTERM)` : ""}; ${f.lostWrites ?? "?"} of ${f.acknowledgedWrites} acknowledged writes lost; lines ready: ${f.linesReady}`,
      );
      console.log(JSON.stringify(f));
      if (f.error || f.reformedBy !== "start-script" || f.lostWrites !== 0 || !f.linesReady || !f.destroyed) process.exitCode = 1;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
