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
import { CommandSpec, ParsedArgs, stringOpt } from "../args";
import { UsageError } from "../errors";
import { EXIT, ExitCode } from "../exitCodes";
import { selectStack } from "../stackSelection";

export interface ScanCommandOptions extends ScanOptions {
  stacks: StackFile[];
  failOn: ScaledSeverity;
  failOnUnknown: boolean;
  json: boolean;
}

/** The command line as scan options; every bad value is a UsageError naming the flag. */
export function scanOptionsOf(parsed: ParsedArgs): ScanCommandOptions {
  const str = (k: string) => stringOpt(parsed.opts, k);
  let stacks: StackFile[];
  if (parsed.opts.all) {
    if (parsed.args.length || str("stackFile")) throw new UsageError("--all scans every stack of the stacks folder: give no <stack> or --stack-file with it");
    const dir = str("stacksDir") ? path.resolve(str("stacksDir")!) : stacksDir();
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
      .sort();
    if (files.length === 0) throw new UsageError(`--stacks-dir ${dir}: no Pulumi.<stack>.yaml files`);
    stacks = files.map((f) => loadStackFile(path.join(dir, f)));
  } else {
    stacks = [selectStack(parsed)];
  }
  let address: ScanOptions["address"];
  if (str("address")) {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(str("address")!);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--address: '${str("address")}' is not host:port (e.g. 127.3.1.5:8443)`);
    if (stacks.length > 1) throw new UsageError("--address names one gateway: scan one stack with it, not --all");
    address = { host: m[1], port: Number(m[2]) };
  }
  const skip = (str("skip") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of skip)
    if (!(SCAN_PARTS as readonly string[]).includes(s)) throw new UsageError(`--skip: '${s}' is not a part of the scan; allowed: ${SCAN_PARTS.join(", ")}`);
  let failOn: ScaledSeverity;
  try {
    failOn = parseSeverity(str("failOn") ?? "high");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const caFile = str("caFile");
  if (caFile && !fs.existsSync(caFile)) throw new UsageError(`--ca-file: ${caFile} does not exist`);
  return {
    stacks,
    address,
    caFile,
    parts: SCAN_PARTS.filter((p): p is ScanPart => !skip.includes(p)),
    failOn,
    failOnUnknown: Boolean(parsed.opts.failOnUnknown),
    json: Boolean(parsed.opts.json),
  };
}

/** Exit 0: no finding at or above --fail-on; 1 (findings): some finding is. */
export async function runScan(parsed: ParsedArgs, out: (s: string) => void): Promise<ExitCode> {
  const o = scanOptionsOf(parsed);
  const planner = new StackPlanner();
  const findings = await scanStacks(
    o.stacks,
    { plan: (s) => planner.plan(s), testssl: (t) => runTestssl(t), imageUpdates: (i) => pendingSecurityUpdates(i), policies: (s, p) => runPolicies(s, p) },
    { ...o, log: o.json ? undefined : out },
  );
  const report = scanReport(findings, o.failOn, o.failOnUnknown);
  if (o.json) out(JSON.stringify(report, null, 2));
  else for (const l of renderScanTable(report)) out(l);
  return report.failed ? EXIT.findings : EXIT.ok;
}

export const scanSpec: CommandSpec = {
  name: "scan",
  summary: "TLS scan of the gateway (testssl.sh), pending security updates in the stack's images, and the policies",
  define: (cmd) =>
    cmd
      .argument("[stack]", "a stack in stacks/")
      .option("--stack-file <path>", "a stack file")
      .option("--stack <name>", "the stack name of a --stack-file not named Pulumi.<stack>.yaml")
      .option("--all", "every stack of the stacks folder")
      .option("--stacks-dir <dir>", "with --all: the folder of stack files (default stacks/)")
      .option("--address <host:port>", "the gateway to scan (e.g. a sandbox's), instead of the stack's published name")
      .option("--ca-file <path>", "CA to verify the gateway's certificate with")
      .option("--skip <parts>", `parts to leave out, comma-separated: ${SCAN_PARTS.join(", ")}`)
      .option("--fail-on <severity>", "exit 1 on a finding at or above: low, medium, high, critical", "high")
      .option("--fail-on-unknown", "also exit 1 when a part could not be checked")
      .option("--json", "the report as JSON"),
  run: (parsed, out) => runScan(parsed, out),
};
