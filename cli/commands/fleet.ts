/**
 * lchost fleet place: assign the customers of a stacks directory to the hosts of its inventory
 * (docs/hosts.md), print the assignment, and with --write record it in the stack files.
 */
import * as path from "path";
import { PlacementError } from "../../fleet/place";
import { placementJson, renderPlacementTable } from "../../fleet/placementReport";
import { FleetInputError, FleetPolicyViolations, placeStacksDir } from "../../fleet/placeStacks";
import { HostsError } from "../../model/hosts";
import { stacksDir } from "../../model/stackFile";
import { CommandSpec, stringOpt } from "../args";
import { CliError, UsageError } from "../errors";
import { EXIT } from "../exitCodes";
import { fleetRunSpec } from "./fleetRun";

/** The placement was refused (not enough capacity, a fleet-wide rule broken): exit 1, nothing written. */
class PlacementRefused extends CliError {
  constructor(message: string) {
    super(EXIT.findings, message);
  }
}

const placeSpec: CommandSpec = {
  name: "place",
  summary: "assign customers without lchost:host to inventory hosts by the catalog's resources; --write records it",
  define: (cmd) =>
    cmd
      .option("--stacks-dir <dir>", "the stack files (default: stacks/)")
      .option("--inventory <file>", "the host inventory (default: fleet/hosts.yaml beside the stacks directory)")
      .option("--write", "record lchost:host (and docker:host) / lchost:hosts in the placed stack files")
      .option("--json", "print the placement as JSON"),
  run: async ({ opts }, out) => {
    const dir = stringOpt(opts, "stacksDir");
    const inventory = stringOpt(opts, "inventory");
    let result;
    try {
      result = placeStacksDir({
        stacksDir: dir !== undefined ? path.resolve(dir) : stacksDir(),
        inventoryPath: inventory !== undefined ? path.resolve(inventory) : undefined,
        write: Boolean(opts.write),
      });
    } catch (e) {
      if (e instanceof PlacementError || e instanceof FleetPolicyViolations) throw new PlacementRefused(`${e.message}\nnothing was written`);
      if (e instanceof FleetInputError || e instanceof HostsError) throw new UsageError(e.message);
      throw e;
    }
    out(opts.json ? placementJson(result.placement, result.written) : renderPlacementTable(result.placement, result.written));
    return EXIT.ok;
  },
};

const SUBCOMMANDS = [placeSpec, fleetRunSpec("plan"), fleetRunSpec("preview"), fleetRunSpec("up"), fleetRunSpec("destroy")];

export const fleetSpec: CommandSpec = {
  name: "fleet",
  summary: "operations over every stack of a stacks directory: place, plan, preview, up, destroy",
  define: (cmd) => cmd.usage("<subcommand> [options]").argument("[subcommand]", SUBCOMMANDS.map((s) => s.name).join(" | ")),
  subcommands: SUBCOMMANDS,
  run: async ({ args }) => {
    const allowed = SUBCOMMANDS.map((s) => s.name).join(", ");
    if (args[0] === undefined) throw new UsageError(`name a subcommand: ${allowed} (lchost fleet <subcommand> --help)`);
    throw new UsageError(`unknown subcommand '${args[0]}' (allowed: ${allowed})`);
  },
};
