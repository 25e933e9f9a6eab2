/**
 * Announcing maintenance (lchost maintenance announce, docs/sla.md "Announcing maintenance"): for every
 * announced stack, in this order, each step with its undo so that a failure leaves nothing half applied:
 *
 *   1. silence the window's alerts in Alertmanager      undo: expire the silences created
 *   2. publish it on the status portal, per customer     undo: withdraw the entries published
 *   3. record it in the announcements file (SLA record)  undo: the old text back (or no file, as before)
 *   4. notify each customer: a MaintenanceAnnounced alert its own Alertmanager route delivers through the notifier
 *
 * The notification comes last because it is the one step that cannot be taken back: once a customer was
 * told, everything it was told about exists. Steps 1 and 2 undo what they did even when they fail half way
 * (the third of five silences failing expires the first two).
 */
import * as fs from "fs";
import { announcementTime, appendMaintenanceAnnouncements, MaintenanceAnnouncement, writeFileAtomically } from "../model/maintenanceAnnouncements";
import { announcedInTime } from "../model/sla";
import type { AlertPoster, AlertSilencer } from "../render/alertmanager/api";
import { announcedWindowSilence, AnnouncedCustomer, announcementAlerts } from "../render/alertmanager/maintenanceAnnouncement";
import { maintenanceSilence, SilencedStack } from "../render/alertmanager/maintenanceSilence";
import type { MaintenancePublisher } from "../render/statusPortal/adminApi";
import type { PortalLanguage } from "../status-portal/src/env";
import type { ProgressLog } from "../migration/progressLog";
import { runSteps, Step } from "../migration/stepRunner";

/** One announced stack: whose alerts its silence covers and the customers told (a shared server: its tenants). */
export interface AnnouncedStack {
  stack: string;
  silenced: SilencedStack;
  customers: Array<AnnouncedCustomer & { channels: string[] }>;
}

export interface AnnouncementRequest {
  stacks: AnnouncedStack[];
  from: Date;
  to: Date;
  reason: string;
  /** The language the reason is written in. */
  language: PortalLanguage;
  /** When it is announced (now). */
  announcedAt: Date;
  /** The catalog's sla.maintenanceNoticeDays. */
  noticeDays: number;
  /** The announcements file and its text as read during validation (undefined: it does not exist yet). */
  file: string;
  oldText: string | undefined;
}

export interface AnnouncementServices {
  alertmanager: AlertSilencer & AlertPoster;
  portal: MaintenancePublisher;
  log: ProgressLog;
}

export interface AnnouncementOutcome {
  silences: Array<{ stack: string; id: string }>;
  portal: Array<{ customer: string; id: string }>;
  file: string;
  /** Every customer an announcement alert was posted for, with the channels its route delivers to (none: on-call only). */
  notified: Array<{ customer: string; channels: string[] }>;
  /** Announced at least noticeDays ahead: its minutes are excluded from the month's availability. */
  inTime: boolean;
}

interface Run {
  req: AnnouncementRequest;
  svc: AnnouncementServices;
  out: AnnouncementOutcome;
}

const customersOf = (req: AnnouncementRequest) => req.stacks.flatMap((s) => s.customers);

/** Whether the window counts as announced for the SLA (announced ≥ noticeDays before it starts). */
export function announcementInTime(req: Pick<AnnouncementRequest, "from" | "to" | "announcedAt" | "noticeDays">): boolean {
  return announcedInTime({ from: req.from, to: req.to, announcedAt: req.announcedAt }, { maintenanceNoticeDays: req.noticeDays });
}

