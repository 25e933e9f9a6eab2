/**
 * The WAN relay process (wanRelayMain.ts) run in the WAN namespace, and the commands the simulation sends it.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { packageRoot } from "../../model/packageRoot";
import type { WanLink } from "./wanRelay";
import type { WanRelayConfig } from "./wanRelayMain";

export class RelayProcess {
  private readonly lines: string[] = [];
  private waiters: Array<(line: string) => void> = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on("line", (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
    child.once("exit", () => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w(JSON.stringify({ ok: false, error: "the relay exited" }));
    });
  }

  /** Starts `node wanRelayMain.js` in `netns` and waits until every route listens. */
  static async start(netns: string, config: WanRelayConfig, dir: string): Promise<RelayProcess> {
    const file = path.join(dir, "wan-relay.json");
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    const log = fs.openSync(path.join(dir, "wan-relay.log"), "a", 0o600);
    // the built file (as the sandbox runs the built services): tests under ts-jest have no .js beside this one
    const main = path.join(packageRoot(), "dist", "sandbox", "geo", "wanRelayMain.js");
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -p tsconfig.json)`);
    const child = spawn("ip", ["netns", "exec", netns, process.execPath, main, file], { stdio: ["pipe", "pipe", log] });
    fs.closeSync(log);
    const relay = new RelayProcess(child);
    const first = await relay.next(15_000);
    if (!JSON.parse(first).ready) {
      relay.kill();
      throw new Error(`the WAN relay did not start: ${first}; log ${path.join(dir, "wan-relay.log")}`);
    }
    return relay;
  }

  setLink(link: Partial<WanLink>): Promise<unknown> {
    return this.command({ cmd: "set", link });
  }
  cutSite(site: string): Promise<unknown> {
    return this.command({ cmd: "cut", site });
  }
  restore(): Promise<unknown> {
    return this.command({ cmd: "restore" });
  }
  stats(): Promise<unknown> {
    return this.command({ cmd: "stats" });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once("exit", r));
    this.child.stdin!.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    this.kill();
  }

  private kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private async command(c: object): Promise<unknown> {
    this.child.stdin!.write(`${JSON.stringify(c)}\n`);
    const answer = JSON.parse(await this.next(5000)) as { ok: boolean; error?: string };
    if (!answer.ok) throw new Error(`WAN relay: ${answer.error}`);
    return answer;
  }

  private next(timeoutMs: number): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.exited) return Promise.resolve(JSON.stringify({ ok: false, error: "the relay exited" }));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== take);
        reject(new Error(`the WAN relay did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const take = (l: string) => {
        clearTimeout(t);
        resolve(l);
      };
      this.waiters.push(take);
    });
  }
}
