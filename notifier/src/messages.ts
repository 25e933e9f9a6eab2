/**
 * What a customer reads (pure): from the labels Alertmanager posts, in the customer's language, what is
 * affected in plain words (component, part, edition), since when, what the hosting team is doing and, once
 * resolved, when and after how long. docs/notifications.md shows one example of each kind in both languages.
 */
import type { AlertmanagerAlert, AlertmanagerPayload } from "./alertmanagerPayload";
import {
  MAINTENANCE_ANNOTATIONS,
  MAINTENANCE_ANNOUNCED_ALERT,
  NOTIFICATION_LANGUAGES,
  NOTIFICATION_SEVERITIES,
  NotificationLanguage,
  NotificationSeverity,
  ON_CALL_CUSTOMER,
} from "./env";

export interface NotificationAlert {
  status: "firing" | "resolved";
  alertname: string;
  customer: string;
  edition: string;
  severity: NotificationSeverity;
  component: string;
  part: string;
  /** RFC 3339 */
  since: string;
  /** RFC 3339, only once resolved */
  until: string | null;
  /** The rule's English summary (plain words), shown as a detail. */
  summary: string | null;
  /** Set on a MaintenanceAnnounced alert whose annotations carry a usable window: rendered as an announcement. */
  maintenance?: MaintenanceNotice;
}

/** Announced maintenance as `lchost maintenance announce` posts it (env.ts MAINTENANCE_ANNOTATIONS). */
export interface MaintenanceNotice {
  /** RFC 3339 */
  from: string;
  /** RFC 3339 */
  to: string;
  reason: string;
  /** The language the reason is written in, when given. */
  reasonLanguage: NotificationLanguage | null;
  /** excluded: announced in time, not counted against the month; counted: announced too late; null: not said. */
  sla: "excluded" | "counted" | null;
}

