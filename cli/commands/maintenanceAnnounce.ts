/**
 * lchost maintenance announce <stack>|--all --from <ISO> --to <ISO> --reason "…": silences the window's
 * alerts, publishes it on the status portal, records it for the SLA and tells each customer through its
 * notification channels (fleet/maintenanceAnnouncement.ts; docs/sla.md "Announcing maintenance"). Every
 * flag is checked before anything is changed; a later failure undoes what was done.
 */
import * as fs from "fs";
import * as path from "path";
import { slaRules } from "../../model/catalog";
import { DEFAULT_MAINTENANCE_FILE, MAINTENANCE_FILE_ENV, MaintenanceFileError, parseMaintenanceAnnouncements } from "../../model/maintenanceAnnouncements";
import { packageRoot } from "../../model/packageRoot";
import { CustomerConfig } from "../../model/stackConfig";
import { loadStack, stackFilePath, stacksDir } from "../../model/stackFile";
import { AlertmanagerClient } from "../../render/alertmanager/api";
import { parseIsoTime, SilenceInputError } from "../../render/alertmanager/maintenanceSilence";
import { StatusPortalError } from "../../render/statusPortal/adminApi";
import { PORTAL_LANGUAGES, PortalLanguage } from "../../status-portal/src/env";
import { announceMaintenance, AnnouncedStack, announcementInTime, AnnouncementOutcome, AnnouncementRequest } from "../../fleet/maintenanceAnnouncement";
import { ProgressLog } from "../../migration/progressLog";
import { StepsRolledBack } from "../../migration/stepRunner";
import { CommandSpec, Out, ParsedArgs, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { PORTAL_TOKEN_FILE_ENV, PORTAL_URL_ENV, portalAdminClient } from "./incident";
import { alertmanagerUrl, ALERTMANAGER_URL_ENV, MaintenanceIo, silencedStack } from "./maintenanceTargets";

/** --from may lie this far in the past (clocks of the operator's machine and the servers differ a little). */
export const CLOCK_SKEW_MS = 60_000;
/** The portal stores at most this much of a reason. */
const REASON_MAX = 2000;
const DAY_MS = 86_400_000;

function channelsOf(cfg: CustomerConfig): string[] {
  const n = cfg.notifications;
  if (!n) return [];
  return [...(n.email.length > 0 ? ["email"] : []), ...(n.webhook ? ["webhook"] : [])];
}

/** A customer stack's config, or undefined when there is no such customer stack. */
function customerStack(name: string, dir: string): CustomerConfig | undefined {
  if (!fs.existsSync(stackFilePath(name, dir))) return undefined;
  const cfg = loadStack(name, dir).config;
  return cfg.role === "customer" ? cfg : undefined;
}

/** The announced stack of one customer or shared-server stack; an unknown stack is a usage error naming <stack>. */
function oneStack(name: string, dir: string): AnnouncedStack {
  const silenced = silencedStack(name, dir);
  if (silenced.kind === "customer") {
    const cfg = customerStack(name, dir)!;
    return {
      stack: name,
      silenced: { kind: "customer", customer: cfg.customer },
      customers: [{ customer: cfg.customer, edition: cfg.edition, channels: channelsOf(cfg) }],
    };
  }
  if (silenced.tenants.length === 0) throw new UsageError(`<stack>: shared server '${name}' has no tenants (lchost:tenants): there is no one to announce to`);
  return {
    stack: name,
    silenced,
    // a tenant's own stack file says its edition and channels; a shared server hosts Datacenter tenants only
    customers: silenced.tenants.map((t) => {
      const cfg = customerStack(t, dir);
      return cfg ? { customer: cfg.customer, edition: cfg.edition, channels: channelsOf(cfg) } : { customer: t, edition: "datacenter", channels: [] };
    }),
  };
}

/** --all: every customer stack once, and the tenants of shared servers that have no customer stack of their own. */
function everyStack(dir: string, field: string): AnnouncedStack[] {
  if (!fs.existsSync(dir)) throw new UsageError(`${field}: '${dir}' does not exist`);
  const names = fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((n): n is string => Boolean(n))
    .sort();
  const configs = names.map((n) => ({ name: n, cfg: loadStack(n, dir).config }));
  const stacks: AnnouncedStack[] = [];
  const covered = new Set<string>();
  for (const { name, cfg } of configs) {
    if (cfg.role !== "customer") continue;
    stacks.push({
      stack: name,
      silenced: { kind: "customer", customer: cfg.customer },
      customers: [{ customer: cfg.customer, edition: cfg.edition, channels: channelsOf(cfg) }],
    });
    covered.add(cfg.customer);
  }
  for (const { name, cfg } of configs) {
    if (cfg.role !== "shared-server") continue;
    const rest = cfg.tenants.filter((t) => !covered.has(t));
    if (rest.length === 0) continue;
    rest.forEach((t) => covered.add(t));
    stacks.push({
      stack: name,
      silenced: { kind: "shared-server", name, tenants: rest },
      customers: rest.map((t) => ({ customer: t, edition: "datacenter", channels: [] })),
    });
  }
  if (stacks.length === 0) throw new UsageError(`--all: no customer or shared-server stack in ${dir}`);
  return stacks;
}

/** The announcements file: its path, the name of what chose it (for messages) and its text (undefined: not there yet). */
function maintenanceFile(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): { file: string; field: string; text: string | undefined } {
  const flag = stringOpt(opts, "maintenanceFile");
  const given = flag ?? env[MAINTENANCE_FILE_ENV];
  const field = flag !== undefined ? "--maintenance-file" : given !== undefined ? MAINTENANCE_FILE_ENV : "the default maintenance file";
  const file = path.resolve(given ?? path.join(packageRoot(), DEFAULT_MAINTENANCE_FILE));
  if (!fs.existsSync(file)) {
    const dir = path.dirname(file);
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`${field}: ${dir} is not a directory`);
    return { file, field, text: undefined };
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${field}: ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    parseMaintenanceAnnouncements(text, file);
  } catch (e) {
    if (e instanceof MaintenanceFileError) throw new UsageError(`${field}: ${e.message}`);
    throw e;
  }
  return { file, field, text };
}

