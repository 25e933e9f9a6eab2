/**
 * Which customers a `lchost fleet upgrade` concerns: every customer stack of the stacks directory on the
 * Docker platform, narrowed by `--select key=v1,v2` (repeatable; keys edition, customer, host; all given
 * keys must match). Shared-server and operations stacks run no License Central and are never candidates.
 * The `--select` parser is the fleet commands' one (fleet/select.ts).
 */
import { StackFile } from "../../model/stackFile";
import { describeStackDirectoryError, readStackDirectory, StackDirectoryError } from "../stackDirectory";
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

/** The customer stacks of a directory on Docker (fleet/stackDirectory.ts: every invalid file reported at once). */
export function customerStacks(stacksDir: string): CustomerStack[] {
  let files: StackFile[];
  try {
    files = readStackDirectory(stacksDir);
  } catch (e) {
    if (e instanceof StackDirectoryError) throw new UpgradeInputError(describeStackDirectoryError(e));
    throw e;
  }
  return files.flatMap((file) =>
    file.config.role === "customer" && file.config.platform === "docker"
      ? [{ stack: file.stackName, customer: file.config.customer, edition: file.config.edition, file }]
      : [],
  );
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
