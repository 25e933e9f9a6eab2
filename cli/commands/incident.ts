/**
 * lchost incident post|update|resolve|list: the hosting team's words on the status portal. Calls the portal's
 * admin API (render/statusPortal/adminApi.ts) with the team's bearer token, read from a file.
 */
import { INCIDENT_SEVERITIES, PORTAL_LANGUAGES, PortalLanguage } from "../../status-portal/src/env";
import { parsePortalUrl, readAdminToken, StatusPortalAdminClient, StatusPortalError, StatusPortalRefused } from "../../render/statusPortal/adminApi";
import { CommandSpec, Out, ParsedArgs, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";

export const PORTAL_URL_ENV = "LCHOST_PORTAL_URL";
export const PORTAL_TOKEN_FILE_ENV = "LCHOST_PORTAL_TOKEN_FILE";

export interface IncidentIo {
  env: NodeJS.ProcessEnv;
}
const defaultIo: IncidentIo = { env: process.env };

/** The portal's flags as the API names its fields: an error about `parts` is about --part. */
const FLAG_OF: Record<string, string> = {
  customer: "--customer",
  title: "--title",
  message: "--message",
  severity: "--severity",
  parts: "--part",
  language: "--language",
  id: "<id>",
};

/** The portal's admin client from --portal/--token-file (or their environment variables); shared with maintenance announce. */
export function portalAdminClient(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): StatusPortalAdminClient {
  try {
    const urlFlag = stringOpt(opts, "portal");
    const url =
      urlFlag !== undefined ? parsePortalUrl(urlFlag, "--portal") : env[PORTAL_URL_ENV] ? parsePortalUrl(env[PORTAL_URL_ENV]!, PORTAL_URL_ENV) : undefined;
    if (!url) throw new UsageError(`--portal <url> is required (or set ${PORTAL_URL_ENV}), e.g. http://127.0.0.1:9096`);
    const tokenFlag = stringOpt(opts, "tokenFile");
    const tokenFile = tokenFlag ?? env[PORTAL_TOKEN_FILE_ENV];
    if (!tokenFile) throw new UsageError(`--token-file <path> is required (or set ${PORTAL_TOKEN_FILE_ENV}): the file with the portal's admin token`);
    return new StatusPortalAdminClient(url, readAdminToken(tokenFile, tokenFlag !== undefined ? "--token-file" : PORTAL_TOKEN_FILE_ENV));
  } catch (e) {
    if (e instanceof StatusPortalError) throw new UsageError(e.message);
    throw e;
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StatusPortalRefused) {
      const flag = e.field ? FLAG_OF[e.field.split(/[.[]/)[0]] : undefined;
      throw new UsageError(`${flag ? `${flag}: ` : ""}the portal refused it: ${e.message}`);
    }
    if (e instanceof StatusPortalError) throw new RuntimeFailure(e.message);
    throw e;
  }
}

const language = (opts: Record<string, unknown>): PortalLanguage | undefined => {
  const v = stringOpt(opts, "language");
  if (v === undefined) return undefined;
  if (!(PORTAL_LANGUAGES as readonly string[]).includes(v)) throw new UsageError(`--language: '${v}' is not one of ${PORTAL_LANGUAGES.join(", ")}`);
  return v as PortalLanguage;
};

const common = (cmd: import("commander").Command) =>
  cmd
    .option("--portal <url>", `the status portal (default: $${PORTAL_URL_ENV})`)
    .option("--token-file <path>", `file with the portal's admin token (default: $${PORTAL_TOKEN_FILE_ENV})`)
    .option("--language <de|en>", "the language the text is written in (default en)");

const postSpec: CommandSpec<IncidentIo> = {
  name: "post",
  summary: "post a manual incident for a customer (--customer) or the whole service (--fleet, public page); prints its id",
  define: (cmd) =>
    common(
      cmd
        .option("--customer <name>", "the customer (its stack name)")
        .option("--fleet", "an incident of the whole service, shown on the public page")
        .requiredOption("--title <text>", "a short title")
        .requiredOption("--message <text>", "what happened and what the team does")
        .option("--severity <warning|critical>", "warning = impaired, critical = disrupted", "critical")
        .option("--part <part...>", "affected parts: entry, line-<n>, database, fsb, fsb-<n>"),
    ),
  run: async ({ opts }: ParsedArgs, out: Out, io?: IncidentIo): Promise<ExitCode> => {
    const customer = stringOpt(opts, "customer");
    if (opts.fleet && customer !== undefined) throw new UsageError("--customer and --fleet exclude each other");
    if (!opts.fleet && customer === undefined) throw new UsageError("--customer <name> or --fleet is required");
    const severity = stringOpt(opts, "severity")!;
    if (!(INCIDENT_SEVERITIES as readonly string[]).includes(severity))
      throw new UsageError(`--severity: '${severity}' is not one of ${INCIDENT_SEVERITIES.join(", ")}`);
    const lang = language(opts);
    const c = portalAdminClient(opts, (io ?? defaultIo).env);
    const i = await call(() =>
      c.postIncident({
        ...(customer !== undefined ? { customer } : { fleet: true }),
        title: stringOpt(opts, "title")!,
        message: stringOpt(opts, "message")!,
        severity: severity as "warning" | "critical",
        ...(Array.isArray(opts.part) ? { parts: opts.part as string[] } : {}),
        ...(lang ? { language: lang } : {}),
      }),
    );
    out(i.id);
    return EXIT.ok;
  },
};

const updateSpec = (resolve: boolean): CommandSpec<IncidentIo> => ({
  name: resolve ? "resolve" : "update",
  summary: resolve ? "resolve an incident (alert or manual) with a last word" : "add a human update to an incident's timeline",
  define: (cmd) => {
    const withId = cmd.argument("<id>", "the incident id (as post or list printed it)");
    if (resolve) withId.option("--message <text>", "the last word (default: Resolved.)");
    else withId.requiredOption("--message <text>", "the update");
    common(withId);
  },
  run: async ({ args, opts }, out, io) => {
    if (!/^[0-9a-f-]{36}$/.test(args[0])) throw new UsageError(`<id>: '${args[0]}' is not an incident id`);
    const lang = language(opts);
    const c = portalAdminClient(opts, (io ?? defaultIo).env);
    const message = stringOpt(opts, "message") ?? (lang === "de" ? "Behoben." : "Resolved.");
    const body = { message, ...(lang ? { language: lang } : {}) };
    const i = await call(() => (resolve ? c.resolveIncident(args[0], body) : c.updateIncident(args[0], body)));
    out(`${i.id} ${i.status}`);
    return EXIT.ok;
  },
});

const listSpec: CommandSpec<IncidentIo> = {
  name: "list",
  summary: "list open incidents (--all: the last 90 days of a customer, or of the whole service)",
  define: (cmd) =>
    common(cmd.option("--customer <name>", "only this customer's").option("--all", "resolved ones too (last 90 days)").option("--json", "print JSON")),
  run: async ({ opts }, out, io) => {
    const c = portalAdminClient(opts, (io ?? defaultIo).env);
    const list = await call(() => c.listIncidents({ customer: stringOpt(opts, "customer"), open: !opts.all }));
    if (opts.json) out(JSON.stringify(list, null, 2));
    else if (list.length === 0) out("no incidents");
    else for (const i of list) out(`${i.id}  ${i.status.padEnd(8)} ${i.severity.padEnd(8)} ${(i.customer ?? "(fleet)").padEnd(20)} ${i.startedAt}  ${i.title}`);
    return EXIT.ok;
  },
};

const SUBCOMMANDS = [postSpec, updateSpec(false), updateSpec(true), listSpec];

export const incidentSpec: CommandSpec<IncidentIo> = {
  name: "incident",
  summary: "the hosting team's incidents on the status portal: post | update <id> | resolve <id> | list",
  define: (cmd) => cmd.usage("<subcommand> [options]").argument("[subcommand]", SUBCOMMANDS.map((s) => s.name).join(" | ")),
  subcommands: SUBCOMMANDS,
  run: async ({ args }) => {
    const allowed = SUBCOMMANDS.map((s) => s.name).join(", ");
    if (args[0] === undefined) throw new UsageError(`name a subcommand: ${allowed} (lchost incident <subcommand> --help)`);
    throw new UsageError(`unknown subcommand '${args[0]}' (allowed: ${allowed})`);
  },
};
