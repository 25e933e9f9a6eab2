import type { MonthAvailabilityRequest } from "./env";

/**
 * The seam between the portal and the SLA accounting (issue 10, item 4: model/sla.ts, `lchost sla report`):
 * "this month's availability against the edition's guarantee" comes through this one interface.
 *
 * The portal never imports the toolkit, so the figures are published to it: `PUT /v1/admin/availability/
 * {customer}/{YYYY-MM}` (render/statusPortal/adminApi.ts publishAvailability) stores what the report computed,
 * and publishedAvailability reads it. TODO(sla): the lead makes `lchost sla report` publish (e.g. a
 * `--publish` flag run every few minutes by the operations stack). A month nothing was published for, or
 * whose availability is unknown, says "not measured yet" — never 100 %.
 */
export type MonthAvailability =
  | { known: false }
  | {
      known: true;
      /** e.g. 99.93 */
      availabilityPercent: number;
      minutesDown: number;
      /** Minutes of announced maintenance, not counted against the guarantee. */
      maintenanceMinutes: number;
      met: boolean;
      /** Credit band of the catalog's credit table, in percent of the monthly fee (0 when met). */
      creditPercent: number;
    };

export interface MonthAvailabilitySource {
  /** `month` is a UTC month, YYYY-MM (SLA months are UTC). */
  monthAvailability(customer: string, month: string): Promise<MonthAvailability>;
}

/** What the SLA accounting published (store.monthAvailability), or "not measured yet". */
export function publishedAvailability(store: {
  monthAvailability(customer: string, month: string): Promise<MonthAvailabilityRequest | undefined>;
}): MonthAvailabilitySource {
  return {
    monthAvailability: async (customer, month) => {
      const f = await store.monthAvailability(customer, month);
      if (!f || f.availabilityPercent === null || f.met === null) return { known: false };
      return {
        known: true,
        availabilityPercent: f.availabilityPercent,
        minutesDown: f.minutesDown,
        maintenanceMinutes: f.minutesMaintenance,
        met: f.met,
        creditPercent: f.creditPercent ?? 0,
      };
    },
  };
}

/** Every month "not measured yet" (tests; a portal without the SLA accounting). */
export const notMeasuredYet: MonthAvailabilitySource = {
  monthAvailability: async () => ({ known: false }),
};
