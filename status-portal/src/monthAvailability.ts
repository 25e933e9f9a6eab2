/**
 * The seam between the portal and the SLA accounting (issue 10, item 4, built on branch `sla`): "this
 * month's availability against the edition's guarantee" comes through this one interface.
 *
 * TODO(sla): the lead wires the real source here. The portal never imports the toolkit (model/sla.ts), so
 * the real implementation is one of: the portal asks Prometheus for the SLA recording rules itself (a
 * PORTAL_PROMETHEUS_URL and the same maths as `lchost sla report`, moved to service-kit), or the report's
 * figures are written to a portal table by `lchost sla report --publish`. Until then the page says "not
 * measured yet" — never 100 %.
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

/** The stand-in until the SLA accounting is wired: every month is "not measured yet". */
export const notMeasuredYet: MonthAvailabilitySource = {
  monthAvailability: async () => ({ known: false }),
};
