/** A silence as Alertmanager's API v2 takes it (POST /api/v2/silences). */
export interface AlertmanagerSilence {
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface CustomerSilenceRequest {
  customer: string;
  /** ISO 8601 times of the announced window. */
  from: string;
  to: string;
  reason: string;
  createdBy: string;
}

/**
 * The silence of one customer's alerts for an announced maintenance window: an exact match on the
 * `customer` label, so no other customer's alert is ever silenced. Throws naming the field on bad input.
 */
export function customerSilence(req: CustomerSilenceRequest): AlertmanagerSilence {
  const problems: string[] = [];
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(req.customer)) problems.push(`customer: '${req.customer}' is not a customer's DNS label`);
  const time = (field: "from" | "to", v: string) => {
    // a date alone or a time without zone would be read in the local zone: ask for an explicit one
    const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
    if (!ok) problems.push(`${field}: '${v}' is not an ISO 8601 time with a zone (e.g. 2026-12-01T22:00:00Z)`);
    return ok ? new Date(v) : undefined;
  };
  const from = time("from", req.from);
  const to = time("to", req.to);
  if (from && to && to.getTime() <= from.getTime()) problems.push(`to: '${req.to}' must be after from '${req.from}'`);
  if (req.reason.trim() === "") problems.push("reason: required (say what the announced work is)");
  if (req.createdBy.trim() === "") problems.push("createdBy: required");
  if (problems.length > 0) throw new Error(`invalid silence:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return {
    matchers: [{ name: "customer", value: req.customer, isRegex: false, isEqual: true }],
    startsAt: from!.toISOString(),
    endsAt: to!.toISOString(),
    createdBy: req.createdBy,
    comment: req.reason.trim(),
  };
}
