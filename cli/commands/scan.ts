import * as fs from "fs";
import * as path from "path";
import { loadStackFile, StackFile, stacksDir } from "../../model/stackFile";
import { StackPlanner } from "../../planner/planWithReferences";
import { runPolicies } from "../../planner/policyRunner";
import { pendingSecurityUpdates } from "../../scan/imageSecurityUpdates";
import { SCAN_PARTS, ScanOptions, ScanPart, scanStacks } from "../../scan/scanStacks";
import { renderScanTable, scanReport } from "../../scan/scanReport";
import { parseSeverity, ScaledSeverity } from "../../scan/severity";
import { runTestssl } from "../../scan/testsslRun";
import { parseArgs, UsageError } from "../args";
import { selectStack } from "../stackSelection";

export const scanUsage =
  "lchost scan <stack> | --stack-file <path> | --all [--stacks-dir D]  [--address host:port] [--ca-file F] [--skip tls,images,policies] [--fail-on low|medium|high|critical] [--fail-on-unknown] [--json]";

export interface ScanCommandOptions extends ScanOptions {
  stacks: StackFile[];
  failOn: ScaledSeverity;
  failOnUnknown: boolean;
  json: boolean;
}

/** The command line as scan options; every bad value is a UsageError naming the flag. */
export function scanOptionsOf(argv: string[]): ScanCommandOptions {
  const args = parseArgs(argv, { boolean: ["all", "json", "fail-on-unknown"], string: ["stack-file", "stacks-dir", "address", "ca-file", "skip", "fail-on"] });
  const str = (k: string) => (typeof args.flags[k] === "string" ? (args.flags[k] as string) : undefined);
  let stacks: StackFile[];
  if (args.flags.all) {
    if (args.positionals.length || str("stack-file")) throw new UsageError("--all scans every stack of the stacks folder: give no <stack> or --stack-file with it");
    const dir = str("stacks-dir") ? path.resolve(str("stacks-dir")!) : stacksDir();
    const files = fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)).sort();
    if (files.length === 0) throw new UsageError(`--stacks-dir ${dir}: no Pulumi.<stack>.yaml files`);
    stacks = files.map((f) => loadStackFile(path.join(dir, f)));
  } else {
    stacks = [selectStack(args)];
  }
  let address: ScanOptions["address"];
  if (str("address")) {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(str("address")!);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--address: '${str("address")}' is not host:port (e.g. 127.3.1.5:8443)`);
    if (stacks.length > 1) throw new UsageError("--address names one gateway: scan one stack with it, not --all");
    address = { host: m[1], port: Number(m[2]) };
  }
  const skip = (str("skip") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of skip) if (!(SCAN_PARTS as readonly string[]).includes(s)) throw new UsageError(`--skip: '${s}' is not a part of the scan; allowed: ${SCAN_PARTS.join(", ")}`);
  let failOn: ScaledSeverity;
  try {
    failOn = parseSeverity(str("fail-on") ?? "high");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const caFile = str("ca-file");
  if (caFile && !fs.existsSync(caFile)) throw new UsageError(`--ca-file: ${caFile} does not exist`);
  return { stacks, address, caFile, parts: SCAN_PARTS.filter((p): p is ScanPart => !skip.includes(p)), failOn, failOnUnknown: Boolean(args.flags["fail-on-unknown"]), json: Boolean(args.flags.json) };
}

/** Exit 0 no finding at or above --fail-on, 1 some finding is. */
export async function scanCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const o = scanOptionsOf(argv);
  const planner = new StackPlanner();
  const findings = await scanStacks(
    o.stacks,
    { plan: (s) => planner.plan(s), testssl: (t) => runTestssl(t), imageUpdates: (i) => pendingSecurityUpdates(i), policies: (s, p) => runPolicies(s, p) },
    { ...o, log: o.json ? undefined : out },
  );
  const report = scanReport(findings, o.failOn, o.failOnUnknown);
  if (o.json) out(JSON.stringify(report, null, 2));
  else for (const l of renderScanTable(report)) out(l);
  return report.failed ? 1 : 0;
}
