/** What `lchost fleet place` prints: the assignment table and each host's use, or the same as JSON. Pure. */
import { Placement } from "./place";

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)];
}

const pct = (used: number, of: number) => (of === 0 ? "-" : `${Math.round((used / of) * 100)} %`);

export function renderPlacementTable(p: Placement, written: string[] = []): string {
  const rows = p.assignments.map((a) => [
    a.stack,
    a.customer ?? "-",
    a.kind,
    a.parts ? `${a.hosts.join(",")} (db ${a.parts.databaseNodes.join(",")}; lines ${a.parts.lines.join(",")})` : a.hosts.join(","),
    String(a.needs.memoryMb),
    String(a.needs.cpuShares),
    a.source === "shared-server" ? `with ${a.sharedServer}` : a.source,
  ]);
  const out = table(["stack", "customer", "edition", "host", "memory MB", "cpu shares", "source"], rows);
  out.push("");
  out.push(
    ...table(
      ["host", "stacks", "memory MB used / usable / capacity", "cpu shares used / usable / capacity", "memory used"],
      p.hosts.map((h) => [
        h.host,
        String(h.stacks.length),
        `${h.used.memoryMb} / ${h.usable.memoryMb} / ${h.capacity.memoryMb}`,
        `${h.used.cpuShares} / ${h.usable.cpuShares} / ${h.capacity.cpuShares}`,
        pct(h.used.memoryMb, h.usable.memoryMb),
      ]),
    ),
  );
  for (const s of p.skipped) out.push(`not placed: ${s.stack} (${s.reason})`);
  const placed = p.assignments.filter((a) => a.source === "placed").length;
  out.push("");
  out.push(
    written.length
      ? `${placed} stack(s) placed; recorded in ${written.length} stack file(s)`
      : `${placed} stack(s) placed${placed ? "; nothing written (record with --write)" : ""}`,
  );
  return out.join("\n");
}

export function placementJson(p: Placement, written: string[] = []): string {
  return JSON.stringify({ assignments: p.assignments, hosts: p.hosts, skipped: p.skipped, written }, null, 2);
}
