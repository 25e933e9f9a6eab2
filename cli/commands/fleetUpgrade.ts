/**
 * lchost fleet upgrade --image <ref>: rolls a License Central image out over the fleet's customers —
 * canaries first, then batches, each customer verified and rolled back on failure, stopping at
 * --max-failures (docs/fleet.md, "Rolling upgrade"). Docker target only for now.
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { checkLimits, planWaves, renderUpgradeTable, runRollingUpgrade, UpgradeInputError, upgradeOrder } from "../../fleet/upgrade/rollingUpgrade";
import { customerStacks, CustomerStack, parseSelectors, selectCustomers } from "../../fleet/upgrade/upgradeSelection";
import { stacksDir } from "../../model/stackFile";
import { CommandSpec, Out, stringOpt } from "../args";
import { MissingPrerequisite, UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";

const collect = (v: string, all: string[] = []) => [...all, v];

export const upgradeSpec: CommandSpec = {
  name: "upgrade",
  summary: "roll a License Central image out: canaries, then batches, each verified and rolled back on failure",
  define: (cmd: Command) =>
    cmd
      .requiredOption("--image <ref>", "the License Central image (it must be on each customer's Docker engine)")
      .option("--stacks-dir <dir>", "the stack files (default: stacks/)")
      .option("--select <key=values>", "only these customers: edition=…, customer=a,b, host=… (repeatable; all must match)", collect, [])
      .option("--canary <n>", "customers upgraded and verified one by one first (default 1)")
      .option("--batch <m>", "customers upgraded side by side after the canaries (default 5)")
      .option("--max-failures <k>", "stop once this many customers failed (default 1)")
      .option("--target <target>", "docker (stacks deployed by 'lchost up --target docker'); pulumi: not yet", "pulumi")
      .option("--dry-run", "print the order and change nothing"),
  run: async ({ opts }, out) => runUpgrade(opts, out),
};

async function runUpgrade(opts: Record<string, unknown>, out: Out): Promise<ExitCode> {
  const image = (stringOpt(opts, "image") ?? "").trim();
  if (!image || /\s/.test(image)) throw new UsageError(`--image: '${String(opts.image)}' is not an image reference`);
  let limits;
  let selected: CustomerStack[];
  const dir = stringOpt(opts, "stacksDir") !== undefined ? path.resolve(stringOpt(opts, "stacksDir")!) : stacksDir();
  try {
    limits = checkLimits({ canary: opts.canary, batch: opts.batch, maxFailures: opts.maxFailures });
    selected = selectCustomers(customerStacks(dir), parseSelectors(opts.select as string[]));
  } catch (e) {
    if (e instanceof UpgradeInputError) throw new UsageError(e.message);
    throw e;
  }
  const target = stringOpt(opts, "target");
  if (target === "pulumi") throw new UsageError("--target pulumi: not yet: use --target docker (stacks deployed by 'lchost up <stack> --target docker')");
  if (target !== "docker") throw new UsageError(`--target: '${target}' is not allowed (allowed: docker; pulumi not yet)`);

  const waves = planWaves(selected, limits);
  const announce = () =>
    out(
      `upgrade to ${image}: ${selected.length} customer(s) in order ${upgradeOrder(selected)
        .map((s) => s.stack)
        .join(
          ", ",
        )}; ${waves.canaries.length} canary(ies), then ${waves.batches.length} batch(es) of up to ${limits.batch}; stop at ${limits.maxFailures} failure(s)`,
    );
  if (opts.dryRun) {
    announce();
    waves.canaries.forEach((w, i) => out(`  canary ${i + 1}: ${w.map((c) => c.stack).join(", ")}`));
    waves.batches.forEach((w, i) => out(`  batch ${i + 1}: ${w.map((c) => c.stack).join(", ")}`));
    out("dry run: nothing was changed (neither the deployments nor the image were checked)");
    return EXIT.ok;
  }
  // loaded here, not at the top: `lchost fleet --help` must not load Pulumi (the planner behind the deployer does)
  const { dockerRunDeployer, dockerRunStateDir } = await import("./migrateOnDocker");
  const { DockerUpgradeSteps } = await import("../../fleet/upgrade/upgradeOnDocker");
  const notDeployed = selected.filter((s) => !fs.existsSync(path.join(dockerRunStateDir(), `${s.stack}.json`)));
  if (notDeployed.length)
    throw new UsageError(
      `--target docker: ${notDeployed.map((s) => s.stack).join(", ")} ${notDeployed.length === 1 ? "was" : "were"} not deployed on Docker by lchost ` +
        `(no state in ${dockerRunStateDir()}); deploy with 'lchost up <stack> --target docker' or leave ${notDeployed.length === 1 ? "it" : "them"} out with --select; nothing was upgraded`,
    );
  await requireImageEverywhere(image, selected);
  announce();

  const steps = new DockerUpgradeSteps({ stacksDir: dir, deployer: dockerRunDeployer(dir), log: (l) => out(l) });
  const result = await runRollingUpgrade(waves, image, limits.maxFailures, steps);
  out(renderUpgradeTable(result, image));
  // a customer rolled back is a runtime failure (the exit-code table's 3, as for `lchost migrate`), not a finding
  return result.customers.some((c) => c.failed) ? EXIT.failure : EXIT.ok;
}

/** Before anything starts: each selected customer's engine answers and has the image. */
async function requireImageEverywhere(image: string, stacks: CustomerStack[]): Promise<void> {
  const byEngine = new Map<string, { docker: DockerEngine; stacks: string[] }>();
  for (const s of stacks) {
    const host = (s.file.allConfig["docker:host"] as string | undefined) ?? "";
    const e = byEngine.get(host) ?? { docker: DockerEngine.forHost(host || undefined), stacks: [] };
    e.stacks.push(s.stack);
    byEngine.set(host, e);
  }
  const { describeEndpoint } = await import("../../dockerRun/imagePrecondition");
  for (const { docker, stacks: names } of byEngine.values()) {
    const where = describeEndpoint(docker.endpoint);
    let status: number;
    try {
      status = (await docker.request("GET", `/images/${encodeURI(image)}/json`)).status;
    } catch (e) {
      throw new MissingPrerequisite(
        `the Docker engine ${where} of ${names.join(", ")} does not answer (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was upgraded`,
      );
    }
    if (status === 404)
      throw new MissingPrerequisite(
        `--image: ${image} is not on the Docker engine ${where} of ${names.join(", ")}: build or pull it there first; nothing was upgraded`,
      );
    if (status >= 300) throw new MissingPrerequisite(`the Docker engine ${where} answered ${status} when asked for --image ${image}; nothing was upgraded`);
  }
}
