import { allowedDowntimeMinutesPerMonth, EDITION_IDS, editionCatalog } from "./catalog";

/** The editions as a Markdown table, from the catalog: `lchost editions` prints it and the README embeds it. */
export function renderEditionTable(): string {
  const cat = editionCatalog();
  const n = (x: number) => x.toLocaleString("en-US");
  const rows = EDITION_IDS.map((id) => {
    const e = cat.editions[id];
    const per = e.quotas.perLine ? " per line" : "";
    const ws = e.includes.webServices ? `${n(e.quotas.webServiceCallsPerMonth)}${per}` : "none";
    const lines = e.lines.min === e.lines.max ? `${e.lines.min}` : `${e.lines.min}–${e.lines.max} (default ${e.lines.default})`;
    const db =
      e.database.kind === "cluster"
        ? `Galera cluster, ${e.database.nodes} nodes`
        : e.database.kind === "single"
          ? "own MariaDB server"
          : "own schema on the shared MariaDB";
    const fsb = e.includes.dedicatedFsb ? "dedicated (per line)" : "shared";
    return `| ${e.title} (\`${id}\`) | ${n(e.quotas.activationsPerMonth)}${per} | ${ws} | ${e.availabilityPercent} % (≤ ${allowedDowntimeMinutesPerMonth(id)} min/month) | ${lines} | ${db} | ${fsb} |`;
  });
  return [
    "| edition | activations + deactivations / month | web-service calls / month | availability | lines | database | FSB |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
