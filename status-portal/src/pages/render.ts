/**
 * The portal's pages (pure): server-rendered HTML from plain data, in the request's language, times in the
 * customer's time zone. No script; one stylesheet (/portal.css); every form carries its CSRF token.
 */
import { EDITION_TITLES } from "../../../notifier/src/messages";
import { customerFeedPath, customerPagePath, PortalLanguage } from "../env";
import { MESSAGES, Messages, PartState } from "../i18n";
import type { DayBar } from "../partStatus";
import type { MonthAvailability } from "../monthAvailability";
import type { CustomerView, IncidentRow, IncidentUpdateRow, MaintenanceRow } from "../store";
import { formatDateTime, formatDay, formatDuration } from "../timeFormat";
import { escapeXml, Html, html } from "./html";

export interface PageContext {
  language: PortalLanguage;
  /** The path of this page (the language switch links to it with ?lang=). */
  path: string;
  /** The logged-in customer and its session's CSRF token, when there is a session. */
  session?: { customer: string; csrf: string };
}

function layout(ctx: PageContext, title: string, body: Html): string {
  const m = MESSAGES[ctx.language];
  const other: PortalLanguage = ctx.language === "de" ? "en" : "de";
  const page = html`<!doctype html>
    <html lang="${m.htmlLang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – ${m.siteName}</title>
        <link rel="stylesheet" href="/portal.css" />
        ${ctx.session ? html`<link rel="alternate" type="application/atom+xml" title="${m.subscribe.feed}" href="${customerFeedPath(ctx.session.customer)}" />` : ""}
      </head>
      <body>
        <a class="skip" href="#content">${m.skipToContent}</a>
        <header class="site">
          <a class="name" href="${ctx.session ? customerPagePath(ctx.session.customer) : "/"}">${m.siteName}</a>
          <nav aria-label="${m.languageSwitch}">
            <a href="${ctx.path}?lang=${other}" lang="${other}" hreflang="${other}">${m.otherLanguageName}</a>
            ${
              ctx.session
                ? html`<form method="post" action="/logout">
                    <input type="hidden" name="csrf" value="${ctx.session.csrf}" /><button class="link" type="submit">${m.logout}</button>
                  </form>`
                : html`<a href="/login">${m.publicPage.customerLogin}</a>`
            }
          </nav>
        </header>
        <main id="content" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `;
  return page.value;
}

const time = (at: Date, ctx: PageContext, tz: string) => html`<time datetime="${at.toISOString()}">${formatDateTime(at, ctx.language, tz)}</time>`;

/** The incident's title in the reader's language: from its part and severity (alerts), or as the team wrote it. */
export function incidentTitle(i: IncidentRow, m: Messages): string {
  if (i.source === "manual" && i.title) return i.title;
  const part = m.part(i.parts[0] ?? "entry");
  const t = m.incidents.fromAlert(part, i.severity);
  return i.scope === "fleet" ? `${m.incidents.sharedPlatform} – ${t}` : t;
}

function timeline(i: IncidentRow, updates: IncidentUpdateRow[], ctx: PageContext, tz: string): Html {
  const m = MESSAGES[ctx.language];
  return html`<h4 class="visually-hidden">${m.incidents.timeline}</h4>
    <ol class="timeline">
      ${updates.map(
        (u) =>
          html`<li>
            ${time(u.at, ctx, tz)} –
            <strong>${m.incidents.kind[u.kind]}</strong
            >${u.kind === "severity" && u.message ? html`: ${m.incidents.severity[u.message as "warning" | "critical"] ?? u.message}` : ""}${
              u.author === "team" && u.message && u.kind !== "severity"
                ? html`: <span${u.language && u.language !== ctx.language ? html` lang="${u.language}"` : ""}>${u.message}</span>${u.language && u.language !== ctx.language ? html` <span class="muted">${u.language === "de" ? MESSAGES.en.incidents.inOtherLanguage : MESSAGES.de.incidents.inOtherLanguage}</span>` : ""}`
                : ""
            }
          </li>`,
      )}
    </ol>`;
}

