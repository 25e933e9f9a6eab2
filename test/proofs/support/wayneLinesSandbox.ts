/**
 * The sandbox the extra-lines and autoscale proofs share: wayne (HA) booked with 2 lines instead of 3, plus
 * whatever stack keys the proof adds, started with activation tickets; and the gateway's view of its lines.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTickets } from "../../../sandbox/activationLoad";
import { SandboxHandle, startSandbox } from "../../../sandbox/startSandbox";
import { statRows } from "../../../haproxy/showStat";

export interface WayneLinesSandbox {
  dir: string;
  stackFile: string;
  sb: SandboxHandle;
  tickets: string[];
  stop(): Promise<void>;
}

export async function startWayneLinesSandbox(opts: { name: string; extraKeys?: string; tickets: number; ticketPrefix: string }): Promise<WayneLinesSandbox> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.name}-`));
  const stackFile = path.join(dir, "Pulumi.wayne.yaml");
  const wayne = fs.readFileSync(path.join(__dirname, "../../../stacks/Pulumi.wayne.yaml"), "utf8");
  fs.writeFileSync(stackFile, wayne.replace("  lchost:lines: 3\n", `  lchost:lines: 2\n${opts.extraKeys ?? ""}`));
  let sb: SandboxHandle | undefined;
  let tickets: string[];
  try {
    sb = await startSandbox({ stackFiles: [stackFile], name: opts.name, removeOnStop: true, serviceLogLevel: "warn" });
    tickets = await createTickets(sb, "wayne", opts.tickets, opts.ticketPrefix);
  } catch (e) {
    await sb?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const started = sb;
  return {
    dir,
    stackFile,
    sb: started,
    tickets,
    async stop() {
      await started.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The gateway's license_central servers: status and requests served, by server name (line1 …). */
export async function gatewayLineStats(sb: SandboxHandle): Promise<Record<string, { status: string; served: number }>> {
  return Object.fromEntries(
    statRows(await sb.haproxyCommand(sb.endpoints.wayne.gateway!.process, "show stat"))
      .filter((r) => r.pxname === "license_central" && /^line\d+$/.test(r.svname))
      .map((r) => [r.svname, { status: r.status, served: Number(r.stot) || 0 }]),
  );
}
