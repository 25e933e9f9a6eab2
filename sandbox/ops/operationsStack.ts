/**
 * Which operations stack a sandbox runs, and the copy of it the sandbox plans: the ops stack watches the
 * customer stacks the sandbox runs — no other — so the copy's fleet is a directory holding exactly those
 * stack files; with `fastAlerts` its intervals are the test ones.
 *
 * The choice (documented in the README): `--operations <stack|file>` names it; without a name, the first
 * stack with `lchost:role: operations` in the stacks directory (by file name); if there is none, the built-in
 * minimal one below (no on-call webhook; the smarthost is the sandbox's mail sink anyway).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackFilePath, stacksDir as defaultStacksDir } from "../../model/stackFile";

/** `--operations` names no operations stack (a missing file, another role): bad input, not a failure. */
export class OperationsSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperationsSelectionError";
  }
}

export interface OperationsSelection {
  /** A stack name in `stacksDir` or a stack file path; default: the first operations stack there, else the built-in one. */
  stack?: string;
  /** Test intervals (FAST_ALERT_INTERVALS) instead of the ones the stack or the catalog ships. */
  fastAlerts?: boolean;
}

/**
 * Scrape every 2 s (the blackbox probe then gets 1 s: a TLS request through a loaded machine's HAProxy can
 * take longer than the 0.5 s a 1 s scrape would leave it), evaluate every second, notify one second after the
 * first alert of a group and resolved ones within 2 s: detection takes the rules' `for:` plus about 4 s. Only
 * for tests; the benchmark measures the shipped defaults.
 */
export const FAST_ALERT_INTERVALS = {
  scrapeSeconds: 2,
  evaluationSeconds: 1,
  groupWaitSeconds: 1,
  groupIntervalSeconds: 2,
  repeatIntervalMinutes: 60,
} as const;

export const BUILT_IN_OPERATIONS_STACK = "ops-sandbox";

/** The built-in operations stack: what the contract requires and nothing else. */
export function builtInOperationsConfig(): Record<string, unknown> {
  return {
    "lchost:role": "operations",
    "lchost:domain": "sandbox.lchost.local",
    "lchost:operations": {
      onCall: { email: ["oncall@sandbox.lchost.local"] },
      smtp: { smarthost: "smtp.sandbox.lchost.local:25", from: "alerts@sandbox.lchost.local" },
    },
  };
}

function readConfig(file: string): Record<string, any> {
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  return (doc.config ?? {}) as Record<string, any>;
}

/** The first stack file (by name) in `dir` with `lchost:role: operations`, or undefined. */
export function findOperationsStack(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort();
  for (const f of files) {
    try {
      if (readConfig(path.join(dir, f))["lchost:role"] === "operations") return path.join(dir, f);
    } catch {
      /* an unreadable file is not the operations stack; lchost plan reports it */
    }
  }
  return undefined;
}

export interface PreparedOperationsStack {
  /** The copy to plan: `<workDir>/Pulumi.<name>.yaml`. */
  file: string;
  stackName: string;
  /** Where it came from, for the user: a file path or "built-in". */
  source: string;
}

/**
 * Writes `<workDir>/fleet/` (copies of the customers' stack files) and the operations stack's copy with
 * `lchost:fleet.stacksDir` pointing there (and the test intervals when asked).
 */
export function prepareOperationsStack(
  customerFiles: string[],
  sel: OperationsSelection,
  workDir: string,
  stacksDir = defaultStacksDir(),
): PreparedOperationsStack {
  let source: string;
  let config: Record<string, any>;
  let stackName: string;
  const named = sel.stack;
  if (named !== undefined) {
    const file = fs.existsSync(named) && /\.ya?ml$/.test(named) ? named : stackFilePath(named, stacksDir);
    if (!fs.existsSync(file)) throw new OperationsSelectionError(`--operations: no stack '${named}' (looked for ${file})`);
    config = readConfig(file);
    if (config["lchost:role"] !== "operations")
      throw new OperationsSelectionError(
        `--operations: stack file ${file} has lchost:role '${config["lchost:role"] ?? "(none)"}'; an operations stack has lchost:role: operations`,
      );
    source = file;
    stackName = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? named;
  } else {
    const found = findOperationsStack(stacksDir);
    if (found) {
      config = readConfig(found);
      source = found;
      stackName = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(found))![1];
    } else {
      config = builtInOperationsConfig();
      source = "built-in";
      stackName = BUILT_IN_OPERATIONS_STACK;
    }
  }
  const fleetDir = path.join(workDir, "fleet");
  fs.mkdirSync(fleetDir, { recursive: true, mode: 0o700 });
  for (const f of customerFiles) fs.copyFileSync(f, path.join(fleetDir, path.basename(f)));
  const copy: Record<string, any> = { ...config, "lchost:fleet": { ...(config["lchost:fleet"] ?? {}), stacksDir: fleetDir } };
  if (sel.fastAlerts) copy["lchost:operations"] = { ...(copy["lchost:operations"] ?? {}), intervals: { ...FAST_ALERT_INTERVALS } };
  const file = path.join(workDir, `Pulumi.${stackName}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ config: copy }), { mode: 0o600 });
  return { file, stackName, source };
}
