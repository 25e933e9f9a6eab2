/**
 * Everything the portal says, in German and English (pure). A Messages object per language, checked by the
 * type: a text missing in one language does not compile. Which language a request gets: pickLanguage.
 */
import { PORTAL_LANGUAGES, PortalLanguage } from "./env";

export type PartState = "operational" | "degraded" | "disrupted";
export type DayLevel = "ok" | "degraded" | "disrupted" | "nodata";

export interface Messages {
  htmlLang: string;
  siteName: string;
  skipToContent: string;
  languageSwitch: string;
  otherLanguageName: string;
  login: { title: string; intro: string; username: string; password: string; submit: string; failed: string; tooMany: (minutes: number) => string };
  logout: string;
  notFound: { title: string; text: string };
  part: (part: string) => string;
  partState: Record<PartState, string>;
  /** The plain-words sentence of a part's state. */
  partSentence: (partName: string, state: PartState) => string;
  overall: Record<PartState, string>;
  customerPage: { title: (customer: string) => string; parts: string; edition: (title: string) => string };
  incidents: {
    open: string;
    none: string;
    recent: string;
    noneRecent: string;
    severity: Record<"warning" | "critical", string>;
    status: Record<"open" | "resolved", string>;
    timeline: string;
    kind: Record<"detected" | "update" | "severity" | "resolved", string>;
    lasted: (duration: string) => string;
    since: (when: string) => string;
    fromAlert: (partName: string, severity: "warning" | "critical") => string;
    details: string;
    teamNote: string;
    inOtherLanguage: string;
    affects: string;
    sharedPlatform: string;
  };
  maintenance: { title: string; none: string; window: (from: string, to: string) => string; inProgress: string; fleetWide: string };
  availability: {
    title: string;
    guarantee: (pct: string) => string;
    measured: (pct: string) => string;
    unknown: string;
    met: string;
    missed: string;
    downtime: (minutes: number) => string;
    maintenance: (minutes: number) => string;
    credit: (pct: number) => string;
  };
  history: {
    title: string;
    legend: Record<DayLevel, string>;
    day: (day: string, level: DayLevel, disruptedMinutes: number, degradedMinutes: number) => string;
    from: string;
    today: string;
  };
  subscribe: { title: string; notifications: string; feed: string; feedAuth: string };
  settings: {
    title: string;
    timeZone: string;
    timeZoneHelp: string;
    save: string;
    saved: string;
    invalidTimeZone: (tz: string) => string;
    shownIn: (tz: string) => string;
  };
  publicPage: { title: string; intro: string; fleetIncidents: string; noFleetIncidents: string; customerLogin: string; recentFleet: string };
  feed: { title: (customer: string) => string; maintenanceEntry: (from: string, to: string) => string };
  percent: (n: number, digits?: number) => string;
}

const partEn = (p: string): string => {
  if (p === "entry") return "HTTPS entry";
  if (p === "database") return "Database";
  if (p === "fsb") return "FSB signing box";
  let m = /^line-(\d+)$/.exec(p);
  if (m) return `License Central line ${m[1]}`;
  m = /^fsb-(\d+)$/.exec(p);
  if (m) return `FSB signing box ${m[1]}`;
  return p;
};
const partDe = (p: string): string => {
  if (p === "entry") return "HTTPS-Zugang";
  if (p === "database") return "Datenbank";
  if (p === "fsb") return "FSB-Signaturbox";
  let m = /^line-(\d+)$/.exec(p);
  if (m) return `Lizenzserver-Linie ${m[1]}`;
  m = /^fsb-(\d+)$/.exec(p);
  if (m) return `FSB-Signaturbox ${m[1]}`;
  return p;
};

// a NumberFormat is costly to build: one per locale and precision, kept
const numberFormats = new Map<string, Intl.NumberFormat>();
const pct =
  (locale: string) =>
  (n: number, digits = 3) => {
    const key = `${locale}|${digits}`;
    let f = numberFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: digits });
      numberFormats.set(key, f);
    }
    return `${f.format(n)} %`;
  };

