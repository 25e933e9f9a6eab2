/**
 * Which customers a `lchost fleet upgrade` concerns: every customer stack of the stacks directory on the
 * Docker platform, narrowed by `--select key=v1,v2` (repeatable; keys edition, customer, host; all given
 * keys must match). Shared-server and operations stacks run no License Central and are never candidates.
 * (A minimal selection of its own until the fleet runner's `--select` lands; the same syntax.)
 */
import * as fs from "fs";
import * as path from "path";
import { loadStackFile, StackFile } from "../../model/stackFile";
import { StackConfigError } from "../../model/stackConfig";
import { UpgradeCandidate, UpgradeInputError } from "./rollingUpgrade";
import { FleetSelectionError, parseSelect, SelectTerm } from "../select";

export type Selector = SelectTerm;

/** The shared --select parser (fleet/select.ts); its refusals as this command's input errors. */
export function parseSelectors(given: string[]): Selector[] {
  return given.map((s) => {
    try {
      return parseSelect(s.trim());
    } catch (e) {
      if (e instanceof FleetSelectionError) throw new UpgradeInputError(e.message);
      throw e;
    }
  });
}

export interface CustomerStack extends UpgradeCandidate {
  file: StackFile;
}

/** The customer stacks of a directory on Docker; every invalid file is reported at once. */
export function customerStacks(stacksDir: string): CustomerStack[] {
  if (!fs.existsSync(stacksDir) || !fs.statSync(stacksDir).isDirectory()) throw new UpgradeInputError(`--stacks-dir: '${stacksDir}' is not a directory`);
  const problems: string[] = [];
  const out: CustomerStack[] = [];
  for (const f of fs
    .readdirSync(stacksDir)
    .filter((x) => /^Pulumi\..+\.ya?ml$/.test(x))
    .sort()) {
    try {
      const file = loadStackFile(path.join(stacksDir, f));
      if (file.config.role === "customer" && file.config.platform === "docker")
        out.push({ stack: file.stackName, customer: file.config.customer, edition: file.config.edition, file });
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length) throw new UpgradeInputError(problems.join("\n"));
  return out;
}

export function selectCustomers(stacks: CustomerStack[], selectors: Selector[]): CustomerStack[] {
  const field = (s: CustomerStack, key: Selector["key"]): string | undefined =>
    key === "edition" ? s.edition : key === "customer" ? s.customer : s.file.config.role === "customer" ? s.file.config.host : undefined;
  const chosen = stacks.filter((s) => selectors.every((sel) => sel.values.includes(field(s, sel.key) ?? "")));
  if (chosen.length === 0) {
    const what = selectors.length
      ? `--select ${selectors.map((s) => `${s.key}=${s.values.join(",")}`).join(" --select ")} matches`
      : "the stacks directory holds";
    throw new UpgradeInputError(`${what} no customer stack on Docker (customers: ${stacks.map((s) => s.customer).join(", ") || "none"})`);
  }
  return chosen;
}