function language(opts: Record<string, unknown>): PortalLanguage {
  const v = stringOpt(opts, "language") ?? "en";
  if (!(PORTAL_LANGUAGES as readonly string[]).includes(v)) throw new UsageError(`--language: '${v}' is not one of ${PORTAL_LANGUAGES.join(", ")}`);
  return v as PortalLanguage;
}

/** Everything checked, nothing changed yet: the request, or a UsageError naming the flag. */
export function announcementRequest({ args, opts }: ParsedArgs, io: MaintenanceIo): AnnouncementRequest {
  const now = io.now();
  let from: Date, to: Date;
  try {
    from = parseIsoTime(stringOpt(opts, "from")!, "--from");
    to = parseIsoTime(stringOpt(opts, "to")!, "--to");
  } catch (e) {
    if (e instanceof SilenceInputError) throw new UsageError(e.message);
    throw e;
  }
  if (to.getTime() <= from.getTime()) throw new UsageError(`--to: ${to.toISOString()} must be after --from ${from.toISOString()}`);
  if (from.getTime() < now.getTime() - CLOCK_SKEW_MS)
    throw new UsageError(`--from: ${from.toISOString()} is in the past (now ${now.toISOString()}): maintenance is announced before it starts`);
  const reason = stringOpt(opts, "reason")!.trim();
  if (reason === "") throw new UsageError("--reason: must say why (customers read it)");
  if (reason.length > REASON_MAX) throw new UsageError(`--reason: ${reason.length} characters, at most ${REASON_MAX}`);
  const lang = language(opts);
  if (opts.all && args[0] !== undefined) throw new UsageError(`<stack> and --all exclude each other: announce for '${args[0]}' or for everyone`);
  if (!opts.all && args[0] === undefined) throw new UsageError("<stack> or --all is required");
  const dirFlag = stringOpt(opts, "stacksDir");
  const dir = dirFlag !== undefined ? path.resolve(dirFlag) : stacksDir();
  const stacks = opts.all ? everyStack(dir, dirFlag !== undefined ? "--stacks-dir" : "stacks/") : [oneStack(args[0], dir)];
  const record = maintenanceFile(opts, io.env);
  return { stacks, from, to, reason, language: lang, announcedAt: now, noticeDays: slaRules().maintenanceNoticeDays, file: record.file, oldText: record.text };
}

