/**
 * lchost fleet status: one row per customer — edition, host, License Central image, ready lines, this
 * month's usage against quota, last deployment — read from the deployments (docs/hosts.md).
 */
import * as path from "path";
import { collectFleetStatus, FleetStatusInputError } from "../../fleet/fleetStatus";
import { fleetStatusJson, renderFleetStatusTable } from "../../fleet/fleetStatusReport";
import { parseSelect, SelectTerm } from "../../fleet/select";
import { HostsError } from "../../model/hosts";
import { stacksDir } from "../../model/stackFile";
import { CommandSpec, integerIn, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT } from "../exitCodes";
import { dockerRunStateDir } from "../../dockerRun/stateDir";

const collect = (value: string, previous: string[]) => [...previous, value];

export const fleetStatusSpec: CommandSpec = {
  name: "status",
  summary: "one row per customer: edition, host, image, ready lines, this month's usage against quota, last deployment (from the deployments)",
  define: (cmd) =>
    cmd
      .option("--stacks-dir <dir>", "the stack files (default: stacks/)")
      .option("--state-dir <dir>", "where lchost up --target docker keeps what it deployed (default: .docker-run/)")
      .option("--select <key=value[,value]>", "only these customers: edition=…, customer=…, host=… (repeat: all must match)", collect, [])
      .option("--concurrency <n>", "customers read at once (default 8)", integerIn(1, 64))
      .option("--timeout <seconds>", "per call to an engine or a line (default 10)", integerIn(1, 300))
      .option("--json", "print the rows as JSON"),
  run: async ({ opts }, out) => {
    const dir = stringOpt(opts, "stacksDir");
    const state = stringOpt(opts, "stateDir");
    let select: SelectTerm[];
    try {
      select = (opts.select as string[]).map(parseSelect);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let rows;
    try {
      rows = await collectFleetStatus({
        stacksDir: dir !== undefined ? path.resolve(dir) : stacksDir(),
        stateDir: state !== undefined ? path.resolve(state) : dockerRunStateDir(),
        select,
        concurrency: opts.concurrency as number | undefined,
        timeoutMs: opts.timeout !== undefined ? (opts.timeout as number) * 1000 : undefined,
      });
    } catch (e) {
      if (e instanceof FleetStatusInputError || e instanceof HostsError) throw new UsageError(e.message);
      throw e;
    }
    out(opts.json ? fleetStatusJson(rows) : renderFleetStatusTable(rows));
    return EXIT.ok;
  },
};
