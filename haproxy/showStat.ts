/**
 * Reads the CSV answer of the admin socket's `show stat` command (HAProxy 2.6): one row per
 * frontend, backend and server; the header row starts with `# `. Only server rows are returned.
 */
function serverRows(csv: string): { header: string[]; rows: string[][] } {
  const lines = csv.split("\n").filter((l) => l.trim());
  const header = lines[0]?.replace(/^#\s*/, "").split(",") ?? [];
  const rows = lines
    .slice(1)
    .map((l) => l.split(","))
    .filter((f) => f[1] !== "FRONTEND" && f[1] !== "BACKEND");
  return { header, rows };
}

/** Status (UP, DOWN, MAINT, no check …) per `backend/server`. */
export function parseShowStat(csv: string): Record<string, string> {
  const { header, rows } = serverRows(csv);
  const status = header.indexOf("status");
  return Object.fromEntries(rows.map((f) => [`${f[0]}/${f[1]}`, f[status]]));
}

/** Current sessions per `backend/server`. */
export function sessionCounts(csv: string): Record<string, number> {
  const { header, rows } = serverRows(csv);
  const scur = header.indexOf("scur");
  return Object.fromEntries(rows.map((f) => [`${f[0]}/${f[1]}`, Number(f[scur]) || 0]));
}

/** Every row of `show stat` (frontends, backends, servers) as `proxy/name` → its columns by header name. */
export function statRows(csv: string): Array<Record<string, string>> {
  const lines = csv.split("\n").filter((l) => l.trim());
  const header = lines[0]?.replace(/^#\s*/, "").split(",") ?? [];
  return lines.slice(1).map((l) => {
    const f = l.split(",");
    return Object.fromEntries(header.map((h, i) => [h, f[i] ?? ""]));
  });
}