export interface Notification {
  /** The customer the notification is for (ON_CALL_CUSTOMER for the hosting team). */
  customer: string;
  status: "firing" | "resolved";
  alerts: NotificationAlert[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
}

/**
 * Edition titles as the catalog (model/catalog.yaml `title`) names them; the notifier never imports the
 * toolkit, so a unit test checks this copy against the catalog.
 */
export const EDITION_TITLES: Readonly<Record<string, string>> = {
  datacenter: "Datacenter",
  dedicated: "Dedicated Server",
  "high-performance": "High Performance",
  "high-availability": "High Availability Package",
};

/** Alertmanager's endsAt of an alert that has not ended. */
const NO_END = /^0001-01-01T/;

/**
 * Control characters (CR, LF, tab, C1), line and paragraph separators and bidirectional overrides.
 * A label is one line of plain text: with these, a label could start lines of its own in the customer's
 * text ("What we are doing: …") or reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** A label or annotation as one line of plain text: control characters and separators become one space. */
export function plainText(s: string): string {
  return s.replace(NOT_PLAIN, " ").trim();
}

/** A word table's own entry, never an inherited member (an edition label "constructor" must not name a function). */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The announcement an alert carries, or undefined when it is no MaintenanceAnnounced alert or its window is unusable. */
export function maintenanceNotice(a: AlertmanagerAlert): MaintenanceNotice | undefined {
  if (a.labels.alertname !== MAINTENANCE_ANNOUNCED_ALERT) return undefined;
  const an = a.annotations ?? {};
  const from = an[MAINTENANCE_ANNOTATIONS.from] ?? "";
  const to = an[MAINTENANCE_ANNOTATIONS.to] ?? "";
  const reason = plainText(an[MAINTENANCE_ANNOTATIONS.reason] ?? "");
  if (!RFC3339.test(from) || !RFC3339.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || reason === "") return undefined;
  const lang = an[MAINTENANCE_ANNOTATIONS.language];
  const sla = an[MAINTENANCE_ANNOTATIONS.sla];
  return {
    from,
    to,
    reason,
    reasonLanguage: (NOTIFICATION_LANGUAGES as readonly string[]).includes(lang) ? (lang as NotificationLanguage) : null,
    sla: sla === "excluded" || sla === "counted" ? sla : null,
  };
}

export function notificationAlert(a: AlertmanagerAlert): NotificationAlert {
  const l = a.labels;
  const maintenance = maintenanceNotice(a);
  return {
    status: a.status,
    alertname: plainText(l.alertname),
    customer: l.customer,
    edition: plainText(l.edition ?? ""),
    severity: l.severity as NotificationSeverity,
    component: plainText(l.component),
    part: plainText(l.part),
    since: a.startsAt,
    until: a.status === "resolved" && a.endsAt && !NO_END.test(a.endsAt) ? a.endsAt : null,
    summary: plainText(a.annotations?.summary ?? "") || null,
    ...(maintenance ? { maintenance } : {}),
  };
}

export function notificationFromPayload(customer: string, payload: AlertmanagerPayload): Notification {
  return { customer, status: payload.status, alerts: payload.alerts.map(notificationAlert) };
}

export function severityRank(s: NotificationSeverity): number {
  return NOTIFICATION_SEVERITIES.indexOf(s);
}

const isAnnouncement = (a: NotificationAlert) => a.alertname === MAINTENANCE_ANNOUNCED_ALERT;

/**
 * Alerts at or above the recipient's minimum severity; the status follows what remains (firing if any fires).
 * A maintenance announcement is a notice the customer must get whatever its minimum: kept while firing, and
 * dropped once resolved (it ends by itself minutes after it was posted; a "resolved" would say nothing).
 */
export function filterBySeverity(n: Notification, minimum: NotificationSeverity): Notification {
  const alerts = n.alerts.filter((a) => (isAnnouncement(a) ? a.status === "firing" : severityRank(a.severity) >= severityRank(minimum)));
  return { ...n, alerts, status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved" };
}

// ---- words ----

interface Words {
  severity: Record<NotificationSeverity, string>;
  component(component: string, part: string): string;
  intro(customer: string): string;
  affected: string;
  since: string;
  resolvedAt: string;
  duration: string;
  severityLabel: string;
  details: string;
  doing(a: NotificationAlert): string;
  resolvedNote: string;
  more(n: number): string;
  subjectFiring(what: string, severity: string): string;
  subjectResolved(what: string): string;
  headingFiring: string;
  headingResolved: string;
  time(iso: string): string;
  span(ms: number): string;
  announcement: AnnouncementWords;
}

/** How a maintenance announcement reads (MaintenanceAnnounced alerts). */
interface AnnouncementWords {
  subject(customer: string, from: string, to: string): string;
  heading(what: string): string;
  from: string;
  to: string;
  duration: string;
  reason(reasonLanguage: NotificationLanguage | null): string;
  during: string;
  sla: Record<"excluded" | "counted", string>;
  closing: string;
}

function partNumber(part: string): string {
  const m = /-(\d+)$/.exec(part);
  return m ? ` ${m[1]}` : "";
}

const utc = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
const berlin = new Intl.DateTimeFormat("de-DE", {
  timeZone: "Europe/Berlin",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
});

function span(ms: number, lessThanAMinute: string, h: string, min: string): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return lessThanAMinute;
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} ${h} ${minutes % 60} ${min}` : `${minutes} ${min}`;
}

const QUOTA_EN: Record<string, string> = { activations: "monthly activation quota", webServiceCalls: "monthly web-service call quota" };
const QUOTA_DE: Record<string, string> = {
  activations: "monatliches Aktivierungskontingent",
  webServiceCalls: "monatliches Kontingent an Webservice-Aufrufen",
};

const EN: Words = {
  severity: { info: "info", warning: "warning", critical: "critical" },
  component(component, part) {
    const n = partNumber(part);
    switch (component) {
      case "line":
        return `License Central line${n}`;
      case "fsb":
        return `FSB signing box${n}`;
      case "database":
        return n ? `database node${n}` : "database";
      case "gateway":
        return `gateway${n}`;
      case "entry":
        return "public HTTPS entry";
      case "quota":
        return own(QUOTA_EN, part) ?? `quota (${part})`;
      case "certificate":
        return "TLS certificate of the public entry";
      case "slo":
        return "availability (service level)";
      case "maintenance":
        return "announced maintenance";
      default:
        return `${component} ${part}`;
    }
  },
  intro: (c) => `This is the lchost hosting team about License Central of ${c}.`,
  affected: "Affected",
  since: "Since",
  resolvedAt: "Resolved",
  duration: "Duration",
  severityLabel: "Severity",
  details: "Details",
  doing(a) {
    if (a.component === "quota") return "What we are doing: we will contact you about the remaining quota; please check whether you need a larger package.";
    if (a.component === "certificate") return "What we are doing: we are renewing the certificate before it expires; you do not need to do anything.";
    const rest = a.component === "line" && a.edition === "high-availability" ? " Your other lines keep serving meanwhile." : "";
    return `What we are doing: our operations team has been alerted and is working on it.${rest}`;
  },
  resolvedNote: "No action is needed on your side.",
  more: (n) => ` and ${n} more`,
  subjectFiring: (what, sev) => `${what}: disruption (${sev})`,
  subjectResolved: (what) => `${what}: resolved`,
  headingFiring: "You will receive another message as soon as it is resolved.",
  headingResolved: "The disruption is resolved.",
  time: utc,
  span: (ms) => span(ms, "less than a minute", "h", "min"),
  announcement: {
    subject: (what, from, to) => `${what}: announced maintenance ${from} to ${to}`,
    heading: (what) => `Announced maintenance of ${what}`,
    from: "From",
    to: "To",
    duration: "Duration",
    reason: (l) => (l === "de" ? "Reason (in German)" : "Reason"),
    during: "During this window License Central may be unavailable at times. You do not need to do anything.",
    sla: {
      excluded: "It was announced in time: these minutes do not count against your monthly availability guarantee.",
      counted: "It was announced at short notice: these minutes count towards your monthly availability like any other.",
    },
    closing: "The times are also shown on your status page.",
  },
};

const DE: Words = {
  severity: { info: "Hinweis", warning: "Warnung", critical: "kritisch" },
  component(component, part) {
    const n = partNumber(part);
    switch (component) {
      case "line":
        return `Lizenzserver-Linie${n}`;
      case "fsb":
        return `FSB-Signaturbox${n}`;
      case "database":
        return n ? `Datenbankknoten${n}` : "Datenbank";
      case "gateway":
        return `Gateway${n}`;
      case "entry":
        return "öffentlicher HTTPS-Zugang";
      case "quota":
        return own(QUOTA_DE, part) ?? `Kontingent (${part})`;
      case "certificate":
        return "TLS-Zertifikat des öffentlichen Zugangs";
      case "slo":
        return "Verfügbarkeit (Service-Level)";
      case "maintenance":
        return "angekündigte Wartung";
      default:
        return `${component} ${part}`;
    }
  },
  intro: (c) => `Hier meldet sich das lchost-Hosting-Team zu License Central von ${c}.`,
  affected: "Betroffen",
  since: "Seit",
  resolvedAt: "Behoben",
  duration: "Dauer",
  severityLabel: "Schweregrad",
  details: "Details (englisch)",
  doing(a) {
    if (a.component === "quota")
      return "Was wir tun: Wir melden uns wegen des verbleibenden Kontingents; bitte prüfen Sie, ob Sie ein größeres Paket benötigen.";
    if (a.component === "certificate") return "Was wir tun: Wir erneuern das Zertifikat vor seinem Ablauf; Sie müssen nichts unternehmen.";
    const rest = a.component === "line" && a.edition === "high-availability" ? " Ihre übrigen Linien bedienen Anfragen weiterhin." : "";
    return `Was wir tun: Unser Betriebsteam ist alarmiert und arbeitet an der Behebung.${rest}`;
  },
  resolvedNote: "Sie müssen nichts weiter tun.",
  more: (n) => ` und ${n} weitere`,
  subjectFiring: (what, sev) => `${what}: Störung (${sev})`,
  subjectResolved: (what) => `${what}: behoben`,
  headingFiring: "Sie erhalten eine weitere Nachricht, sobald das Problem behoben ist.",
  headingResolved: "Die Störung ist behoben.",
  time: (iso) => `${berlin.format(new Date(iso))} (${utc(iso)})`,
  span: (ms) => span(ms, "weniger als eine Minute", "Std.", "Min."),
  announcement: {
    subject: (what, from, to) => `${what}: angekündigte Wartung ${from} bis ${to}`,
    heading: (what) => `Angekündigte Wartung von ${what}`,
    from: "Von",
    to: "Bis",
    duration: "Dauer",
    reason: (l) => (l === "en" ? "Grund (englisch)" : "Grund"),
    during: "In diesem Zeitraum ist License Central zeitweise nicht erreichbar. Sie müssen nichts unternehmen.",
    sla: {
      excluded: "Sie wurde rechtzeitig angekündigt: diese Minuten werden nicht auf Ihre monatlich zugesicherte Verfügbarkeit angerechnet.",
      counted: "Sie wurde kurzfristig angekündigt: diese Minuten zählen für Ihre monatliche Verfügbarkeit wie alle anderen.",
    },
    closing: "Die Zeiten stehen auch auf Ihrer Statusseite.",
  },
};

export const WORDS: Record<NotificationLanguage, Words> = { de: DE, en: EN };

/** "License Central line 2 (High Availability Package)", prefixed by the customer where it is not the addressee's own. */
export function affectedInWords(a: NotificationAlert, language: NotificationLanguage, addressee: string): string {
  const w = WORDS[language];
  const edition = own(EDITION_TITLES, a.edition) ?? a.edition;
  const what = `${w.component(a.component, a.part)}${edition ? ` (${edition})` : ""}`;
  return a.customer !== addressee ? `${a.customer}: ${what}` : what;
}

function alertBlock(a: NotificationAlert, language: NotificationLanguage, addressee: string): string[] {
  if (announced(a)) return announcementBlock(a, language, addressee);
  const w = WORDS[language];
  const lines = [`${w.affected}: ${affectedInWords(a, language, addressee)}`, `${w.since}: ${w.time(a.since)}`];
  if (a.status === "resolved") {
    if (a.until) {
      lines.push(`${w.resolvedAt}: ${w.time(a.until)}`);
      lines.push(`${w.duration}: ${w.span(Date.parse(a.until) - Date.parse(a.since))}`);
    } else {
      lines.push(`${w.resolvedAt}: ✓`);
    }
  } else {
    lines.push(`${w.severityLabel}: ${w.severity[a.severity]}`);
  }
  if (a.summary) lines.push(`${w.details}: ${a.summary}`);
  if (a.status === "firing") lines.push(w.doing(a));
  return lines;
}

/** License Central and the edition, e.g. "License Central (High Availability Package)", prefixed by the customer where it is not the addressee's own. */
function serviceInWords(a: NotificationAlert, addressee: string): string {
  const edition = own(EDITION_TITLES, a.edition) ?? a.edition;
  const what = `License Central${edition ? ` (${edition})` : ""}`;
  return a.customer !== addressee ? `${a.customer}: ${what}` : what;
}

/** A time for a subject line: the customer's words without the UTC repetition of German bodies. */
function shortTime(iso: string, language: NotificationLanguage): string {
  return language === "de" ? berlin.format(new Date(iso)) : utc(iso);
}

function announcementBlock(a: NotificationAlert & { maintenance: MaintenanceNotice }, language: NotificationLanguage, addressee: string): string[] {
  const w = WORDS[language];
  const m = a.maintenance;
  const lines = [
    w.announcement.heading(serviceInWords(a, addressee)),
    `${w.announcement.from}: ${w.time(m.from)}`,
    `${w.announcement.to}: ${w.time(m.to)}`,
    `${w.announcement.duration}: ${w.span(Date.parse(m.to) - Date.parse(m.from))}`,
    `${w.announcement.reason(m.reasonLanguage === language ? null : m.reasonLanguage)}: ${m.reason}`,
    w.announcement.during,
  ];
  if (m.sla) lines.push(w.announcement.sla[m.sla]);
  return lines;
}

const announced = (a: NotificationAlert): a is NotificationAlert & { maintenance: MaintenanceNotice } => isAnnouncement(a) && a.maintenance !== undefined;

/** A notification of announced maintenance only: its own subject and closing instead of a fault's. */
function renderAnnouncement(n: Notification, language: NotificationLanguage): RenderedMessage {
  const w = WORDS[language];
  const ordered = n.alerts.filter(announced).sort((a, b) => Date.parse(a.maintenance.from) - Date.parse(b.maintenance.from));
  const first = ordered[0];
  // on-call's notification is about the customer of its alerts (grouped by customer)
  const who = n.customer === ON_CALL_CUSTOMER ? first.customer : n.customer;
  const window = w.announcement.subject(who, shortTime(first.maintenance.from, language), shortTime(first.maintenance.to, language));
  const subject = `[lchost] ${window}${ordered.length > 1 ? w.more(ordered.length - 1) : ""}`;
  const paragraphs = [
    n.customer === ON_CALL_CUSTOMER ? "lchost on-call" : w.intro(n.customer),
    ...ordered.map((a) => announcementBlock(a, language, n.customer).join("\n")),
    w.announcement.closing,
  ];
  return { subject, text: `${paragraphs.join("\n\n")}\n` };
}

/** Subject and plain-text body of one notification (one mail, one webhook call) in `language`. */
export function renderNotification(n: Notification, language: NotificationLanguage): RenderedMessage {
  if (n.alerts.length === 0) throw new Error("renderNotification: no alerts");
  if (n.alerts.every(announced)) return renderAnnouncement(n, language);
  const w = WORDS[language];
  // firing first, the most severe first: the subject names what matters most
  const ordered = [...n.alerts].sort(
    (a, b) => Number(b.status === "firing") - Number(a.status === "firing") || severityRank(b.severity) - severityRank(a.severity),
  );
  const first = ordered[0];
  const customerPart = n.customer === ON_CALL_CUSTOMER ? "" : `${n.customer}: `;
  const what = `${customerPart}${affectedInWords(first, language, n.customer)}${ordered.length > 1 ? w.more(ordered.length - 1) : ""}`;
  const subject = `[lchost] ${n.status === "firing" ? w.subjectFiring(what, w.severity[first.severity]) : w.subjectResolved(what)}`;
  const paragraphs = [
    n.customer === ON_CALL_CUSTOMER ? "lchost on-call" : w.intro(n.customer),
    ...ordered.map((a) => alertBlock(a, language, n.customer).join("\n")),
    n.status === "firing" ? w.headingFiring : `${w.headingResolved} ${w.resolvedNote}`,
  ];
  return { subject, text: `${paragraphs.join("\n\n")}\n` };
}
