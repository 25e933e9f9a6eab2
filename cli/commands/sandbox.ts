import { parseArgs, UsageError } from "../args";
import { MissingProgramError } from "../../sandbox/prerequisites";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";

export const sandboxUsage =
  "lchost sandbox <stack> | --stack-file <path> [--tenants a,b] [--allow-loopback] [--name N] [--dir D]  (runs the stack as local processes until Ctrl-C)";

/** Prints what a user needs to try the sandbox: where to connect and how. */
export function describeSandbox(sb: SandboxHandle): string[] {
  const out: string[] = [`sandbox '${sb.name}' is up (${sb.processes().length} processes, files in ${sb.dir})`];
  for (const [stack, ep] of Object.entries(sb.endpoints)) {
    out.push("", `${stack} (${ep.role === "shared-server" ? "shared server" : ep.edition}):`);
    if (ep.gateway) {
      out.push(`  HTTPS entry   ${ep.gateway.url}  (Host/SNI ${ep.gateway.host}; CA ${sb.tls.caCert})`);
      out.push(`    e.g. curl --cacert ${sb.tls.caCert} --resolve ${ep.gateway.host}:${ep.gateway.port}:${ep.gateway.address} https://${ep.gateway.host}:${ep.gateway.port}/healthz`);
    }
    for (const l of ep.lines) out.push(`  License Central ${l.process}  ${l.url}  admin ${l.adminUrl}`);
    for (const f of ep.fsbs) out.push(`  FSB           ${f.process}  ${f.url}`);
    for (const d of ep.databases) out.push(`  MariaDB       ${d.process}  ${d.host}:${d.port}${d.galeraNode ? ` (Galera node ${d.galeraNode})` : ""}`);
  }
  for (const n of sb.notes) out.push("", `note: ${n}`);
  out.push("", `endpoints and credentials (tokens, passwords, client certificate): ${sb.endpointsFile} (mode 0600)`, "Ctrl-C stops everything.");
  return out;
}

/** Runs a stack's topology locally until SIGINT/SIGTERM. Exit 0 after a clean stop, 3 when a program is missing. */
export async function sandboxCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { boolean: ["allow-loopback"], string: ["stack-file", "tenants", "name", "dir"] });
  const file = args.flags["stack-file"];
  if (typeof file === "string" && args.positionals.length > 0) throw new UsageError("give either <stack> or --stack-file, not both");
  if (typeof file !== "string" && args.positionals.length !== 1) throw new UsageError("name one stack: lchost sandbox <stack> (or --stack-file <path>)");
  const tenants = typeof args.flags.tenants === "string" ? args.flags.tenants.split(",").map((t) => t.trim()).filter(Boolean) : undefined;
  let sb: SandboxHandle;
  try {
    sb = await startSandbox({
      stacks: typeof file === "string" ? undefined : args.positionals,
      stackFiles: typeof file === "string" ? [file] : undefined,
      tenants,
      name: typeof args.flags.name === "string" ? args.flags.name : undefined,
      dir: typeof args.flags.dir === "string" ? args.flags.dir : undefined,
      allowLoopback: Boolean(args.flags["allow-loopback"]),
      log: (l) => out(l),
    });
  } catch (e) {
    if (e instanceof MissingProgramError) {
      out(`lchost sandbox: ${e.message}`);
      return 3;
    }
    throw e;
  }
  for (const l of describeSandbox(sb)) out(l);
  out(`${await untilStopSignal()}: stopping the sandbox`);
  await sb.stop();
  out("stopped; no sandbox process left");
  return 0;
}

/** Keeps this process alive (the sandbox's children are detached and unref'd) until SIGINT or SIGTERM. */
export async function untilStopSignal(): Promise<NodeJS.Signals> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  clearInterval(keepAlive);
  return signal;
}