const STEPS: ReadonlyArray<Step<Run>> = [
  {
    name: (r) => `silence the window's alerts in Alertmanager (${r.req.stacks.length} stack(s))`,
    undoAfterOwnFailure: true,
    run: async (r) => {
      for (const s of r.req.stacks) {
        const request = announcedWindowSilence(
          maintenanceSilence({ stack: s.silenced, from: r.req.from, to: r.req.to, reason: r.req.reason, now: r.req.announcedAt }),
        );
        r.out.silences.push({ stack: s.stack, id: await r.svc.alertmanager.createSilence(request) });
      }
      return r.out.silences.map((s) => `${s.stack} ${s.id}`).join(", ");
    },
    undo: {
      name: (r) => `expire the silence(s) ${r.out.silences.map((s) => s.id).join(", ")}`,
      when: (r) => r.out.silences.length > 0,
      run: async (r) => {
        for (const s of [...r.out.silences].reverse()) {
          await r.svc.alertmanager.expireSilence(s.id);
          r.out.silences.pop();
        }
      },
    },
  },
  {
    name: (r) => `publish it on the status portal (${customersOf(r.req).length} customer(s))`,
    undoAfterOwnFailure: true,
    run: async (r) => {
      for (const c of customersOf(r.req)) {
        const m = await r.svc.portal.postMaintenance({
          customer: c.customer,
          from: announcementTime(r.req.from),
          to: announcementTime(r.req.to),
          reason: r.req.reason,
          language: r.req.language,
        });
        r.out.portal.push({ customer: c.customer, id: m.id });
      }
      return r.out.portal.map((p) => `${p.customer} ${p.id}`).join(", ");
    },
    undo: {
      name: (r) => `withdraw it from the status portal (${r.out.portal.map((p) => p.customer).join(", ")})`,
      when: (r) => r.out.portal.length > 0,
      run: async (r) => {
        for (const p of [...r.out.portal].reverse()) {
          await r.svc.portal.deleteMaintenance(p.id);
          r.out.portal.pop();
        }
      },
    },
  },
  {
    name: (r) => `record it in ${r.req.file}`,
    run: async (r) => {
      const added: MaintenanceAnnouncement[] = r.req.stacks.map((s) => ({
        customers: s.customers.map((c) => c.customer),
        stack: s.stack,
        from: r.req.from,
        to: r.req.to,
        announcedAt: r.req.announcedAt,
        reason: r.req.reason,
      }));
      // written over the text read when the command started; a file changed meanwhile is not overwritten
      const current = fs.existsSync(r.req.file) ? fs.readFileSync(r.req.file, "utf8") : undefined;
      if (current !== r.req.oldText) throw new Error(`${r.req.file} changed while announcing; run the command again`);
      writeFileAtomically(r.req.file, appendMaintenanceAnnouncements(r.req.oldText, added, r.req.file));
      return `${added.length} announcement(s)`;
    },
    undo: {
      name: (r) => (r.req.oldText === undefined ? `remove ${r.req.file} again (it did not exist)` : `restore the previous ${r.req.file}`),
      run: async (r) => {
        if (r.req.oldText === undefined) fs.rmSync(r.req.file, { force: true });
        else writeFileAtomically(r.req.file, r.req.oldText);
      },
    },
  },
  {
    name: (r) => `notify the customers through their channels (${customersOf(r.req).length} announcement alert(s) to Alertmanager)`,
    run: async (r) => {
      const customers = customersOf(r.req);
      await r.svc.alertmanager.postAlerts(
        announcementAlerts({
          customers,
          from: r.req.from,
          to: r.req.to,
          reason: r.req.reason,
          reasonLanguage: r.req.language,
          inTime: r.out.inTime,
          now: r.req.announcedAt,
        }),
      );
      r.out.notified = customers.map((c) => ({ customer: c.customer, channels: c.channels }));
      return customers.map((c) => `${c.customer} (${c.channels.join(", ") || "no channels: on-call only"})`).join(", ");
    },
  },
];

/** Runs the four steps; a failure undoes the steps done and throws StepsRolledBack (migration/stepRunner.ts). */
export async function announceMaintenance(req: AnnouncementRequest, svc: AnnouncementServices): Promise<AnnouncementOutcome> {
  const run: Run = { req, svc, out: { silences: [], portal: [], file: req.file, notified: [], inTime: announcementInTime(req) } };
  await runSteps(STEPS, run, { log: svc.log });
  return run.out;
}
