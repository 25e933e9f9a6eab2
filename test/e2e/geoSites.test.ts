/**
 * The geo simulation's network (sandbox/geo/geoNetwork.ts) with the relay process between the sites, on real
 * network namespaces: site-to-site traffic goes to the real address and still crosses the WAN relay (delayed,
 * cut), this machine reaches every site directly, and no other port gets from one site to the other. Namespaces
 * `geot*` and 10.246.0.0/16 are this test's own. Needs root, iproute2 and iptables. The whole customer (Galera
 * across the sites, garbd, the lines and entries) is `npm run sim:geo` (docs/geo-clustering.md).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GeoNetwork } from "../../sandbox/geo/geoNetwork";
import { RelayProcess } from "../../sandbox/geo/relayProcess";

jest.setTimeout(90_000);

/** An echo server on ADDRESS:PORT…, and a client that prints the round-trip ms of one message to ADDRESS:PORT. */
const ECHO = `const net=require("net");const [a,...ps]=process.argv.slice(1);for(const p of ps)net.createServer(s=>{s.on("data",d=>s.write(d));s.on("error",()=>{})}).listen(Number(p),a);setTimeout(()=>process.exit(0),120000);console.log("up")`;
const PING = `const net=require("net");const [h,p]=process.argv.slice(1);const t=Date.now();const s=net.connect({host:h,port:Number(p)},()=>s.write("x"));s.setTimeout(3000,()=>{console.log("timeout");process.exit(0)});s.on("data",()=>{console.log(Date.now()-t);process.exit(0)});s.on("error",e=>{console.log(e.code||"error");process.exit(0)});s.on("close",()=>{console.log("closed");process.exit(0)})`;

describe("geo sites: network namespaces joined by the WAN relay", () => {
  const network = new GeoNetwork({
    tag: "geot",
    octet: 246,
    sites: [
      { name: "a", hosts: ["client-a"] },
      { name: "b", hosts: ["server-b"] },
    ],
    crossSitePorts: [4567],
    relayBasePort: 42400,
  });
  let relay: RelayProcess;
  let server: ChildProcess;
  let work: string;
  const b = () => network.host("server-b").address;

  function pingFrom(netns: string | undefined, port: number): string {
    const cmd = netns ? ["ip", "netns", "exec", netns, process.execPath] : [process.execPath];
    const r = spawnSync(cmd[0], [...cmd.slice(1), "-e", PING, b(), String(port)], { encoding: "utf8", timeout: 20_000 });
    return r.stdout.trim();
  }

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-geot-"));
    network.up();
    relay = await RelayProcess.start(network.plan.wanNetns, { routes: network.plan.routes, sites: network.plan.sitePrefixes }, work);
    server = spawn("ip", ["netns", "exec", "geotb", process.execPath, "-e", ECHO, b(), "4567", "5555"], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once("data", () => resolve());
      server.once("exit", (c) => reject(new Error(`echo server exited ${c}`)));
    });
  });
  afterAll(async () => {
    server?.kill("SIGKILL");
    await relay?.stop();
    network.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("a site-to-site round trip to the peer's real address takes 2 × the one-way latency", async () => {
    await relay.setLink({ latencyMs: 40 });
    const ms = Number(pingFrom("geota", 4567));
    expect(ms).toBeGreaterThanOrEqual(79);
    expect(ms).toBeLessThan(1500);
  });

  it("this machine (the customers' side) reaches a site without the WAN's delay", async () => {
    await relay.setLink({ latencyMs: 400 });
    expect(Number(pingFrom(undefined, 4567))).toBeLessThan(300);
  });

  it("a port that is not a cross-site route does not get from one site to the other at all (nothing bypasses the relay)", () => {
    expect(pingFrom(undefined, 5555)).toMatch(/^\d+$/); // it listens
    expect(pingFrom("geota", 5555)).toBe("timeout");
  });

  it("cutting site b: its peers' connections are closed, this machine still reaches it; restoring lets them through", async () => {
    await relay.setLink({ latencyMs: 0 });
    await relay.cutSite("b");
    expect(pingFrom("geota", 4567)).toMatch(/^(closed|ECONNRESET)$/);
    expect(pingFrom(undefined, 4567)).toMatch(/^\d+$/);
    await relay.restore();
    expect(pingFrom("geota", 4567)).toMatch(/^\d+$/);
  });

  it("the relay refuses a cut of a site it does not know, naming it", async () => {
    await expect(relay.cutSite("z")).rejects.toThrow('site "z" is not one of a, b');
  });
});
