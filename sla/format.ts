/** lchost sla report's outputs: a table for people, JSON and CSV for billing. Pure. */
import { EDITION_IDS, EditionCatalog, editionCatalog } from "../model/catalog";
import { creditBandLabel, formatAvailability } from "../model/sla";
import type { SlaReport, SlaReportRow } from "./report";

const metText = (r: SlaReportRow) => (r.met === null ? "unknown" : r.met ? "yes" : "no");
/** Truncated, like formatAvailability: a figure never reads as meeting a bound it misses. */
const truncated = (x: number, digits: number) => (Math.floor(x * 10 ** digits + 1e-9) / 10 ** digits).toFixed(digits);

export function slaReportTable(report: SlaReport, maintenanceNote: string): string {
  const head = ["customer", "edition", "down min", "maintenance min", "no data min", "availability", "guarantee", "met", "credit band", "credit"];
  const rows = report.rows.map((r) => [
    r.customer,
    r.edition,
    String(r.minutesDown),
    String(r.minutesMaintenance),
    String(r.minutesNoData),
    formatAvailability(r.availabilityPercent),
    `${r.guaranteePercent} %`,
    metText(r),
    r.credit?.band ?? "-",
    r.credit ? `${r.credit.creditPercent} %` : "-",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const period = report.complete ? `${report.month} (whole month, UTC)` : `${report.month} up to ${report.evaluatedUntil} (month not over)`;
  return [
    `SLA ${period}; announced maintenance: ${maintenanceNote}`,
    line(head),
    ...rows.map(line),
    ...(report.rows.length === 0 ? ["(no customers)"] : []),
  ].join("\n");
}

export function slaReportJson(report: SlaReport, maintenanceSource: string): string {
  return JSON.stringify({ ...report, maintenanceSource }, null, 2);
}

const CSV_COLUMNS = [
  "month",
  "customer",
  "stack",
  "edition",
  "minutes_in_month",
  "minutes_evaluated",
  "minutes_down",
  "minutes_maintenance",
  "minutes_late_maintenance",
  "minutes_no_data",
  "minutes_measured",
  "availability_percent",
  "guarantee_percent",
  "met",
  "credit_band",
  "credit_percent",
];

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One row per customer; availability truncated to 4 decimals, empty when unknown. */
export function slaReportCsv(report: SlaReport): string {
  const rows = report.rows.map((r) =>
    [
      r.month,
      r.customer,
      r.stack,
      r.edition,
      r.minutesInMonth,
      r.minutesEvaluated,
      r.minutesDown,
      r.minutesMaintenance,
      r.minutesLateMaintenance,
      r.minutesNoData,
      r.minutesMeasured,
      r.availabilityPercent === null ? "" : truncated(r.availabilityPercent, 4),
      r.guaranteePercent,
      metText(r),
      r.credit?.band ?? "",
      r.credit?.creditPercent ?? "",
    ]
      .map((v) => csvCell(String(v)))
      .join(","),
  );
  return [CSV_COLUMNS.join(","), ...rows].join("\n");
}

/** The credit tables of the catalog as docs/sla.md shows them (a test keeps the doc in step with the catalog). */
export function slaCreditTableMarkdown(cat: EditionCatalog = editionCatalog()): string {
  const rows = EDITION_IDS.map((id) => {
    const e = cat.editions[id];
    const bands = e.slaCredits.map((b, i) => `${creditBandLabel(e.slaCredits, i)} → ${b.creditPercent} %`).join(" · ");
    return `| ${e.title} (\`${id}\`) | ${e.availabilityPercent} % | ${bands} |`;
  });
  return ["| edition | guarantee | month's availability → credit (of the monthly fee) |", "|---|---|---|", ...rows].join("\n");
}
