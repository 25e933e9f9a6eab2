/**
 * The WAN relay of the geo simulation (sandbox/geo/wanRelay.ts) on real sockets: delay, order, stalls, cut.
 * Site a is 127.244.1.0/24, site b 127.244.2.0/24 (loopback addresses no other test uses); a client binds its
 * site's address, so the relay sees which link the connection takes.
 */
import * as net from "net";
import { freePort } from "../../sandbox/freePort";
import { validateLink, WanRelay } from "../../sandbox/geo/wanRelay";

const A = "127.244.1.1";
const B = "127.244.2.1";
const siteOf = (address: string) => (address.startsWith("127.244.1.") ? "a" : address.startsWith("127.244.2.") ? "b" : undefined);

describe("WAN relay", () => {
  let echo: net.Server;
  let relay: WanRelay;
  let port: number;
  const received: Buffer[] = [];
  const accepted: net.Socket[] = [];

  beforeAll(async () => {
    echo = net.createServer((s) => {
      accepted.push(s);
      s.on("data", (d) => {
        received.push(d);
        s.write(d);
      });
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => echo.listen(0, B, () => r()));
    port = await freePort();
    relay = new WanRelay({ bindAddress: A, routes: [{ listenPort: port, target: { host: B, port: (echo.address() as net.AddressInfo).port } }], siteOf });
    await relay.listen();
  });
  afterAll(async () => {
    await relay?.close();
    for (const s of accepted) s.destroy();
    await new Promise((r) => echo?.close(r));
  });
  beforeEach(() => {
    relay.restore();
    relay.setLink({ latencyMs: 0, jitterMs: 0, stallPercent: 0, stallMs: 200 });
  });

  function connect(from = A): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: A, port, localAddress: from }, () => resolve(s));
      s.setNoDelay(true);
      s.once("error", reject);
    });
  }

  /** ms for `payload` to come back through the relay. */
  function roundTrip(s: net.Socket, payload: string): Promise<number> {
    return new Promise((resolve) => {
      const t = Date.now();
      let got = "";
      const on = (d: Buffer) => {
        got += d.toString();
        if (got.length >= payload.length) {
          s.off("data", on);
          resolve(Date.now() - t);
        }
      };
      s.on("data", on);
      s.write(payload);
    });
  }

  it("delays each direction by the one-way latency: a round trip between two sites takes 2 × latency", async () => {
    relay.setLink({ latencyMs: 60 });
    const s = await connect();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await roundTrip(s, `ping-${i}`));
    s.destroy();
    expect(Math.min(...times)).toBeGreaterThanOrEqual(119);
    expect(Math.min(...times)).toBeLessThan(400); // not grossly more on a loaded machine
  });

  it("with 0 ms latency, a round trip is not held back", async () => {
    const s = await connect();
    const t = await roundTrip(s, "fast");
    s.destroy();
    expect(t).toBeLessThan(60);
  });

  it("keeps the order of chunks under jitter larger than the gap between them", async () => {
    relay.setLink({ latencyMs: 20, jitterMs: 15 });
    const s = await connect();
    let got = "";
    s.on("data", (d) => (got += d.toString()));
    const sent = Array.from({ length: 100 }, (_, i) => `<${i}>`);
    for (const m of sent) {
      s.write(m);
      await new Promise((r) => setTimeout(r, 1));
    }
    const deadline = Date.now() + 10_000;
    while (got.length < sent.join("").length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    s.destroy();
    expect(got).toBe(sent.join(""));
  });

  it("models loss as retransmission stalls: a stalled chunk arrives an RTO later", async () => {
    relay.setLink({ latencyMs: 10, stallPercent: 100, stallMs: 150 });
    const s = await connect();
    const t = await roundTrip(s, "stalled");
    s.destroy();
    expect(t).toBeGreaterThanOrEqual(2 * (10 + 150) - 1);
    expect(relay.stats().stalledChunks).toBeGreaterThanOrEqual(2);
  });

  it("a cut closes what is open on the site's links, closes new connections at once, and nothing reaches the far side", async () => {
    const s = await connect();
    await roundTrip(s, "before");
    const closed = new Promise((r) => s.once("close", r));
    expect(relay.cutSite("b", ["a", "b", "c"])).toEqual(["a-b", "b-c"]);
    await closed;
    const before = received.length;
    const s2 = await connect();
    const closed2 = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 2000);
      s2.once("close", () => {
        clearTimeout(t);
        resolve(true);
      });
      s2.write("after the cut");
    });
    expect(closed2).toBe(true);
    expect(received.length).toBe(before);
    expect(relay.stats().refusedByCut).toBeGreaterThanOrEqual(1);
  });

  it("after restore, connections pass again", async () => {
    relay.cutSite("b", ["a", "b"]);
    relay.restore();
    const s = await connect();
    expect(await roundTrip(s, "again")).toBeLessThan(1000);
    s.destroy();
  });

  it("a connection from outside every site (this machine) is neither delayed nor cut", async () => {
    relay.setLink({ latencyMs: 500 });
    relay.cutSite("b", ["a", "b"]);
    const s = await connect("127.0.0.1");
    expect(await roundTrip(s, "local")).toBeLessThan(300);
    s.destroy();
  });

  it.each([
    [{ latencyMs: -1 }, "link.latencyMs"],
    [{ jitterMs: Number.NaN }, "link.jitterMs"],
    [{ stallPercent: 101 }, "link.stallPercent"],
  ])("refuses link %j naming the field", (link, field) => {
    expect(() => validateLink(link)).toThrow(field);
  });
});
