import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../sandbox/freePort";
export { freePort };

export interface RunningAlertmanager {
  url: string;
  /** What it logged so far (for a test's failure message: a loaded machine is slow, not silent). */
  logs(): string;
  stop(): Promise<void>;
}

const MINIMAL_CONFIG = `route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n`;

/**
 * The real Debian Alertmanager (prometheus-alertmanager) on a free loopback port with its own temporary
 * storage and gossip off; resolves when /-/ready answers 200.
 */
export async function startAlertmanager(config = MINIMAL_CONFIG, readyWithinMs = 30_000): Promise<RunningAlertmanager> {
  if (spawnSync("prometheus-alertmanager", ["--version"]).status !== 0)
    throw new Error("prometheus-alertmanager is not installed: apt-get install -y prometheus-alertmanager (these tests run the real Alertmanager)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-am-"));
  fs.writeFileSync(path.join(dir, "alertmanager.yml"), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    "prometheus-alertmanager",
    [
      `--config.file=${path.join(dir, "alertmanager.yml")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      `--storage.path=${path.join(dir, "data")}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => log.push(String(d)));
  child.stderr!.on("data", (d) => log.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return { url, stop, logs: () => log.join("") };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Alertmanager did not become ready on ${url} within ${readyWithinMs} ms:\n${log.join("").slice(-2000)}`);
}
