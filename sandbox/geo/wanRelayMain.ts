/**
 * The WAN relay as a process of its own (run in the WAN namespace with `ip netns exec`):
 *
 *   node wanRelayMain.js CONFIG.json
 *
 * CONFIG: `{ routes: WanRoute[], sites: { "<address prefix>": "<site>" }, link?: Partial<WanLink> }`.
 * It prints `{"ready":true}` once every route listens, then takes one JSON command per stdin line and answers
 * each with one JSON line on stdout:
 *   {"cmd":"set","link":{"latencyMs":20,"jitterMs":2,"stallPercent":1}}   -> {"ok":true,"link":{…}}
 *   {"cmd":"cut","site":"b"}                                              -> {"ok":true,"cut":["a-b","b-c"]}
 *   {"cmd":"restore"}  {"cmd":"stats"}
 * It exits when stdin closes (its parent went away) or on SIGTERM.
 */
import * as fs from "fs";
import * as readline from "readline";
import { WanLink, WanRelay, WanRoute } from "./wanRelay";

export interface WanRelayConfig {
  routes: WanRoute[];
  /** Address prefix (e.g. "10.247.1.") -> site name. */
  sites: Record<string, string>;
  link?: Partial<WanLink>;
}

export function siteOfAddress(sites: Record<string, string>): (address: string) => string | undefined {
  const prefixes = Object.keys(sites).sort((a, b) => b.length - a.length);
  return (address) => {
    const p = prefixes.find((x) => address.startsWith(x));
    return p === undefined ? undefined : sites[p];
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: wanRelayMain CONFIG.json");
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as WanRelayConfig;
  const siteNames = [...new Set(Object.values(config.sites))];
  const relay = new WanRelay({ routes: config.routes, siteOf: siteOfAddress(config.sites), link: config.link });
  await relay.listen();
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ ready: true, routes: config.routes.length });
  const stop = async () => {
    await relay.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    try {
      const c = JSON.parse(line) as { cmd: string; link?: Partial<WanLink>; site?: string };
      if (c.cmd === "set") say({ ok: true, link: relay.setLink(c.link ?? {}) });
      else if (c.cmd === "cut") {
        if (!c.site || !siteNames.includes(c.site)) throw new Error(`cut: site ${JSON.stringify(c.site)} is not one of ${siteNames.join(", ")}`);
        say({ ok: true, cut: relay.cutSite(c.site, siteNames) });
      } else if (c.cmd === "restore") {
        relay.restore();
        say({ ok: true });
      } else if (c.cmd === "stats") say({ ok: true, stats: relay.stats(), link: relay.currentLink });
      else throw new Error(`cmd: ${JSON.stringify(c.cmd)} is not one of set, cut, restore, stats`);
    } catch (e) {
      say({ ok: false, error: (e as Error).message });
    }
  });
  rl.on("close", stop);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`wan relay: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
