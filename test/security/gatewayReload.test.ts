/**
 * A graceful gateway reload (`haproxy -sf`, what the sandbox does when lines join or leave) must not cut
 * a client's idle keep-alive connection under it: the old process used to close every idle connection at
 * once, so a client that sent its next request at that moment got "socket hang up" (the extra-lines proof
 * lost one activation of ~170 that way). With `option idle-close-on-response` the old process keeps the
 * idle connection, answers its next request with `Connection: close`, then closes it.
 */
import * as fs from "fs";
import * as tls from "tls";
import { hardStopAfterMs, DEFAULT_TIMEOUTS } from "../../haproxy/renderConfig";
import { StandaloneGateway, startStandaloneGateway } from "../../sandbox/standaloneGateway";
import { haLimits, sleep, tmpDir } from "./support";

jest.setTimeout(120_000);

interface Answer {
  status: number;
  headers: Record<string, string>;
}

/** One TLS connection kept open across requests, so the test controls which connection a request uses. */
class KeepAliveClient {
  private buffer = "";
  private waiting: (() => void) | undefined;
  closed = false;
  private constructor(readonly socket: tls.TLSSocket) {
    socket.on("data", (d) => {
      this.buffer += d.toString("latin1");
      this.waiting?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on("error", () => undefined);
  }

  static open(gw: StandaloneGateway): Promise<KeepAliveClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: gw.address, port: gw.port, servername: gw.servername, ca: fs.readFileSync(gw.tls.caCert) });
      socket.once("secureConnect", () => resolve(new KeepAliveClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends one request and reads its answer (Content-Length bodies); undefined when the connection closed first. */
  async request(gw: StandaloneGateway, target: string): Promise<Answer | undefined> {
    if (this.closed) return undefined;
    this.socket.write(`GET ${target} HTTP/1.1\r\nHost: ${gw.servername}\r\n\r\n`);
    const until = Date.now() + 15_000;
    for (;;) {
      const answer = this.complete();
      if (answer) return answer;
      if (this.closed || Date.now() > until) return undefined;
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 200);
      });
    }
  }

  private complete(): Answer | undefined {
    const end = this.buffer.indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.buffer.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers["content-length"] ?? 0);
    if (this.buffer.length < end + 4 + length) return undefined;
    this.buffer = this.buffer.slice(end + 4 + length);
    return { status: Number(statusLine.split(" ")[1]), headers };
  }
}

describe("a graceful gateway reload (real HAProxy)", () => {
  let gw: StandaloneGateway;
  beforeAll(async () => {
    gw = await startStandaloneGateway({ dir: tmpDir("reload"), limits: haLimits() });
  });
  afterAll(async () => gw?.stop());

  it("renders the idle-connection rule and a bound on how long the old process drains", () => {
    expect(gw.config).toMatch(/^\s+option idle-close-on-response$/m);
    expect(gw.config).toMatch(new RegExp(`^\\s+hard-stop-after ${hardStopAfterMs(DEFAULT_TIMEOUTS)}ms$`, "m"));
  });

  it("answers the next request of a connection left idle across the reload, then closes it; new connections reach the new process", async () => {
    const client = await KeepAliveClient.open(gw);
    try {
      expect((await client.request(gw, "/depot/v1/before"))?.status).toBe(200);
      await gw.reload();
      await sleep(300); // the old process is in its soft stop: before the fix it had closed this connection by now
      const after = await client.request(gw, "/depot/v1/after-reload");
      expect({ answered: after !== undefined, status: after?.status, connection: after?.headers.connection }).toEqual({
        answered: true,
        status: 200,
        connection: "close",
      });
      const fresh = await KeepAliveClient.open(gw);
      try {
        expect((await fresh.request(gw, "/depot/v1/new-connection"))?.status).toBe(200);
      } finally {
        fresh.socket.destroy();
      }
      expect(gw.backendRequests.map((r) => r.url)).toEqual(["/depot/v1/before", "/depot/v1/after-reload", "/depot/v1/new-connection"]);
    } finally {
      client.socket.destroy();
    }
  });
});
