import { OperationsSelectionError } from "../../sandbox/ops/operationsStack";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";
import { CommandSpec, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT } from "../exitCodes";

/** Prints what a user needs to try the sandbox: where to connect and how. */
export function describeSandbox(sb: SandboxHandle): string[] {
  const out: string[] = [`sandbox '${sb.name}' is up (${sb.processes().length} processes, files in ${sb.dir})`];
  for (const [stack, ep] of Object.entries(sb.endpoints)) {
    out.push("", `${stack} (${ep.role === "shared-server" ? "shared server" : ep.edition}):`);
    if (ep.gateway) {
      out.push(`  HTTPS entry   ${ep.gateway.url}  (Host/SNI ${ep.gateway.host}; CA ${sb.tls.caCert})`);
      out.push(
        `    e.g. curl --cacert ${sb.tls.caCert} --resolve ${ep.gateway.host}:${ep.gateway.port}:${ep.gateway.address} https://${ep.gateway.host}:${ep.gateway.port}/healthz`,
      );
    }
    for (const l of ep.lines) out.push(`  License Central ${l.process}  ${l.url}  admin ${l.adminUrl}`);
    for (const f of ep.fsbs) out.push(`  FSB           ${f.process}  ${f.url}`);
    for (const d of ep.databases) out.push(`  MariaDB       ${d.process}  ${d.host}:${d.port}${d.galeraNode ? ` (Galera node ${d.galeraNode})` : ""}`);
  }
  const ops = sb.operations;
  if (ops) {
    out.push("", `operations (${ops.stack}, from ${ops.source}):`);
    out.push(`  Prometheus    ${ops.prometheusUrl}  (alerts: ${ops.prometheusUrl}/api/v1/alerts)`);
    out.push(`  Alertmanager  ${ops.alertmanagerUrl}`);
    out.push(`  notifier      ${ops.notifierUrl}`);
    out.push(
      `  every customer webhook goes to ${ops.receivers.webhooks.url("<customer>")}, every mail to ${ops.receivers.mail.host}:${ops.receivers.mail.port}: ` +
        `recorded in ${ops.receivers.recordFiles.webhooks} and ${ops.receivers.recordFiles.mail}, never sent out`,
    );
  }
  for (const n of sb.notes) out.push("", `note: ${n}`);
  out.push("", `endpoints and credentials (tokens, passwords, client certificate): ${sb.endpointsFile} (mode 0600)`, "Ctrl-C stops everything.");
  return out;
}

/** Runs a stack's topology locally until SIGINT/SIGTERM. Exit 0 after a clean stop, 4 when a program is missing. */
export const sandboxSpec: CommandSpec = {
  name: "sandbox",
  summary: "run a stack as local processes (MariaDB/Galera, HAProxy, FSB, License Central) until Ctrl-C",
  define: (cmd) =>
    cmd
      .argument("[stacks...]", "stacks in stacks/ (several with --operations: the customers it watches)")
      .option("--stack-file <path>", "a stack file (named Pulumi.<stack>.yaml)")
      .option("--tenants <a,b>", "shared server: only these tenants")
      .option("--allow-loopback", "use 127.x addresses when network namespaces are not available")
      .option(
        "--operations [ops-stack]",
        "also run an operations stack watching these stacks (default: the first lchost:role: operations stack in stacks/, else a built-in one); " +
          "webhooks and mail go to local receivers",
      )
      .option("--fast-alerts", "with --operations: test intervals (scrape every 2 s, evaluate and group every second); default: the shipped ones")
      .option("--name <name>", "the sandbox's name")
      .option("--dir <dir>", "where its files go"),
  run: async ({ args, opts }, out) => {
    const file = stringOpt(opts, "stackFile");
    if (file !== undefined && args.length > 0) throw new UsageError("give either <stack> or --stack-file, not both");
    const operations = opts.operations;
    if (file === undefined && args.length === 0) throw new UsageError("name a stack: lchost sandbox <stack> (or --stack-file <path>)");
    if (file === undefined && args.length > 1 && operations === undefined)
      throw new UsageError(`name one stack (given: ${args.join(", ")}); several stacks run together with --operations`);
    if (opts.fastAlerts && operations === undefined) throw new UsageError("--fast-alerts: only with --operations");
    const tenantList = stringOpt(opts, "tenants");
    const tenants =
      tenantList !== undefined
        ? tenantList
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined;
    const sb = await startSandbox({
      stacks: file !== undefined ? undefined : args,
      stackFiles: file !== undefined ? [file] : undefined,
      tenants,
      name: stringOpt(opts, "name"),
      dir: stringOpt(opts, "dir"),
      allowLoopback: Boolean(opts.allowLoopback),
      operations:
        operations === undefined ? undefined : { stack: typeof operations === "string" ? operations : undefined, fastAlerts: Boolean(opts.fastAlerts) },
      log: (l) => out(l),
    }).catch((e: unknown) => {
      // a bad --operations is the user's input (exit 2); a missing program (MissingProgramError) exits 4 through main.ts
      throw e instanceof OperationsSelectionError ? new UsageError(e.message) : e;
    });
    for (const l of describeSandbox(sb)) out(l);
    out(`${await untilStopSignal()}: stopping the sandbox`);
    await sb.stop();
    out("stopped; no sandbox process left");
    return EXIT.ok;
  },
};

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
