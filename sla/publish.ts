/**
 * The SLA report on the status portal: each customer's month as `lchost sla report` computed it, put on
 * the portal (PUT /v1/admin/availability/{customer}/{month}), which shows it on that customer's page. Each
 * PUT replaces that customer's figures of that month, so publishing again (every few minutes while the
 * month runs, or after a failure) is always safe.
 */
import type { MonthAvailabilityRequest } from "../status-portal/src/env";
import type { SlaReport, SlaReportRow } from "./report";

/** What the portal stores of one row (pure). Unknown availability stays unknown: never 100 %. */
export function portalFigures(row: SlaReportRow): MonthAvailabilityRequest {
  return {
    availabilityPercent: row.availabilityPercent,
    minutesDown: row.minutesDown,
    minutesMaintenance: row.minutesMaintenance,
    met: row.met,
    creditPercent: row.credit ? row.credit.creditPercent : null,
  };
}

export interface AvailabilityPublisher {
  publishAvailability(customer: string, month: string, figures: MonthAvailabilityRequest): Promise<void>;
}

export interface PublishOutcome {
  published: string[];
  failed: Array<{ customer: string; error: string }>;
}

/** Puts every row on the portal, a few at a time; a failure of one customer does not stop the others. */
export async function publishReport(report: SlaReport, portal: AvailabilityPublisher, concurrency = 4): Promise<PublishOutcome> {
  const out: PublishOutcome = { published: [], failed: [] };
  const queue = [...report.rows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      try {
        await portal.publishAvailability(row.customer, report.month, portalFigures(row));
        out.published.push(row.customer);
      } catch (e) {
        out.failed.push({ customer: row.customer, error: (e as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  out.published.sort();
  out.failed.sort((a, b) => a.customer.localeCompare(b.customer));
  return out;
}
