/**
 * Stack tags the policies read. A policy pack sees resource inputs and stack tags, never the stack's
 * config, so facts that only the config holds (the customer's expected volume) travel as tags:
 * `lchost plan` derives them from the stack file; with the Pulumi CLI set them once per stack
 * (`pulumi stack tag set lchost:expectedActivationsPerMonth 60000`; see policies/README.md).
 */
export const STACK_TAGS = {
  edition: "lchost:edition",
  customer: "lchost:customer",
  lines: "lchost:lines",
  expectedActivations: "lchost:expectedActivationsPerMonth",
  expectedWebServiceCalls: "lchost:expectedWebServiceCallsPerMonth",
  /** High Availability: the names of lchost:hosts joined by ','. */
  hosts: "lchost:hosts",
  /** High Availability on hosts: lchost:balancer.virtualIp. */
  virtualIp: "lchost:virtualIp",
} as const;

export function numberTag(tags: ReadonlyMap<string, string>, name: string): number | undefined {
  const v = tags.get(name);
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