function incidentArticle(
  i: IncidentRow,
  updates: IncidentUpdateRow[],
  ctx: PageContext,
  tz: string,
  opts: { link?: string; showSummary: boolean; now: Date },
): Html {
  const m = MESSAGES[ctx.language];
  const title = incidentTitle(i, m);
  const lasted = i.resolvedAt
    ? m.incidents.lasted(formatDuration(i.resolvedAt.getTime() - i.startedAt.getTime(), ctx.language))
    : m.incidents.since(formatDateTime(i.startedAt, ctx.language, tz));
  return html`<article class="incident" aria-labelledby="incident-${i.id}">
    <h3 id="incident-${i.id}">${opts.link ? html`<a href="${opts.link}">${title}</a>` : title}</h3>
    <p>
      <span class="state ${i.resolvedAt ? "operational" : i.severity === "critical" ? "disrupted" : "degraded"}"
        >${m.incidents.status[i.resolvedAt ? "resolved" : "open"]}</span
      >
      · ${m.incidents.severity[i.severity]} ·
      ${lasted}${i.parts.length > 0 && i.source === "manual" ? html` · ${m.incidents.affects}: ${i.parts.map((p) => m.part(p)).join(", ")}` : ""}
    </p>
    ${opts.showSummary && i.summary ? html`<p class="muted">${m.incidents.details}: <span lang="en">${i.summary}</span></p>` : ""}
    ${timeline(i, updates, ctx, tz)}
  </article>`;
}

export interface CustomerPageData {
  customer: CustomerView;
  now: Date;
  parts: Array<{ part: string; state: PartState }>;
  overall: PartState;
  open: IncidentRow[];
  recent: IncidentRow[];
  updates: Map<string, IncidentUpdateRow[]>;
  maintenance: MaintenanceRow[];
  availability: MonthAvailability;
  history: DayBar[];
  notice?: { kind: "ok" | "error"; text: string };
}

function maintenanceList(rows: MaintenanceRow[], ctx: PageContext, tz: string, now: Date): Html {
  const m = MESSAGES[ctx.language];
  if (rows.length === 0) return html`<p>${m.maintenance.none}</p>`;
  return html`<ul>
    ${rows.map(
      (r) =>
        html`<li>${m.maintenance.window(formatDateTime(r.startsAt, ctx.language, tz), formatDateTime(r.endsAt, ctx.language, tz))}${
          r.startsAt <= now ? html` – <strong>${m.maintenance.inProgress}</strong>` : ""
        }: <span${r.language !== ctx.language ? html` lang="${r.language}"` : ""}>${r.reason}</span>${r.customer === null ? html` <span class="muted">(${m.maintenance.fleetWide})</span>` : ""}</li>`,
    )}
  </ul>`;
}

function availabilitySection(d: CustomerPageData, ctx: PageContext): Html {
  const m = MESSAGES[ctx.language];
  const a = d.availability;
  const g = m.percent(d.customer.guaranteePercent);
  if (!a.known)
    return html`<p>${m.availability.guarantee(g)}</p>
      <p>${m.availability.unknown}</p>`;
  return html`<p>${m.availability.guarantee(g)}</p>
    <p><strong>${m.availability.measured(m.percent(a.availabilityPercent))}</strong> – ${a.met ? m.availability.met : m.availability.missed}</p>
    <ul>
      <li>${m.availability.downtime(a.minutesDown)}</li>
      <li>${m.availability.maintenance(a.maintenanceMinutes)}</li>
      ${a.creditPercent > 0 ? html`<li>${m.availability.credit(a.creditPercent)}</li>` : ""}
    </ul>`;
}

function historySection(bars: DayBar[], ctx: PageContext, tz: string): Html {
  const m = MESSAGES[ctx.language];
  const label = (b: DayBar) => m.history.day(formatDay(new Date(`${b.date}T12:00:00Z`), ctx.language, "UTC"), b.level, b.disruptedMinutes, b.degradedMinutes);
  return html`<div class="history" role="list" aria-label="${m.history.title}">
      ${bars.map((b) => {
        const text = label(b);
        return html`<span class="day ${b.level === "ok" ? "" : b.level}" role="listitem" title="${text}" data-date="${b.date}" data-level="${b.level}"
          ><span class="visually-hidden">${text}</span></span
        >`;
      })}
    </div>
    <div class="history-scale" aria-hidden="true"><span>${m.history.from}</span><span>${m.history.today}</span></div>
    <ul class="legend">
      ${(["ok", "degraded", "disrupted", "nodata"] as const).map((l) => html`<li><span class="swatch ${l === "ok" ? "" : l}" aria-hidden="true"></span>${m.history.legend[l]}</li>`)}
    </ul>
    <p class="muted">${m.settings.shownIn(tz)}</p>`;
}

