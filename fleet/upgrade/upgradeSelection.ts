/**
 * Which customers a `lchost fleet upgrade` concerns: every customer stack of the stacks directory on the
 * Docker platform, narrowed by `--select key=v1,v2` (repeatable; keys edition, customer, host; all given
 * keys must match). Shared-server and operations stacks run no License Central and are never candidates.
 * (A minimal selection of its own until the fleet runner's `--select` lands; the same syntax.)
 */
import * as fs from "fs";
import * as path from "path";
import { EDITION_IDS } from "../../model/catalog";
import { loadStackFile, StackFile } from "../../model/stackFile";
import { StackConfigError } from "../../model/stackConfig";
import { UpgradeCandidate, UpgradeInputError } from "./rollingUpgrade";

export const SELECT_KEYS = ["edition", "customer", "host"] as const;
type SelectKey = (typeof SELECT_KEYS)[number];

export interface Selector {
  key: SelectKey;
  values: string[];
}

export function parseSelectors(given: string[]): Selector[] {
  return given.map((s) => {
    const m = /^([a-z]+)=(.+)$/.exec(s.trim());
    if (!m || !(SELECT_KEYS as readonly string[]).includes(m[1]))
      throw new UpgradeInputError(`--select: '${s}' is not key=value[,value…] with a key of ${SELECT_KEYS.join(", ")}`);
    const values = m[2]
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
    if (m[1] === "edition") {
      const bad = values.filter((v) => !(EDITION_IDS as readonly string[]).includes(v));
      if (bad.length) throw new UpgradeInputError(`--select: edition '${bad.join(", ")}' is not an edition (allowed: ${EDITION_IDS.join(", ")})`);
    }
    return { key: m[1] as SelectKey, values };
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
  const field = (s: CustomerStack, key: SelectKey): string | undefined =>
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
