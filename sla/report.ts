/**
 * lchost sla report, the use case: for a month and a set of customers, the minute verdicts from
 * Prometheus (render/prometheus/slaMinutes.ts), the announced maintenance (model/maintenanceAnnouncements.ts)
 * and each edition's guarantee and credit table from the catalog, through the pure maths of model/sla.ts.
 */
import { EditionCatalog, EditionId, editionCatalog } from "../model/catalog";
import { MaintenanceAnnouncement, maintenanceOf } from "../model/maintenanceAnnouncements";
import { Month, SlaInputError, slaMonth, SlaMonthResult } from "../model/sla";
import { SLA_RECORD_LAG_MINUTES } from "../render/prometheus/slaRules";
import { readSlaMinutes, SlaQueries } from "../render/prometheus/slaMinutes";

export interface SlaCustomer {
  customer: string;
  stack: string;
  edition: EditionId;
}

export interface SlaReportRequest {
  month: Month;
  customers: SlaCustomer[];
  prometheus: SlaQueries;
  announcements: MaintenanceAnnouncement[];
  now: Date;
  catalog?: EditionCatalog;
}

export interface SlaReportRow extends SlaMonthResult, SlaCustomer {}

export interface SlaReport {
  month: string;
  /** Minutes from here on were not judged (the month is not over yet, or Prometheus has not recorded them yet). */
  evaluatedUntil: string;
  complete: boolean;
  rows: SlaReportRow[];
}

const MINUTE_MS = 60_000;

/**
 * Up to where a month can be judged at `now`: a minute's verdict is recorded in its second minute after
 * it ended at the latest (slaRules.ts), so the minutes of the last SLA_RECORD_LAG_MINUTES + 1 are not yet.
 */
export function judgedUntil(month: Month, now: Date): Date {
  const recorded = Math.floor((now.getTime() - (SLA_RECORD_LAG_MINUTES + 1) * MINUTE_MS) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  return new Date(Math.min(month.end.getTime(), recorded));
}

export async function slaReport(req: SlaReportRequest): Promise<SlaReport> {
  const cat = req.catalog ?? editionCatalog();
  if (req.month.start.getTime() > req.now.getTime()) throw new SlaInputError("--month", `${req.month.id} has not begun yet (now ${req.now.toISOString()})`);
  const until = judgedUntil(req.month, req.now);
  const states = await readSlaMinutes(req.prometheus, {
    month: req.month,
    customers: req.customers.map((c) => c.customer),
    until,
    rules: cat.sla,
  });
  const rows = req.customers.map((c): SlaReportRow => {
    const e = cat.editions[c.edition];
    const result = slaMonth({
      month: req.month,
      states: states.get(c.customer)!,
      maintenance: maintenanceOf(c.customer, req.announcements),
      guaranteePercent: e.availabilityPercent,
      credits: e.slaCredits,
      rules: cat.sla,
      until,
    });
    return { customer: c.customer, stack: c.stack, edition: c.edition, ...result };
  });
  return { month: req.month.id, evaluatedUntil: until.toISOString(), complete: until.getTime() >= req.month.end.getTime(), rows };
}
