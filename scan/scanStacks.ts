/**
 * `lchost scan`: for each stack, (a) the TLS of its gateway (testssl.sh), (b) pending security updates
 * of every image its plan runs, (c) the policy pack on its plan — all as findings with a severity.
 * The tools come in as functions, so tests run the whole use case without servers.
 */
import type { StackFile } from "../model/stackFile";
import type { Plan } from "../planner/mockPlanner";
import type { runPolicies } from "../planner/policyRunner";
import type { PendingSecurityUpdate } from "./aptUpgradeSimulation";
import type { ImageScanOutcome } from "./imageSecurityUpdates";
import type { Finding, Severity } from "./severity";
import { summarizeTestssl } from "./testsslSummary";
import type { TestsslOutcome, TlsTarget } from "./testsslRun";

type Violation = Awaited<ReturnType<typeof runPolicies>>[number];

export type ScanPart = "tls" | "images" | "policies";
export const SCAN_PARTS: readonly ScanPart[] = ["tls", "images", "policies"];

export interface ScanTools {
  plan(stack: StackFile): Promise<Plan>;
  testssl(target: TlsTarget): Promise<TestsslOutcome>;
  imageUpdates(image: string): Promise<ImageScanOutcome>;
  policies(stack: StackFile, plan: Plan): Promise<Violation[]>;
}

export interface ScanOptions {
  parts?: readonly ScanPart[];
  /** Scan the gateway at this `host:port` (e.g. a running sandbox) instead of the published name. */
  address?: { host: string; port: number };
  /** Trust this CA too (a sandbox's). */
  caFile?: string;
  log?: (line: string) => void;
}

const CONTAINER = "docker:index/container:Container";

/** Where clients reach a stack: `<customer>.<domain>` (a shared server: its domain) on `lchost:httpsPort`. */
export function gatewayOf(stack: StackFile, address?: { host: string; port: number }): TlsTarget {
  const cfg = stack.config;
  if (cfg.role === "operations") throw new Error(`${stack.stackName}: an operations stack (lchost:role: operations) has no HTTPS gateway to scan`);
  const host = cfg.role === "customer" ? `${cfg.customer}.${cfg.domain}` : cfg.domain;
  return address ? { host, port: address.port, ip: address.host } : { host, port: cfg.httpsPort };
}

/** The images a plan runs, once each. */
export function imagesOf(plan: Plan): string[] {
  return [
    ...new Set(
      plan.resources
        .filter((r) => r.type === CONTAINER)
        .map((r) => r.inputs.image)
        .filter((i): i is string => typeof i === "string" && i !== ""),
    ),
  ].sort();
}

export function imageFindings(stack: string, image: string, outcome: ImageScanOutcome): Finding[] {
  if ("problem" in outcome) return [{ stack, source: "image", severity: "unknown", id: "image-scan", target: image, message: outcome.problem }];
  return outcome.updates.map((u: PendingSecurityUpdate) => ({
    stack,
    source: "image" as const,
    severity: "high" as const, // a published security fix the image does not have
    id: u.package,
    target: image,
    message: `security update pending: ${u.package} ${u.installed ?? "(new)"} -> ${u.candidate} (${u.suite})`,
  }));
}

export function policyFindings(stack: string, violations: Violation[]): Finding[] {
  const severity = (v: Violation): Severity | undefined =>
    v.enforcementLevel === "mandatory" ? "high" : v.enforcementLevel === "advisory" || v.enforcementLevel === "remediate" ? "medium" : undefined;
  return violations.flatMap((v) => {
    const s = severity(v);
    return s
      ? [{ stack, source: "policy" as const, severity: s, id: v.policy, target: v.resource ?? stack, message: `[${v.enforcementLevel}] ${v.message}` }]
      : [];
  });
}

export async function scanStacks(stacks: StackFile[], tools: ScanTools, opts: ScanOptions = {}): Promise<Finding[]> {
  const parts = new Set(opts.parts ?? SCAN_PARTS);
  const log = opts.log ?? (() => undefined);
  const imageResults = new Map<string, Promise<ImageScanOutcome>>(); // an image shared by stacks is scanned once
  const findings: Finding[] = [];
  for (const stack of stacks) {
    const name = stack.stackName;
    if (parts.has("tls")) {
      const target = gatewayOf(stack, opts.address);
      const where = `${target.host}:${target.port}${target.ip ? ` at ${target.ip}` : ""}`;
      log(`${name}: testssl ${where}`);
      const outcome = await tools.testssl({ ...target, caFile: opts.caFile });
      if ("problem" in outcome) findings.push({ stack: name, source: "tls", severity: "unknown", id: "testssl", target: where, message: outcome.problem });
      else findings.push(...summarizeTestssl(outcome.entries, name, where));
    }
    if (!parts.has("images") && !parts.has("policies")) continue;
    const plan = await tools.plan(stack);
    if (parts.has("images")) {
      for (const image of imagesOf(plan)) {
        if (!imageResults.has(image)) {
          log(`${name}: packages of ${image}`);
          imageResults.set(image, tools.imageUpdates(image));
        }
        findings.push(...imageFindings(name, image, await imageResults.get(image)!));
      }
    }
    if (parts.has("policies")) findings.push(...policyFindings(name, await tools.policies(stack, plan)));
  }
  return findings;
}
