/**
 * The runtime API of a deployed HTTPS entry (gateway, balancer, shared entry) on Docker: its admin socket
 * (haproxy/: `stats socket /tmp/haproxy-admin.sock … level admin`) is inside the container and never
 * published, so a command reaches it through `docker exec` of the image's perl (the HAProxy image has no
 * socat). What the rolling upgrade asks of it: drain a line, wait for its sessions to end, put it back,
 * and the 5xx responses counted per backend.
 */
import { dockerExec } from "../../dockerRun/dockerExec";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { statRows } from "../../haproxy";

const SEND =
  'use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "admin socket $ARGV[0]: $!\\n"; print $s "$ARGV[1]\\n"; print while <$s>;';

export class EntryAdmin {
  constructor(
    private readonly docker: DockerEngine,
    readonly container: string,
    private readonly socket: string,
  ) {}

  async command(command: string): Promise<string> {
    return (await dockerExec(this.docker, this.container, ["perl", "-e", SEND, this.socket, command])).stdout;
  }

  async stat(): Promise<Array<Record<string, string>>> {
    return statRows(await this.command("show stat"));
  }

  /** `set server B/S state drain|ready`; HAProxy answers nothing when it did it. */
  async setState(backend: string, server: string, state: "drain" | "ready"): Promise<void> {
    const answer = (await this.command(`set server ${backend}/${server} state ${state}`)).trim();
    if (answer) throw new Error(`${this.container}: set server ${backend}/${server} state ${state}: ${answer}`);
  }

  /** Waits until the named servers have no current session; throws after timeoutMs. */
  async waitSessionsEnded(servers: Array<{ backend: string; server: string }>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.stat();
      const busy = servers.map((s) => rows.find((r) => r.pxname === s.backend && r.svname === s.server)).filter((r) => r && Number(r.scur) > 0);
      if (busy.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.container}: ${busy.map((r) => `${r!.pxname}/${r!.svname} (${r!.scur} sessions)`).join(", ")} still busy after ${timeoutMs} ms of draining`,
        );
      await sleep(250);
    }
  }

  /**
   * Waits until every named server is UP; with `addresses`, UP at one of those addresses (a replaced
   * container's new IP: until the entry has resolved and checked it, an UP it reports is the old one's).
   */
  async waitUp(servers: Array<{ backend: string; server: string }>, timeoutMs: number, addresses?: string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const at = (r: Record<string, string> | undefined) => !addresses || addresses.some((a) => (r?.addr ?? "").startsWith(`${a}:`));
    for (;;) {
      const rows = await this.stat();
      const notUp = servers
        .map((s) => ({ s, r: rows.find((r) => r.pxname === s.backend && r.svname === s.server) }))
        .filter((x) => x.r?.status !== "UP" || !at(x.r));
      if (notUp.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.container}: ${notUp.map((x) => `${x.s.backend}/${x.s.server} ${x.r?.status ?? "missing"} at ${x.r?.addr || "no address"}`).join(", ")} not UP${addresses ? ` at ${addresses.join(" or ")}` : ""} after ${timeoutMs} ms`,
        );
      await sleep(250);
    }
  }

  /** 5xx responses counted on each of these backends (HAProxy's own 503s included), summed. */
  async responses5xx(backends: string[]): Promise<number> {
    const rows = await this.stat();
    return rows.filter((r) => r.svname === "BACKEND" && backends.includes(r.pxname)).reduce((n, r) => n + (Number(r.hrsp_5xx) || 0), 0);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
