import { editionFacts } from "../model/catalog";
import { describeLinePlan, linePlan } from "../model/extraLines";
import { StackConfig } from "../model/stackConfig";
import { Plan, PlannedResource } from "../planner/mockPlanner";
import { maskSecrets } from "../planner/planValues";
import { Violation } from "../policies/violation";

export interface PlanReport {
  stack: string;
  edition: string;
  platform: string;
  resources: Array<{ type: string; name: string; parent: string | null; inputs: unknown }>;
  violations: Violation[];
  summary: Record<string, unknown>;
}

export function summarize(config: StackConfig, plan: Plan): Record<string, unknown> {
  const byType: Record<string, number> = {};
  for (const r of plan.resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
  const base = { resources: plan.resources.length, byType, millis: Math.round(plan.millis) };
  if (config.role === "shared-server") return { role: "shared-server", tenants: config.tenants, ...base };
  if (config.role === "operations") return { role: "operations", ...base };
  const facts = editionFacts(config.edition);
  const lp = linePlan(config, new Date());
  return {
    edition: config.edition,
    editionTitle: facts.title,
    lines: lp.total,
    ...(lp.extra ? { bookedLines: lp.booked, extraLines: lp.extra, extraUntil: lp.extraUntil!.toISOString() } : {}),
    linesText: describeLinePlan(lp),
    quotas: lp.quotas,
    availabilityPercent: facts.availabilityPercent,
    outputs: maskSecrets(plan.outputs),
    ...base,
  };
}

export function planReport(config: StackConfig, plan: Plan, violations: Violation[]): PlanReport {
  return {
    stack: plan.stack,
    edition: config.role === "customer" ? config.edition : config.role,
    platform: config.platform,
    resources: plan.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: maskSecrets(r.inputs) })),
    violations,
    summary: summarize(config, plan),
  };
}

/** The few inputs that tell a reader what a resource is. */
function keyInputs(r: PlannedResource): string {
  const i = maskSecrets(r.inputs) as any;
  const parts: string[] = [];
  if (i.name && typeof i.name === "string") parts.push(`name=${i.name}`);
  if (i.image) parts.push(`image=${i.image}`);
  if (Array.isArray(i.networksAdvanced)) parts.push(`networks=${i.networksAdvanced.map((n: any) => n.name).join(",")}`);
  if (Array.isArray(i.ports) && i.ports.length) parts.push(`ports=${i.ports.map((p: any) => `${p.external ?? "?"}->${p.internal}`).join(",")}`);
  if (i.memory) parts.push(`memory=${i.memory}MB`);
  if (i.restart) parts.push(`restart=${i.restart}`);
  if (r.retainOnDelete) parts.push("retainOnDelete");
  if (i.length && r.type.startsWith("random:")) parts.push(`length=${i.length} [secret]`);
  return parts.join(" ");
}

export function renderTree(plan: Plan): string {
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of plan.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`stack ${plan.stack}`];
  const walk = (parent: string | undefined, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, idx) => {
      const last = idx === list.length - 1;
      const detail = keyInputs(r);
      lines.push(`${indent}${last ? "└─" : "├─"} ${r.type} ${r.name}${detail ? `  ${detail}` : ""}`);
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "");
  return lines.join("\n");
}

export function renderViolations(violations: Violation[]): string {
  if (violations.length === 0) return "policies: no violations";
  return [
    `policies: ${violations.length} violation(s)`,
    ...violations.map((v) => `  [${v.enforcementLevel}] ${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`),
  ].join("\n");
}