export const MESSAGES: Record<PortalLanguage, Messages> = {
  en: {
    htmlLang: "en",
    siteName: "lchost status",
    skipToContent: "Skip to content",
    languageSwitch: "Language",
    otherLanguageName: "Deutsch",
    login: {
      title: "Log in",
      intro: "Log in with the portal credentials the hosting team gave you to see the status of your License Central.",
      username: "User name",
      password: "Password",
      submit: "Log in",
      failed: "User name or password is wrong.",
      tooMany: (m) => `Too many failed logins. Try again in ${m} minutes.`,
    },
    logout: "Log out",
    notFound: { title: "Not found", text: "There is no such page." },
    part: partEn,
    partState: { operational: "operational", degraded: "impaired", disrupted: "disrupted" },
    partSentence: (name, s) =>
      s === "operational" ? `${name} works normally.` : s === "degraded" ? `${name} is impaired; the service still answers.` : `${name} is disrupted.`,
    overall: {
      operational: "Everything works normally.",
      degraded: "Part of the service is impaired; it still answers.",
      disrupted: "There is a disruption. The hosting team is working on it.",
    },
    customerPage: { title: (c) => `Status of ${c}`, parts: "Parts of your service", edition: (t) => `Edition: ${t}` },
    incidents: {
      open: "Open incidents",
      none: "No open incidents.",
      recent: "Incidents of the last 90 days",
      noneRecent: "No incidents in the last 90 days.",
      severity: { warning: "impairment", critical: "disruption" },
      status: { open: "open", resolved: "resolved" },
      timeline: "Timeline",
      kind: { detected: "Detected", update: "Update", severity: "Severity changed", resolved: "Resolved" },
      lasted: (d) => `lasted ${d}`,
      since: (w) => `since ${w}`,
      fromAlert: (part, sev) => `${part}: ${sev === "critical" ? "disruption" : "impairment"}`,
      details: "Details",
      teamNote: "Note from the hosting team",
      inOtherLanguage: "(written in German)",
      affects: "Affects",
      sharedPlatform: "Shared Datacenter platform",
    },
    maintenance: {
      title: "Announced maintenance",
      none: "No maintenance announced.",
      window: (f, t) => `${f} to ${t}`,
      inProgress: "in progress",
      fleetWide: "all customers",
    },
    availability: {
      title: "Availability this month",
      guarantee: (p) => `Guaranteed: ${p}`,
      measured: (p) => `Measured so far: ${p}`,
      unknown: "Not measured yet for this month.",
      met: "The guarantee is met.",
      missed: "The guarantee is missed.",
      downtime: (m) => `${m} minutes unavailable`,
      maintenance: (m) => `${m} minutes of announced maintenance (not counted)`,
      credit: (p) => `Credit: ${p} % of the monthly fee`,
    },
    history: {
      title: "The last 90 days",
      legend: { ok: "no incident", degraded: "impaired", disrupted: "disrupted", nodata: "no data" },
      day: (d, l, dis, deg) =>
        l === "nodata"
          ? `${d}: no data`
          : l === "ok"
            ? `${d}: no incident`
            : `${d}: ${dis ? `${dis} min disrupted` : ""}${dis && deg ? ", " : ""}${deg ? `${deg} min impaired` : ""}`,
      from: "90 days ago",
      today: "today",
    },
    subscribe: {
      title: "Stay informed",
      notifications:
        "The hosting team notifies you of every disruption and its resolution by email and/or a signed webhook; tell us the addresses (they live in your stack's notification settings).",
      feed: "Atom feed of your incidents and maintenance",
      feedAuth: "Your feed reader logs in with the same user name and password (HTTP Basic).",
    },
    settings: {
      title: "Settings",
      timeZone: "Time zone",
      timeZoneHelp: "IANA name, e.g. Europe/Berlin or America/New_York",
      save: "Save",
      saved: "Saved.",
      invalidTimeZone: (tz) => `"${tz}" is not a time zone (e.g. Europe/Berlin).`,
      shownIn: (tz) => `Times are shown in ${tz}.`,
    },
    publicPage: {
      title: "Status of the lchost hosting service",
      intro: "The overall state of the License Central hosting service. Customers log in to see their own service.",
      fleetIncidents: "Incidents affecting the whole service",
      noFleetIncidents: "No incident affects the whole service.",
      customerLogin: "Customer login",
      recentFleet: "Resolved in the last 30 days",
    },
    feed: { title: (c) => `lchost status of ${c}`, maintenanceEntry: (f, t) => `Announced maintenance ${f} to ${t}` },
    percent: pct("en-GB"),
  },
  de: {
    htmlLang: "de",
    siteName: "lchost-Status",
    skipToContent: "Zum Inhalt springen",
    languageSwitch: "Sprache",
    otherLanguageName: "English",
    login: {
      title: "Anmelden",
      intro: "Melden Sie sich mit den Portal-Zugangsdaten des Hosting-Teams an, um den Zustand Ihres License Central zu sehen.",
      username: "Benutzername",
      password: "Passwort",
      submit: "Anmelden",
      failed: "Benutzername oder Passwort ist falsch.",
      tooMany: (m) => `Zu viele fehlgeschlagene Anmeldungen. Bitte in ${m} Minuten erneut versuchen.`,
    },
    logout: "Abmelden",
    notFound: { title: "Nicht gefunden", text: "Diese Seite gibt es nicht." },
    part: partDe,
    partState: { operational: "in Betrieb", degraded: "eingeschränkt", disrupted: "gestört" },
    partSentence: (name, s) =>
      s === "operational"
        ? `${name} funktioniert normal.`
        : s === "degraded"
          ? `${name} ist eingeschränkt; der Dienst antwortet weiterhin.`
          : `${name} ist gestört.`,
    overall: {
      operational: "Alles funktioniert normal.",
      degraded: "Ein Teil des Dienstes ist eingeschränkt; er antwortet weiterhin.",
      disrupted: "Es liegt eine Störung vor. Das Hosting-Team arbeitet daran.",
    },
    customerPage: { title: (c) => `Status von ${c}`, parts: "Teile Ihres Dienstes", edition: (t) => `Edition: ${t}` },
    incidents: {
      open: "Offene Störungen",
      none: "Keine offenen Störungen.",
      recent: "Störungen der letzten 90 Tage",
      noneRecent: "Keine Störungen in den letzten 90 Tagen.",
      severity: { warning: "Einschränkung", critical: "Störung" },
      status: { open: "offen", resolved: "behoben" },
      timeline: "Verlauf",
      kind: { detected: "Erkannt", update: "Neuigkeit", severity: "Schweregrad geändert", resolved: "Behoben" },
      lasted: (d) => `Dauer ${d}`,
      since: (w) => `seit ${w}`,
      fromAlert: (part, sev) => `${part}: ${sev === "critical" ? "Störung" : "Einschränkung"}`,
      details: "Details (englisch)",
      teamNote: "Hinweis des Hosting-Teams",
      inOtherLanguage: "(auf Englisch verfasst)",
      affects: "Betrifft",
      sharedPlatform: "Gemeinsame Datacenter-Plattform",
    },
    maintenance: {
      title: "Angekündigte Wartung",
      none: "Keine Wartung angekündigt.",
      window: (f, t) => `${f} bis ${t}`,
      inProgress: "läuft",
      fleetWide: "alle Kunden",
    },
    availability: {
      title: "Verfügbarkeit in diesem Monat",
      guarantee: (p) => `Zugesichert: ${p}`,
      measured: (p) => `Bisher gemessen: ${p}`,
      unknown: "Für diesen Monat noch nicht gemessen.",
      met: "Die Zusicherung ist eingehalten.",
      missed: "Die Zusicherung ist verfehlt.",
      downtime: (m) => `${m} Minuten nicht verfügbar`,
      maintenance: (m) => `${m} Minuten angekündigte Wartung (nicht angerechnet)`,
      credit: (p) => `Gutschrift: ${p} % der Monatsgebühr`,
    },
    history: {
      title: "Die letzten 90 Tage",
      legend: { ok: "keine Störung", degraded: "eingeschränkt", disrupted: "gestört", nodata: "keine Daten" },
      day: (d, l, dis, deg) =>
        l === "nodata"
          ? `${d}: keine Daten`
          : l === "ok"
            ? `${d}: keine Störung`
            : `${d}: ${dis ? `${dis} Min. gestört` : ""}${dis && deg ? ", " : ""}${deg ? `${deg} Min. eingeschränkt` : ""}`,
      from: "vor 90 Tagen",
      today: "heute",
    },
    subscribe: {
      title: "Auf dem Laufenden bleiben",
      notifications:
        "Das Hosting-Team meldet Ihnen jede Störung und ihre Behebung per E-Mail und/oder signiertem Webhook; nennen Sie uns die Adressen (sie stehen in den Benachrichtigungs-Einstellungen Ihres Stacks).",
      feed: "Atom-Feed Ihrer Störungen und Wartungen",
      feedAuth: "Ihr Feed-Reader meldet sich mit demselben Benutzernamen und Passwort an (HTTP Basic).",
    },
    settings: {
      title: "Einstellungen",
      timeZone: "Zeitzone",
      timeZoneHelp: "IANA-Name, z. B. Europe/Berlin oder America/New_York",
      save: "Speichern",
      saved: "Gespeichert.",
      invalidTimeZone: (tz) => `„${tz}“ ist keine Zeitzone (z. B. Europe/Berlin).`,
      shownIn: (tz) => `Zeiten werden in ${tz} angezeigt.`,
    },
    publicPage: {
      title: "Status des lchost-Hostings",
      intro: "Der Gesamtzustand des License-Central-Hostings. Kunden melden sich an, um ihren eigenen Dienst zu sehen.",
      fleetIncidents: "Störungen, die den ganzen Dienst betreffen",
      noFleetIncidents: "Keine Störung betrifft den ganzen Dienst.",
      customerLogin: "Kunden-Anmeldung",
      recentFleet: "Behoben in den letzten 30 Tagen",
    },
    feed: { title: (c) => `lchost-Status von ${c}`, maintenanceEntry: (f, t) => `Angekündigte Wartung ${f} bis ${t}` },
    percent: pct("de-DE"),
  },
};

export function isLanguage(v: unknown): v is PortalLanguage {
  return typeof v === "string" && (PORTAL_LANGUAGES as readonly string[]).includes(v);
}

/** The best of de/en by an Accept-Language header (q-values honoured; `de-AT` counts as de), or undefined. */
export function languageFromAcceptLanguage(header: string | undefined): PortalLanguage | undefined {
  if (!header) return undefined;
  let best: { lang: PortalLanguage; q: number; i: number } | undefined;
  header.split(",").forEach((item, i) => {
    const [tag, ...params] = item.trim().split(";");
    const primary = tag.trim().toLowerCase().split("-")[0];
    if (!isLanguage(primary)) return;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) return;
    if (!best || q > best.q) best = { lang: primary, q, i };
  });
  return best?.lang;
}

/** ?lang= (the switch) over the cookie it set, over the browser's Accept-Language, over the customer's default, over German. */
export function pickLanguage(input: { query?: unknown; cookie?: string; acceptLanguage?: string; fallback?: PortalLanguage }): PortalLanguage {
  if (isLanguage(input.query)) return input.query;
  if (isLanguage(input.cookie)) return input.cookie;
  return languageFromAcceptLanguage(input.acceptLanguage) ?? input.fallback ?? "de";
}
