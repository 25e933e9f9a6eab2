/**
 * lchost heal serve --config <file> [--dry-run]: the remediation service (heal/service/, docs/self-healing.md).
 * Runs until SIGTERM/SIGINT. A bad configuration exits 2 naming the field.
 */
import { CommandSpec, ParsedArgs, stringOpt } from "../args";
import { UsageError } from "../errors";
import { ExitCode } from "../exitCodes";

const serveSpec: CommandSpec = {
  name: "serve",
  summary: "run the heal service: Alertmanager webhooks in (TLS client certificate + token, or signed), playbooks out",
  define: (cmd) =>
    cmd
      .requiredOption("--config <file>", "the service's configuration (JSON; docs/self-healing.md)")
      .option("--dry-run", "plan only: audit what would be done, change nothing (also config dryRun: true)"),
  run: async ({ opts }: ParsedArgs, out): Promise<ExitCode> => {
    const { HealConfigError, loadHealConfig } = await import("../../heal/service/config");
    const { startHealService } = await import("../../heal/service/serve");
    const file = stringOpt(opts, "config")!;
    let service;
    try {
      service = await startHealService(loadHealConfig(file, { dryRun: opts.dryRun === true }));
    } catch (e) {
      if (e instanceof HealConfigError || e instanceof RangeError) throw new UsageError(`--config ${file}: ${e.message}`);
      throw e;
    }
    out(`lchost heal: listening on ${service.url}${service.healer.dryRun ? " (dry run)" : ""}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
    await service.close();
    return 0;
  },
};

const SUBCOMMANDS = [serveSpec];

export const healSpec: CommandSpec = {
  name: "heal",
  summary: "self-healing: serve (the remediation service)",
  define: (cmd) => cmd.usage("<subcommand> [options]").argument("[subcommand]", SUBCOMMANDS.map((s) => s.name).join(" | ")),
  subcommands: SUBCOMMANDS,
  run: async ({ args }) => {
    const allowed = SUBCOMMANDS.map((s) => s.name).join(", ");
    if (args[0] === undefined) throw new UsageError(`name a subcommand: ${allowed} (lchost heal <subcommand> --help)`);
    throw new UsageError(`unknown subcommand '${args[0]}' (allowed: ${allowed})`);
  },
};
