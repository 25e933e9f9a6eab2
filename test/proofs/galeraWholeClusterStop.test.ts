/**
 * A whole Galera cluster stopped at once — what a Docker engine or host restart does: SIGTERM to every node's
 * first process together — comes back by itself when the nodes are started again, with every acknowledged
 * write (issue 12, "a host restart"). Real mariadbd with the rendered node config and the rendered start
 * script (the one the containers run), on loopback addresses no other test uses (127.236.0.1–3).
 *
 * Without the start script keeping gvwstate.dat across the SIGTERM, the same sequence leaves every node with
 * safe_to_bootstrap: 0 and no saved view: each start aborts ("Failed to open backend connection") and the
 * cluster never returns (measured before the change: not re-formed in 90 s).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderDatabaseStartScript, renderGaleraNodeConfig } from "../../components/render/mariadbConfig";

jest.setTimeout(240_000);

const NODES = [1, 2, 3].map((i) => ({ i, address: `127.236.0.${i}` }));
let dir: string;
const procs = new Map<number, ChildProcess>();

const nodeDir = (i: number) => path.join(dir, `n${i}`);
const sock = (i: number) => path.join(nodeDir(i), "run", "mysqld.sock");

function sql(i: number, query: string): { ok: boolean; out: string } {
  const r = spawnSync("mariadb", ["--no-defaults", "-uroot", `--socket=${sock(i)}`, "-N", "-B", "-e", query], { encoding: "utf8", timeout: 20_000 });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim() };
}

const status = (i: number, name: string) => sql(i, `SELECT variable_value FROM information_schema.global_status WHERE variable_name='${name}'`).out;

async function until(what: string, cond: () => boolean, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > withinMs) throw new Error(`${what}: not within ${withinMs} ms\n${NODES.map((n) => tailLog(n.i)).join("\n")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return Date.now() - t0;
}

function tailLog(i: number): string {
  try {
    return `n${i}: ${fs
      .readFileSync(path.join(nodeDir(i), "error.log"), "utf8")
      .split("\n")
      .slice(-6)
      .join("\n    ")}`;
  } catch {
    return `n${i}: (no log)`;
  }
}

function start(i: number): void {
  const child = spawn("sh", [path.join(nodeDir(i), "start.sh")], {
    detached: true, // its own process group: killed as a whole in afterAll, like a container
    stdio: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", TMPDIR: path.join(nodeDir(i), "tmp") },
  });
  procs.set(i, child);
}

const exited = (i: number) => procs.get(i)!.exitCode !== null || procs.get(i)!.signalCode !== null;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-galera-stop-"));
  fs.chmodSync(dir, 0o755);
  for (const { i, address } of NODES) {
    for (const sub of ["data", "run", "tmp"]) fs.mkdirSync(path.join(nodeDir(i), sub), { recursive: true });
    const cnf =
      renderGaleraNodeConfig({
        port: 3306,
        bindAddress: address,
        datadir: path.join(nodeDir(i), "data"),
        socket: sock(i),
        pidFile: path.join(nodeDir(i), "run", "mysqld.pid"),
        innodbBufferPoolMb: 32,
        clusterName: "galera-stop",
        nodeName: `n${i}`,
        nodeAddress: address,
        clusterAddresses: NODES.map((n) => `${n.address}:4567`),
        gcommPort: 4567,
        istPort: 4568,
        sstPort: 4444,
        listenAddress: address,
      }) + `tmpdir = ${path.join(nodeDir(i), "tmp")}\nlog-error = ${path.join(nodeDir(i), "error.log")}\n`;
    fs.writeFileSync(path.join(nodeDir(i), "my.cnf"), cnf);
    fs.writeFileSync(path.join(nodeDir(i), "init.sql"), "CREATE DATABASE IF NOT EXISTS probe;\n");
    const script = renderDatabaseStartScript({
      datadir: path.join(nodeDir(i), "data"),
      configPath: path.join(nodeDir(i), "my.cnf"),
      initFilePath: path.join(nodeDir(i), "init.sql"),
      galera: { bootstrapNode: i === 1 },
    }).replace(" /run/mysqld", ` ${path.join(nodeDir(i), "run")}`); // the image's /run/mysqld, per node here
    fs.writeFileSync(path.join(nodeDir(i), "start.sh"), script, { mode: 0o755 });
  }
  spawnSync("chown", ["-R", "mysql:mysql", dir]);
});

afterAll(() => {
  for (const c of procs.values()) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("three nodes stopped together with SIGTERM re-form by themselves when started again, every acknowledged row present", async () => {
  start(1);
  await until("node 1 founds the cluster", () => status(1, "wsrep_cluster_status") === "Primary", 90_000);
  start(2);
  start(3);
  await until(
    "3 nodes in the cluster",
    () => status(1, "wsrep_cluster_size") === "3" && NODES.every((n) => status(n.i, "wsrep_local_state_comment") === "Synced"),
    120_000,
  );

  expect(sql(1, "CREATE TABLE probe.t (id INT PRIMARY KEY AUTO_INCREMENT, node INT, k INT)").ok).toBe(true);
  let acknowledged = 0;
  for (let k = 0; k < 60; k++) if (sql((k % 3) + 1, `INSERT INTO probe.t (node, k) VALUES (${(k % 3) + 1}, ${k})`).ok) acknowledged++;
  expect(acknowledged).toBe(60);

  // the engine stops every container at once: SIGTERM to each node's first process (the start script)
  for (const { i } of NODES) process.kill(procs.get(i)!.pid!, "SIGTERM");
  await until("every node stopped", () => NODES.every((n) => exited(n.i)), 90_000);
  for (const { i } of NODES) {
    expect(procs.get(i)!.exitCode).toBe(0); // a clean shutdown, mariadbd's own status
    expect(fs.readFileSync(path.join(nodeDir(i), "data", "grastate.dat"), "utf8")).toMatch(/safe_to_bootstrap: 0|safe_to_bootstrap: 1/);
  }
  // the saved views: what Galera's pc.recovery re-forms from (a clean shutdown deleted gvwstate.dat itself)
  const saved = NODES.filter((n) => fs.existsSync(path.join(nodeDir(n.i), "data", "gvwstate.dat.lchost")));
  expect(saved.length).toBeGreaterThan(0);

  for (const { i } of NODES) start(i);
  const ms = await until(
    "the cluster re-formed with 3 nodes",
    () => NODES.every((n) => status(n.i, "wsrep_cluster_status") === "Primary") && status(1, "wsrep_cluster_size") === "3",
    150_000,
  );
  for (const { i } of NODES) expect(sql(i, "SELECT COUNT(*) FROM probe.t").out).toBe(String(acknowledged));
  expect(sql(2, "INSERT INTO probe.t (node, k) VALUES (2, 1000)").ok).toBe(true); // writable again
  console.log(`galera whole-cluster stop: re-formed ${ms} ms after the nodes were started again; ${acknowledged} acknowledged rows present on all 3`);
});
