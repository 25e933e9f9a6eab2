/**
 * A network namespace of our own, joined to the host by a veth pair, so a test can send requests
 * from addresses that are not loopback (see /work/shared/RUNTIME.md). Traffic stays on the pair.
 */
import { execFileSync, spawnSync } from "child_process";

export interface TestNamespace {
  name: string;
  /** Host end of the pair, by label: bind listeners here too (each client talks to the host address of its own subnet). */
  hostAddresses: Record<string, string>;
  /** Addresses of the namespace end, by label. */
  clientAddresses: Record<string, string>;
  /** Runs `node -e script` inside the namespace with JSON input on argv[1]; returns its stdout parsed as JSON. */
  runNode(script: string, input: unknown): any;
  remove(): void;
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * `pairs`: label -> [host address, namespace address, prefix length], e.g. allowed: 192.0.2.1/.2/24.
 */
export function createTestNamespace(name: string, pairs: Record<string, [string, string, number]>): TestNamespace {
  const hostEnd = `${name.slice(0, 10)}h`;
  const nsEnd = `${name.slice(0, 10)}n`;
  spawnSync("ip", ["netns", "del", name]); // a leftover of a crashed run
  spawnSync("ip", ["link", "del", hostEnd]);
  ip(["netns", "add", name]);
  try {
    ip(["link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd]);
    ip(["link", "set", nsEnd, "netns", name]);
    for (const [hostAddr, , len] of Object.values(pairs)) ip(["addr", "add", `${hostAddr}/${len}`, "dev", hostEnd]);
    ip(["link", "set", hostEnd, "up"]);
    for (const [, nsAddr, len] of Object.values(pairs)) ip(["netns", "exec", name, "ip", "addr", "add", `${nsAddr}/${len}`, "dev", nsEnd]);
    ip(["netns", "exec", name, "ip", "link", "set", nsEnd, "up"]);
    ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"]);
  } catch (e) {
    spawnSync("ip", ["netns", "del", name]);
    spawnSync("ip", ["link", "del", hostEnd]);
    throw e;
  }
  return {
    name,
    hostAddresses: Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v[0]])),
    clientAddresses: Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v[1]])),
    runNode(script, input) {
      const r = spawnSync("ip", ["netns", "exec", name, process.execPath, "-e", script, JSON.stringify(input)], { encoding: "utf8", timeout: 30_000 });
      if (r.status !== 0) throw new Error(`node in namespace ${name} failed (${r.status ?? r.signal}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    remove() {
      spawnSync("ip", ["netns", "del", name]);
      spawnSync("ip", ["link", "del", hostEnd]);
    },
  };
}
