import * as path from "path";
import { loadStack, loadStackFile } from "../../model/stackFile";
import { HostsSandbox } from "../../sandbox/hosts/hostsSandbox";
import { OperationsSelectionError } from "../../sandbox/ops/operationsStack";
import { SandboxHandle, startSandbox } from "../../sandbox/startSandbox";
import { CommandSpec, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";

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
      .option("--single-host", "a High Availability stack on lchost:hosts: run it on loopback addresses as before, not as hosts")
      .option("--netns-prefix <p>", "hosts as namespaces: prefix of the bridge and namespace names (2-6 letters/digits)", "lch")
      .option("--arbitrator <name=address>", "hosts as namespaces, 2 hosts: the third host for the Galera arbitrator (garbd)")
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
    if (operations === undefined && !opts.singleHost && (file !== undefined || args.length === 1)) {
      const stack = file !== undefined ? loadStackFile(path.resolve(file)) : loadStack(args[0]);
      const c = stack.config;
      if (c.role === "customer" && c.edition === "high-availability" && c.hosts && c.balancer) return runOnHosts(stack.path, opts, out);
    }
    if (opts.arbitrator !== undefined) throw new UsageError("--arbitrator: only for a High Availability stack on lchost:hosts (hosts as namespaces)");
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

/** `--arbitrator h3=10.20.0.13` as the hosts sandbox's arbitrator. */
export function parseArbitrator(value: string | undefined): { name: string; address: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^([a-z][a-z0-9-]{0,62})=(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (!m) throw new UsageError(`--arbitrator: ${JSON.stringify(value)} is not <host name>=<IPv4 address> (e.g. h3=10.20.0.13)`);
  return { name: m[1], address: m[2] };
}

/** An HA stack on lchost:hosts: each host a network namespace on a bridge, the balancer pair holding the VIP (sandbox/hosts/). */
async function runOnHosts(stackFile: string, opts: Record<string, unknown>, out: (line: string) => void): Promise<ExitCode> {
  const tag = stringOpt(opts, "netnsPrefix") ?? "lch";
  if (!/^[a-z][a-z0-9]{1,5}$/.test(tag))
    throw new UsageError(`--netns-prefix: ${JSON.stringify(tag)} is not 2-6 lower-case letters or digits, starting with a letter`);
  const hs = await HostsSandbox.start({
    stackFile,
    tag,
    arbitrator: parseArbitrator(stringOpt(opts, "arbitrator")),
    name: stringOpt(opts, "name"),
    dir: stringOpt(opts, "dir"),
    log: (l) => out(l),
  });
  for (const l of describeSandbox(hs.sb)) out(l);
  out("");
  out(`hosts as network namespaces (bridge ${hs.layout.bridge}, ${hs.layout.bridgeAddress}/${hs.layout.prefixLength} on this machine):`);
  for (const h of hs.layout.hosts)
    out(
      `  ${h.name.padEnd(8)} ${h.address.padEnd(15)} namespace ${h.netns}: ${
        hs
          .partsOn(h.name)
          .map((p) => p.name)
          .join(", ") || "-"
      }`,
    );
  out(`  VIP ${hs.vip} held by ${hs.holders().join(", ") || "none"}; the client's namespace: ${hs.layout.client.netns} (${hs.layout.client.address})`);
  out(
    `    e.g. ip netns exec ${hs.layout.client.netns} curl --cacert ${hs.sb.tls.caCert} --resolve ${hs.servername}:${hs.entryPort}:${hs.vip} https://${hs.servername}:${hs.entryPort}/healthz`,
  );
  out(`${await untilStopSignal()}: stopping the sandbox and removing its namespaces`);
  await hs.stop();
  out("stopped; no sandbox process, namespace or bridge left");
  return EXIT.ok;
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