export function customerPage(d: CustomerPageData, ctx: PageContext): string {
  const m = MESSAGES[ctx.language];
  const c = d.customer;
  const tz = c.timeZone;
  const resolved = d.recent.filter((i) => i.resolvedAt !== null);
  const body = html` ${d.notice ? html`<p class="${d.notice.kind === "error" ? "error" : ""}" role="status">${d.notice.text}</p>` : ""}
    <p class="banner ${d.overall}" role="status">${m.overall[d.overall]}</p>
    <p class="muted">${m.customerPage.edition(EDITION_TITLES[c.edition] ?? c.edition)}</p>
    <section aria-labelledby="parts-h">
      <h2 id="parts-h">${m.customerPage.parts}</h2>
      <ul class="parts">
        ${d.parts.map((p) => html`<li><span class="state ${p.state}">${m.partState[p.state]}</span><br />${m.partSentence(m.part(p.part), p.state)}</li>`)}
      </ul>
    </section>
    <section aria-labelledby="open-h">
      <h2 id="open-h">${m.incidents.open}</h2>
      ${d.open.length === 0 ? html`<p>${m.incidents.none}</p>` : d.open.map((i) => incidentArticle(i, d.updates.get(i.id) ?? [], ctx, tz, { link: `${customerPagePath(c.name)}/incidents/${i.id}`, showSummary: true, now: d.now }))}
    </section>
    <section aria-labelledby="maint-h">
      <h2 id="maint-h">${m.maintenance.title}</h2>
      ${maintenanceList(d.maintenance, ctx, tz, d.now)}
    </section>
    <section aria-labelledby="avail-h">
      <h2 id="avail-h">${m.availability.title}</h2>
      ${availabilitySection(d, ctx)}
    </section>
    <section aria-labelledby="hist-h">
      <h2 id="hist-h">${m.history.title}</h2>
      ${historySection(d.history, ctx, tz)}
    </section>
    <section aria-labelledby="recent-h">
      <h2 id="recent-h">${m.incidents.recent}</h2>
      ${resolved.length === 0 ? html`<p>${m.incidents.noneRecent}</p>` : resolved.map((i) => incidentArticle(i, d.updates.get(i.id) ?? [], ctx, tz, { link: `${customerPagePath(c.name)}/incidents/${i.id}`, showSummary: false, now: d.now }))}
    </section>
    <section aria-labelledby="sub-h">
      <h2 id="sub-h">${m.subscribe.title}</h2>
      <p>${m.subscribe.notifications}</p>
      <p><a href="${customerFeedPath(c.name)}">${m.subscribe.feed}</a> – ${m.subscribe.feedAuth}</p>
    </section>
    <section aria-labelledby="set-h">
      <h2 id="set-h">${m.settings.title}</h2>
      <form class="stack" method="post" action="${customerPagePath(c.name)}/settings">
        <input type="hidden" name="csrf" value="${ctx.session?.csrf ?? ""}" />
        <label for="tz">${m.settings.timeZone}</label>
        <input type="text" id="tz" name="timeZone" value="${tz}" aria-describedby="tz-help" autocomplete="off" spellcheck="false" />
        <span id="tz-help" class="muted">${m.settings.timeZoneHelp}</span>
        <div><button type="submit">${m.settings.save}</button></div>
      </form>
    </section>`;
  return layout(ctx, m.customerPage.title(c.name), body);
}

export function incidentPage(i: IncidentRow, updates: IncidentUpdateRow[], customer: CustomerView, ctx: PageContext, now: Date): string {
  const m = MESSAGES[ctx.language];
  const body = html`${incidentArticle(i, updates, ctx, customer.timeZone, { showSummary: true, now })}
    <p><a href="${customerPagePath(customer.name)}">← ${m.customerPage.title(customer.name)}</a></p>`;
  return layout(ctx, incidentTitle(i, m), body);
}

export interface PublicPageData {
  now: Date;
  overall: PartState;
  open: IncidentRow[];
  recent: IncidentRow[];
  updates: Map<string, IncidentUpdateRow[]>;
  maintenance: MaintenanceRow[];
}

/** The public page: the service's overall state and fleet-wide incidents; never a customer's name or data (times in UTC). */
export function publicPage(d: PublicPageData, ctx: PageContext): string {
  const m = MESSAGES[ctx.language];
  const tz = "UTC";
  const resolved = d.recent.filter((i) => i.resolvedAt !== null);
  const body = html`<p>${m.publicPage.intro}</p>
    <p class="banner ${d.overall}" role="status">${m.overall[d.overall]}</p>
    <section aria-labelledby="fleet-h">
      <h2 id="fleet-h">${m.publicPage.fleetIncidents}</h2>
      ${d.open.length === 0 ? html`<p>${m.publicPage.noFleetIncidents}</p>` : d.open.map((i) => incidentArticle(i, d.updates.get(i.id) ?? [], ctx, tz, { showSummary: false, now: d.now }))}
    </section>
    <section aria-labelledby="maint-h">
      <h2 id="maint-h">${m.maintenance.title}</h2>
      ${maintenanceList(d.maintenance, ctx, tz, d.now)}
    </section>
    ${
      resolved.length > 0
        ? html`<section aria-labelledby="recent-h">
            <h2 id="recent-h">${m.publicPage.recentFleet}</h2>
            ${resolved.map((i) => incidentArticle(i, d.updates.get(i.id) ?? [], ctx, tz, { showSummary: false, now: d.now }))}
          </section>`
        : ""
    }`;
  return layout(ctx, m.publicPage.title, body);
}

