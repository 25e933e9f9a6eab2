/**
 * lchost sla report --month YYYY-MM [--stack S] [--json|--csv]: per customer, the month's minutes down,
 * minutes of announced maintenance, availability against the edition's guarantee and the credit band
 * (docs/sla.md). Reads the SLA recording rule's samples from the operations stack's Prometheus and the
 * announced maintenance from its JSON record.
 */
import * as fs from "fs";
import * as path from "path";
import { loadFleet, MonitoredCustomer } from "../../model/fleet";
import {
  DEFAULT_MAINTENANCE_FILE,
  MAINTENANCE_FILE_ENV,
  MaintenanceAnnouncement,
  MaintenanceFileError,
  parseMaintenanceAnnouncements,
} from "../../model/maintenanceAnnouncements";
import { packageRoot } from "../../model/packageRoot";
import { parseMonth, SlaInputError } from "../../model/sla";
import { stacksDir } from "../../model/stackFile";
import { parsePrometheusUrl, PrometheusClient, PrometheusError } from "../../render/prometheus/api";
import { slaReportCsv, slaReportJson, slaReportTable } from "../../sla/format";
import { SlaCustomer, slaReport } from "../../sla/report";
import { CommandSpec, Out, ParsedArgs, stringOpt } from "../args";
import { RuntimeFailure, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";

/** Where Prometheus is when --prometheus is not given. */
export const PROMETHEUS_URL_ENV = "LCHOST_PROMETHEUS_URL";
/** Where the announced maintenance is recorded when --maintenance is not given (model/maintenanceAnnouncements.ts, shared with maintenance announce). */
export { DEFAULT_MAINTENANCE_FILE, MAINTENANCE_FILE_ENV };

export interface SlaIo {
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

const defaultIo: SlaIo = { env: process.env, now: () => new Date() };

function prometheusUrl(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): URL {
  const flag = stringOpt(opts, "prometheus");
  try {
    if (flag !== undefined) return parsePrometheusUrl(flag, "--prometheus");
    const fromEnv = env[PROMETHEUS_URL_ENV];
    if (fromEnv) return parsePrometheusUrl(fromEnv, PROMETHEUS_URL_ENV);
  } catch (e) {
    if (e instanceof PrometheusError) throw new UsageError(e.message);
    throw e;
  }
  throw new UsageError(`--prometheus <url> is required (or set ${PROMETHEUS_URL_ENV}), e.g. http://127.0.0.1:9090`);
}

/** The announcements and a note saying where they came from; a missing default file means none were recorded. */
function announcements(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): { list: MaintenanceAnnouncement[]; source: string; note: string } {
  const flag = stringOpt(opts, "maintenance");
  const given = flag ?? env[MAINTENANCE_FILE_ENV];
  const file = path.resolve(given ?? path.join(packageRoot(), DEFAULT_MAINTENANCE_FILE));
  const field = flag !== undefined ? "--maintenance" : given !== undefined ? MAINTENANCE_FILE_ENV : "the default maintenance file";
  if (!fs.existsSync(file)) {
    if (given !== undefined) throw new UsageError(`${field}: '${given}' does not exist`);
    return { list: [], source: file, note: `none recorded (no ${file})` };
  }
  try {
    const list = parseMaintenanceAnnouncements(fs.readFileSync(file, "utf8"), file);
    return { list, source: file, note: `${list.length} announcement(s) from ${file}` };
  } catch (e) {
    if (e instanceof MaintenanceFileError) throw new UsageError(`${field}: ${e.message}`);
    throw e;
  }
}

/** The customers of the fleet in stacks/, or those of one stack (a customer stack, or a shared server's tenants). */
function customersOf(opts: Record<string, unknown>): SlaCustomer[] {
  const dirFlag = stringOpt(opts, "stacksDir");
  const dir = dirFlag !== undefined ? path.resolve(dirFlag) : stacksDir();
  let fleet: MonitoredCustomer[];
  try {
    fleet = loadFleet(dir).customers;
  } catch (e) {
    throw new UsageError(`${dirFlag !== undefined ? "--stacks-dir" : "stacks/"}: ${(e as Error).message}`);
  }
  const stack = stringOpt(opts, "stack");
  const chosen = stack === undefined ? fleet : fleet.filter((c) => c.stack === stack || c.sharedServer === stack);
  if (chosen.length === 0 && stack !== undefined) {
    const known = [...new Set(fleet.flatMap((c) => [c.stack, ...(c.sharedServer ? [c.sharedServer] : [])]))].sort();
    throw new UsageError(`--stack: unknown stack '${stack}' (no customer or shared-server stack of that name in ${dir}; known: ${known.join(", ") || "none"})`);
  }
  return chosen.map((c) => ({ customer: c.customer, stack: c.stack, edition: c.edition }));
}

async function report({ opts }: ParsedArgs, out: Out, io: SlaIo): Promise<ExitCode> {
  if (opts.json && opts.csv) throw new UsageError("--json and --csv exclude each other: choose one output");
  let month;
  try {
    month = parseMonth(stringOpt(opts, "month")!, "--month");
  } catch (e) {
    if (e instanceof SlaInputError) throw new UsageError(e.message);
    throw e;
  }
  const customers = customersOf(opts);
  const url = prometheusUrl(opts, io.env);
  const maintenance = announcements(opts, io.env);
  let result;
  try {
    result = await slaReport({ month, customers, prometheus: new PrometheusClient(url), announcements: maintenance.list, now: io.now() });
  } catch (e) {
    if (e instanceof SlaInputError) throw new UsageError(e.message);
    if (e instanceof PrometheusError) throw new RuntimeFailure(e.message);
    throw e;
  }
  if (opts.json) out(slaReportJson(result, maintenance.source));
  else if (opts.csv) out(slaReportCsv(result));
  else out(slaReportTable(result, maintenance.note));
  return EXIT.ok;
}

const reportSpec: CommandSpec<SlaIo> = {
  name: "report",
  summary: "per customer: minutes down, announced maintenance, availability, guarantee, met, credit band",
  define: (cmd) =>
    cmd
      .requiredOption("--month <YYYY-MM>", "the UTC month to report on (e.g. 2026-02)")
      .option("--stack <stack>", "only this customer stack (a shared-server stack: its tenants)")
      .option("--json", "print the report as JSON")
      .option("--csv", "print the report as CSV (one row per customer)")
      .option("--prometheus <url>", `the operations stack's Prometheus (default: $${PROMETHEUS_URL_ENV})`)
      .option("--maintenance <file>", `the announced-maintenance record (default: $${MAINTENANCE_FILE_ENV}, else ${DEFAULT_MAINTENANCE_FILE})`)
      .option("--stacks-dir <dir>", "the folder of the stack files (default: stacks/)"),
  run: (parsed, out, io) => report(parsed, out, io ?? defaultIo),
};

const SUBCOMMANDS = [reportSpec];

export const slaSpec: CommandSpec<SlaIo> = {
  name: "sla",
  summary: "SLA accounting from the blackbox probes: report --month YYYY-MM",
  define: (cmd) => cmd.usage("<subcommand> [options]").argument("[subcommand]", SUBCOMMANDS.map((s) => s.name).join(" | ")),
  subcommands: SUBCOMMANDS,
  run: async ({ args }) => {
    const allowed = SUBCOMMANDS.map((s) => s.name).join(", ");
    if (args[0] === undefined) throw new UsageError(`name a subcommand: ${allowed} (lchost sla <subcommand> --help)`);
    throw new UsageError(`unknown subcommand '${args[0]}' (allowed: ${allowed})`);
  },
};