/** What was done, for the operator: ids to find or undo things by, who was told, and what it means for the SLA. */
export function announcementSummary(req: AnnouncementRequest, o: AnnouncementOutcome): string[] {
  const days = (req.from.getTime() - req.announcedAt.getTime()) / DAY_MS;
  const ahead = days >= 1 ? `${Math.floor(days * 10) / 10} day(s)` : `${Math.max(0, Math.round(days * 24 * 10) / 10)} hour(s)`;
  return [
    `announced maintenance ${req.from.toISOString()} -> ${req.to.toISOString()}: ${req.reason}`,
    `  silences:  ${o.silences.map((s) => `${s.id} (${s.stack})`).join(", ")}`,
    `  portal:    ${o.portal.map((p) => `${p.id} (${p.customer})`).join(", ")}`,
    `  recorded:  ${o.file}`,
    `  notified:  ${o.notified.map((n) => `${n.customer} (${n.channels.join(", ") || "no notification channels: portal only, on-call hears of it"})`).join(", ")}`,
    o.inTime
      ? `  SLA:       announced ${ahead} ahead (at least ${req.noticeDays} days): its minutes are excluded from the month's availability`
      : `  SLA:       announced only ${ahead} ahead, less than the ${req.noticeDays} days the SLA requires: its minutes COUNT AS DOWNTIME in the month's availability`,
  ];
}

async function announce(parsed: ParsedArgs, out: Out, io: MaintenanceIo): Promise<ExitCode> {
  const req = announcementRequest(parsed, io);
  const alertmanager = new AlertmanagerClient(alertmanagerUrl(parsed.opts, io.env));
  const portal = portalAdminClient(parsed.opts, io.env);
  if (!announcementInTime(req)) out(`note: announced less than ${req.noticeDays} days ahead, the window will count as downtime for the SLA`);
  let outcome: AnnouncementOutcome;
  try {
    outcome = await announceMaintenance(req, { alertmanager, portal, log: new ProgressLog(out) });
  } catch (e) {
    if (e instanceof StepsRolledBack) {
      const undone =
        e.undoFailures.length === 0 ? "everything done before it was undone" : `these undos FAILED, clean up by hand: ${e.undoFailures.join("; ")}`;
      throw new RuntimeFailure(`nothing was announced: ${e.failedStep} failed (${e.failure.message.split("\n")[0]}); ${undone}`);
    }
    if (e instanceof StatusPortalError) throw new RuntimeFailure(e.message);
    throw e;
  }
  for (const line of announcementSummary(req, outcome)) out(line);
  return EXIT.ok;
}

export const announceSpec: CommandSpec<MaintenanceIo> = {
  name: "announce",
  summary: "announce maintenance: silence, status portal, SLA record and a notice to each customer's channels",
  define: (cmd) =>
    cmd
      .argument("[stack]", "a customer or shared-server stack in stacks/ (a shared server: every tenant); or --all")
      .option("--all", "every customer (each customer and shared-server stack)")
      .requiredOption("--from <time>", "start, ISO 8601 with time zone, not in the past (e.g. 2026-12-05T22:00:00Z)")
      .requiredOption("--to <time>", "end, ISO 8601 with time zone, after --from")
      .requiredOption("--reason <text>", "why: shown to the customers and on the status portal")
      .option("--language <de|en>", "the language --reason is written in (default en)")
      .option("--stacks-dir <dir>", "the folder of the stack files (default: stacks/)")
      .option("--alertmanager <url>", `the operations stack's Alertmanager (default: $${ALERTMANAGER_URL_ENV})`)
      .option("--portal <url>", `the status portal (default: $${PORTAL_URL_ENV})`)
      .option("--token-file <path>", `file with the portal's admin token (default: $${PORTAL_TOKEN_FILE_ENV})`)
      .option("--maintenance-file <file>", `the SLA's record of announcements (default: $${MAINTENANCE_FILE_ENV} or ${DEFAULT_MAINTENANCE_FILE})`),
  run: (parsed, out, io) => announce(parsed, out, io ?? { env: process.env, now: () => new Date() }),
};
