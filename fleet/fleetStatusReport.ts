/** What `lchost fleet status` prints: one row per customer, or the same as JSON. Pure. */
import { CustomerStatus } from "./fleetStatus";

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)];
}

const quota = (used: number, limit: number | null) => `${used} / ${limit === null ? "unlimited" : limit}`;

export function renderFleetStatusTable(rows: CustomerStatus[]): string {
  const body = rows.map((r) => [
    r.customer,
    r.edition,
    r.hosts.length ? r.hosts.join(",") : "-",
    r.images?.length ? r.images.join(",") : "-",
    r.lines !== undefined && r.readyLines !== undefined ? `${r.readyLines}/${r.lines}` : "-",
    r.usage ? r.usage.month : "-",
    r.usage ? quota(r.usage.activations, r.usage.activationsQuota) : "-",
    r.usage ? quota(r.usage.webServiceCalls, r.usage.webServiceCallsQuota) : "-",
    r.lastDeployment ? r.lastDeployment.replace(/\.\d{3}Z$/, "Z") : "-",
    r.detail ? `${r.state}: ${r.detail}` : r.state,
  ]);
  const out = table(["customer", "edition", "host", "image", "ready", "month", "activations", "ws calls", "last deployment", "state"], body);
  const count = (s: CustomerStatus["state"]) => rows.filter((r) => r.state === s).length;
  out.push("");
  out.push(`${rows.length} customer(s): ${count("deployed")} deployed, ${count("not deployed")} not deployed, ${count("unreachable")} unreachable`);
  return out.join("\n");
}

export function fleetStatusJson(rows: CustomerStatus[]): string {
  return JSON.stringify({ customers: rows }, null, 2);
}