export function loginPage(ctx: PageContext, loginCsrf: string, error?: string): string {
  const m = MESSAGES[ctx.language];
  const body = html`<p>${m.login.intro}</p>
    ${error ? html`<p class="error" role="alert" id="login-error">${error}</p>` : ""}
    <form class="stack" method="post" action="/login">
      <input type="hidden" name="csrf" value="${loginCsrf}" />
      <label for="username">${m.login.username}</label>
      <input
        type="text"
        id="username"
        name="username"
        autocomplete="username"
        autocapitalize="none"
        spellcheck="false"
        required${error ? html` aria-describedby="login-error"` : ""}
      />
      <label for="password">${m.login.password}</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required />
      <div><button type="submit">${m.login.submit}</button></div>
    </form>`;
  return layout(ctx, m.login.title, body);
}

export function notFoundPage(ctx: PageContext): string {
  const m = MESSAGES[ctx.language];
  return layout(
    ctx,
    m.notFound.title,
    html`<p>${m.notFound.text}</p>
      <p><a href="/">${m.siteName}</a></p>`,
  );
}

export interface FeedData {
  customer: CustomerView;
  /** Absolute base URL of the portal (ids and links). */
  base: string;
  now: Date;
  incidents: IncidentRow[];
  updates: Map<string, IncidentUpdateRow[]>;
  maintenance: MaintenanceRow[];
}

/** The customer's Atom feed (RFC 4287): one entry per incident (updated when its timeline changes) and per announced maintenance. */
export function atomFeed(d: FeedData, language: PortalLanguage): string {
  const m = MESSAGES[language];
  const tz = d.customer.timeZone;
  const x = escapeXml;
  const feedUrl = `${d.base}${customerFeedPath(d.customer.name)}`;
  const entries: Array<{ updated: Date; xml: string }> = [];
  for (const i of d.incidents) {
    const ups = d.updates.get(i.id) ?? [];
    const lines = ups.map(
      (u) => `${formatDateTime(u.at, language, tz)} ${m.incidents.kind[u.kind]}${u.message && u.kind !== "severity" ? `: ${u.message}` : ""}`,
    );
    const status = `${m.incidents.status[i.resolvedAt ? "resolved" : "open"]} · ${m.incidents.severity[i.severity]}`;
    const updated = ups.reduce((t, u) => (u.at > t ? u.at : t), i.updatedAt > i.startedAt ? i.updatedAt : i.startedAt);
    entries.push({
      updated,
      xml: `<entry>
<id>urn:lchost:status:incident:${x(i.id)}</id>
<title>${x(`${incidentTitle(i, m)} (${m.incidents.status[i.resolvedAt ? "resolved" : "open"]})`)}</title>
<link rel="alternate" type="text/html" href="${x(`${d.base}${customerPagePath(d.customer.name)}/incidents/${i.id}`)}"/>
<published>${i.startedAt.toISOString()}</published>
<updated>${updated.toISOString()}</updated>
<summary type="text">${x([status, ...lines].join("\n"))}</summary>
</entry>`,
    });
  }
  for (const r of d.maintenance) {
    entries.push({
      updated: r.announcedAt,
      xml: `<entry>
<id>urn:lchost:status:maintenance:${x(r.id)}</id>
<title>${x(m.feed.maintenanceEntry(formatDateTime(r.startsAt, language, tz), formatDateTime(r.endsAt, language, tz)))}</title>
<link rel="alternate" type="text/html" href="${x(`${d.base}${customerPagePath(d.customer.name)}`)}"/>
<published>${r.announcedAt.toISOString()}</published>
<updated>${r.announcedAt.toISOString()}</updated>
<summary type="text">${x(r.reason)}</summary>
</entry>`,
    });
  }
  entries.sort((a, b) => b.updated.getTime() - a.updated.getTime());
  const updated = entries[0]?.updated ?? d.customer.createdAt;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${m.htmlLang}">
<id>urn:lchost:status:customer:${x(d.customer.name)}</id>
<title>${x(m.feed.title(d.customer.name))}</title>
<updated>${updated.toISOString()}</updated>
<author><name>lchost hosting team</name></author>
<link rel="self" type="application/atom+xml" href="${x(feedUrl)}"/>
<link rel="alternate" type="text/html" href="${x(`${d.base}${customerPagePath(d.customer.name)}`)}"/>
${entries.map((e) => e.xml).join("\n")}
</feed>
`;
}
