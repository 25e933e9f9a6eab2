/**
 * A customer's entry address that stays the same while the customer moves between editions in the
 * sandbox, as a DNS name or floating IP would in production: an HAProxy in TCP mode on an address of
 * the customer's own (`127.B.0.1`, B from the customer's name; sandboxes never use a `.0.` block)
 * that passes TLS through, untouched, to the gateway of the edition that currently serves the customer
 * (a Datacenter tenant: its shared server's entry point). Client certificates, SNI and Host reach that
 * gateway as the client sent them. Moving the customer is a graceful reload (`-sf`): connections in
 * flight finish on the old process, new ones go to the new gateway.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import { haproxyAdminCommand } from "../haproxy/adminSocket";
import * as fs from "fs";
import * as path from "path";
import { sandboxOctet } from "./sandboxAddresses";

export interface CustomerEntryConfig {
  bind: { address: string; port: number };
  /** The edition's gateway (its TLS frontend). */
  upstream: { address: string; port: number };
  adminSocketPath: string;
}

/** haproxy.cfg of the customer's entry. Pure. */
export function renderCustomerEntryConfig(c: CustomerEntryConfig): string {
  return [
    "# The customer's stable entry in the sandbox (sandbox/customerEntry.ts): TLS passed through to the current edition's gateway.",
    "global",
    "  maxconn 4096",
    `  stats socket ${c.adminSocketPath} mode 600 level admin`,
    "",
    "defaults",
    "  mode tcp",
    "  timeout connect 2000ms",
    "  timeout client 60000ms",
    "  timeout server 60000ms",
    "",
    "frontend customer",
    `  bind ${c.bind.address}:${c.bind.port}`,
    "  default_backend current_edition",
    "",
    "backend current_edition",
    `  server gateway ${c.upstream.address}:${c.upstream.port} check inter 500ms`,
    "",
  ].join("\n");
}

/** The customer's entry address in the sandbox: `127.B.0.1`. */
export function customerEntryAddress(customer: string): string {
  return `127.${sandboxOctet(customer)}.0.1`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CustomerEntry {
  readonly address: string;
  private readonly socket: string;
  private processes: ChildProcess[] = [];
  upstream?: { address: string; port: number };

  constructor(
    readonly customer: string,
    private readonly dir: string,
    readonly port = 8443,
  ) {
    this.address = customerEntryAddress(customer);
    this.socket = path.join(dir, "entry.sock");
  }

  get url(): string {
    return `https://${this.address}:${this.port}`;
  }

  /** PIDs of the entry's HAProxy processes still running (one, two during a reload). */
  pids(): number[] {
    return this.processes.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => p.pid!);
  }

  /** Sends new connections to `upstream`; the first call starts the entry, later ones reload it gracefully. */
  async pointTo(upstream: { address: string; port: number }): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const cfg = path.join(this.dir, "entry.cfg");
    fs.writeFileSync(cfg, renderCustomerEntryConfig({ bind: { address: this.address, port: this.port }, upstream, adminSocketPath: this.socket }), {
      mode: 0o600,
    });
    const check = spawnSync("haproxy", ["-c", "-q", "-f", cfg], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`haproxy -c ${cfg}: ${check.stderr || check.stdout}`);
    const old = this.pids();
    const log = fs.openSync(path.join(this.dir, "entry.log"), "a", 0o600);
    const child = spawn("haproxy", ["-db", "-f", cfg, ...(old.length ? ["-sf", ...old.map(String)] : [])], { stdio: ["ignore", log, log], detached: true });
    fs.closeSync(log);
    child.unref();
    if (!child.pid) throw new Error("the customer entry's haproxy did not start");
    this.processes.push(child);
    if (this.processes.length === 1) process.once("exit", this.killOnExit);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the customer entry's haproxy exited (${child.exitCode}); see ${this.dir}/entry.log`);
      const info = await haproxyAdminCommand(this.socket, "show info").catch(() => "");
      if (new RegExp(`^Pid: ${child.pid}$`, "m").test(info)) break;
      if (Date.now() > deadline) throw new Error("the customer entry's haproxy did not answer on its admin socket within 15 s");
      await sleep(50);
    }
    this.upstream = upstream;
  }

  // the owner died without stop(): take the entry along, by PID
  private readonly killOnExit = () => {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };

  /** Stops every entry process, by PID. */
  async stop(): Promise<void> {
    process.off("exit", this.killOnExit);
    for (const pid of this.pids()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* gone */
      }
    }
    const deadline = Date.now() + 5000;
    while (this.pids().length && Date.now() < deadline) await sleep(50);
    for (const pid of this.pids()) process.kill(pid, "SIGKILL");
  }
}
