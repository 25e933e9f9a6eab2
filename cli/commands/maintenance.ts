/**
 * lchost maintenance silence|silences|unsilence: announced work on a customer's stack pages no one. A
 * silence in the operations stack's Alertmanager (API v2) for that customer's alerts (label `customer`;
 * a shared server: every tenant), created by `lchost`, with the reason as its comment. `announce`
 * (maintenanceAnnounce.ts) does that and also tells the customers, the status portal and the SLA record.
 */
import * as path from "path";
import { AlertmanagerClient, AlertmanagerError, Silence } from "../../render/alertmanager/api";
import { maintenanceSilence, parseIsoTime, SilenceInputError } from "../../render/alertmanager/maintenanceSilence";
import { CommandSpec, Out, ParsedArgs, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { announceSpec } from "./maintenanceAnnounce";
import { ALERTMANAGER_URL_ENV, alertmanagerUrl, MaintenanceIo, silencedStack } from "./maintenanceTargets";

export { ALERTMANAGER_URL_ENV, alertmanagerUrl, configuredAlertmanagerUrl, silencedStack } from "./maintenanceTargets";
export type { MaintenanceIo } from "./maintenanceTargets";

const defaultIo: MaintenanceIo = { env: process.env, now: () => new Date() };

async function withAlertmanager<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AlertmanagerError) throw new RuntimeFailure(e.message);
    throw e;
  }
}

const alertmanagerOption = (cmd: import("commander").Command) =>
  cmd.option("--alertmanager <url>", `the operations stack's Alertmanager (default: $${ALERTMANAGER_URL_ENV})`);

const silenceSpec: CommandSpec<MaintenanceIo> = {
  name: "silence",
  summary: "silence a stack's alerts for a maintenance window; prints the silence id",
  define: (cmd) =>
    alertmanagerOption(
      cmd
        .argument("<stack>", "a customer or shared-server stack in stacks/ (a shared server: every tenant)")
        .requiredOption("--from <time>", "start, ISO 8601 with time zone (e.g. 2026-11-28T22:00:00Z)")
        .requiredOption("--to <time>", "end, ISO 8601 with time zone, after --from")
        .requiredOption("--reason <text>", "why: the silence's comment")
        .option("--stacks-dir <dir>", "the folder of the stack files (default: stacks/)"),
    ),
  run: (parsed, out, io) => silence(parsed, out, io ?? defaultIo),
};

async function silence({ args, opts }: ParsedArgs, out: Out, io: MaintenanceIo): Promise<ExitCode> {
  let request;
  try {
    const from = parseIsoTime(stringOpt(opts, "from")!, "--from");
    const to = parseIsoTime(stringOpt(opts, "to")!, "--to");
    const dir = stringOpt(opts, "stacksDir");
    const stack = silencedStack(args[0], dir !== undefined ? path.resolve(dir) : undefined);
    request = maintenanceSilence({ stack, from, to, reason: stringOpt(opts, "reason")!, now: io.now() });
  } catch (e) {
    if (e instanceof SilenceInputError) throw new UsageError(e.message);
    throw e;
  }
  const url = alertmanagerUrl(opts, io.env);
  const id = await withAlertmanager(() => new AlertmanagerClient(url).createSilence(request));
  out(id);
  return EXIT.ok;
}

const silencesSpec: CommandSpec<MaintenanceIo> = {
  name: "silences",
  summary: "list Alertmanager's silences (active and pending; --all: expired too)",
  define: (cmd) => alertmanagerOption(cmd.option("--all", "also the expired ones").option("--json", "print the list as JSON")),
  run: async ({ opts }, out, io) => {
    const url = alertmanagerUrl(opts, (io ?? defaultIo).env);
    const all = await withAlertmanager(() => new AlertmanagerClient(url).listSilences());
    const shown = all.filter((s) => opts.all || s.state !== "expired").sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    if (opts.json) out(JSON.stringify(shown, null, 2));
    else if (shown.length === 0) out(opts.all ? "no silences" : "no active or pending silences");
    else for (const s of shown) out(silenceLine(s));
    return EXIT.ok;
  },
};

function silenceLine(s: Silence): string {
  const matchers = s.matchers.map((m) => `${m.name}${m.isEqual === false ? "!" : ""}${m.isRegex ? "=~" : "="}"${m.value}"`).join(",");
  return `${s.id}  ${s.state.padEnd(7)}  ${s.startsAt} -> ${s.endsAt}  {${matchers}}  by ${s.createdBy}: ${s.comment}`;
}

const unsilenceSpec: CommandSpec<MaintenanceIo> = {
  name: "unsilence",
  summary: "expire a silence now",
  define: (cmd) => alertmanagerOption(cmd.argument("<id>", "the silence id (as 'silence' printed it)")),
  run: async ({ args, opts }, out, io) => {
    const url = alertmanagerUrl(opts, (io ?? defaultIo).env);
    if (!/^[A-Za-z0-9-]+$/.test(args[0])) throw new UsageError(`<id>: '${args[0]}' is not a silence id`);
    await withAlertmanager(() => new AlertmanagerClient(url).expireSilence(args[0]));
    out(`expired ${args[0]}`);
    return EXIT.ok;
  },
};

const SUBCOMMANDS = [silenceSpec, announceSpec, silencesSpec, unsilenceSpec];

export const maintenanceSpec: CommandSpec<MaintenanceIo> = {
  name: "maintenance",
  summary: "announced work on a stack: silence <stack> | announce <stack>|--all | silences | unsilence <id>",
  define: (cmd) => cmd.usage("<subcommand> [options]").argument("[subcommand]", SUBCOMMANDS.map((s) => s.name).join(" | ")),
  subcommands: SUBCOMMANDS,
  run: async ({ args }) => {
    const allowed = SUBCOMMANDS.map((s) => s.name).join(", ");
    if (args[0] === undefined) throw new UsageError(`name a subcommand: ${allowed} (lchost maintenance <subcommand> --help)`);
    throw new UsageError(`unknown subcommand '${args[0]}' (allowed: ${allowed})`);
  },
};
