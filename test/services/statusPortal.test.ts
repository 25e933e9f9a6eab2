import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  admin,
  ADMIN_TOKEN,
  AM_TOKEN,
  amAlert,
  amPayload,
  PASSWORDS,
  PortalClient,
  PortalHarness,
  postAlerts,
  startPortal,
  textOf,
} from "../support/portalHarness";

jest.setTimeout(120_000);

// The portal's clock: customers are mirrored in August (so the 90-day history has data), the pages are read on 28 November.
let clock = new Date("2026-08-01T00:00:00Z");
const NOW = new Date("2026-11-28T12:00:00Z");

describe("status portal (real MariaDB)", () => {
  let p: PortalHarness;
  beforeAll(async () => {
    p = await startPortal({ now: () => clock });
    clock = NOW;
  });
  afterAll(async () => {
    await p?.stop();
  });

  async function loggedIn(customer: keyof typeof PASSWORDS, headers: Record<string, string> = { "accept-language": "en" }): Promise<PortalClient> {
    const c = new PortalClient(p.url, headers);
    const r = await c.login(customer, PASSWORDS[customer]);
    expect(r.status).toBe(303);
    return c;
  }

  describe("login", () => {
    test("the right password opens the customer's page with a HttpOnly, SameSite=Strict session cookie", async () => {
      const c = new PortalClient(p.url, { "accept-language": "en" });
      const page = await c.get("/login");
      expect(page.status).toBe(200);
      expect(page.text).toContain('name="password"');
      const res = await c.request("POST", "/login", { form: { username: "acme", password: PASSWORDS.acme, csrf: PortalClient.csrfOf(page) } });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/c/acme");
      const setCookie = res.headers.getSetCookie().find((s) => s.startsWith("portal_session="))!;
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      const home = await c.get("/c/acme");
      expect(home.status).toBe(200);
      expect(home.text).toContain("Status of acme");
    });

    test("a wrong password is refused with 401 and the same words as an unknown user", async () => {
      const wrong = await new PortalClient(p.url, { "accept-language": "en" }).login("globex", "not-the-password");
      const unknown = await new PortalClient(p.url, { "accept-language": "en" }).login("nosuchcustomer", "whatever-password");
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.text).toContain("User name or password is wrong.");
      expect(unknown.text).toContain("User name or password is wrong.");
    });

    test("a login post without the form's CSRF token is refused with 403", async () => {
      const c = new PortalClient(p.url);
      await c.get("/login");
      const res = await c.request("POST", "/login", { form: { username: "acme", password: PASSWORDS.acme, csrf: "forged-token-value" } });
      expect(res.status).toBe(403);
      expect(c.cookies.has("portal_session")).toBe(false);
    });

    test("after 5 failed logins of one user name even the right password gets 429 with Retry-After", async () => {
      for (let i = 0; i < 5; i++) expect((await new PortalClient(p.url).login("initech", `wrong-${i}-password`)).status).toBe(401);
      const res = await new PortalClient(p.url).login("initech", PASSWORDS.initech);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    });

    test("without a session a customer page sends to the login and the feed asks for Basic credentials", async () => {
      const c = new PortalClient(p.url);
      const page = await c.get("/c/acme");
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/login");
      const feed = await c.get("/c/acme/feed.atom");
      expect(feed.status).toBe(401);
      expect(feed.headers.get("www-authenticate")).toMatch(/^Basic realm="lchost status"/);
    });

    test("logout ends the session: the old cookie no longer opens the page", async () => {
      const c = await loggedIn("globex");
      const old = c.cookies.get("portal_session")!;
      const page = await c.get("/c/globex");
      const out = await c.request("POST", "/logout", { form: { csrf: PortalClient.csrfOf(page) } });
      expect(out.status).toBe(303);
      const replay = new PortalClient(p.url);
      replay.cookies.set("portal_session", old);
      expect((await replay.get("/c/globex")).status).toBe(303);
    });
  });

  describe("incidents from Alertmanager", () => {
    test("a firing alert opens the customer's incident, a repeat changes nothing, a resolved one closes it with its end time", async () => {
      const firing = amPayload([
        amAlert({ alertname: "DatabaseDown", component: "database", part: "db-2", severity: "critical" }, { startsAt: "2026-11-28T07:41:00Z" }),
      ]);
      expect(await postAlerts(p.url, firing)).toEqual({ status: 200, body: { opened: 1, updated: 0, unchanged: 0, resolved: 0, ignored: 0 } });
      expect((await postAlerts(p.url, firing)).body).toMatchObject({ opened: 0, unchanged: 1 });
      const c = await loggedIn("acme");
      let page = await c.get("/c/acme");
      expect(page.text).toContain("Database: disruption");
      expect(page.text).toContain("Database is disrupted.");
      expect(page.text).toContain("There is a disruption.");
      const resolved = amPayload([
        amAlert(
          { alertname: "DatabaseDown", component: "database", part: "db-2", severity: "critical" },
          { status: "resolved", startsAt: "2026-11-28T07:41:00Z", endsAt: "2026-11-28T07:49:10Z" },
        ),
      ]);
      expect((await postAlerts(p.url, resolved)).body).toMatchObject({ resolved: 1 });
      page = await c.get("/c/acme");
      expect(page.text).toContain("Database works normally.");
      expect(page.text).toContain("lasted 8 min");
      // the timeline in the customer's time zone (Europe/Berlin): detected 08:41 CET, resolved 08:49 CET
      expect(textOf(page.text)).toContain("28 Nov 2026, 08:41 CET – Detected");
      expect(textOf(page.text)).toContain("28 Nov 2026, 08:49 CET – Resolved");
      // a late retry of the old firing notification does not reopen it
      expect((await postAlerts(p.url, firing)).body).toMatchObject({ opened: 0, unchanged: 1 });
      expect((await p.store.openIncidents({ customer: "acme" })).filter((i) => i.alertname === "DatabaseDown")).toHaveLength(0);
    });

    test("a change of severity is an update of the same incident, shown in its timeline", async () => {
      const warn = amPayload([
        amAlert({ alertname: "FsbQueueSaturated", component: "fsb", part: "fsb-1", severity: "warning" }, { startsAt: "2026-11-28T09:00:00Z" }),
      ]);
      const crit = amPayload([
        amAlert({ alertname: "FsbQueueSaturated", component: "fsb", part: "fsb-1", severity: "critical" }, { startsAt: "2026-11-28T09:00:00Z" }),
      ]);
      expect((await postAlerts(p.url, warn)).body).toMatchObject({ opened: 1 });
      expect((await postAlerts(p.url, crit)).body).toMatchObject({ updated: 1 });
      const open = (await p.store.openIncidents({ customer: "acme" })).filter((i) => i.alertname === "FsbQueueSaturated");
      expect(open).toHaveLength(1);
      expect(open[0].severity).toBe("critical");
      const c = await loggedIn("acme");
      const page = await c.get(`/c/acme/incidents/${open[0].id}`);
      expect(page.status).toBe(200);
      expect(textOf(page.text)).toContain("Severity changed: disruption");
      await postAlerts(
        p.url,
        amPayload([
          amAlert(
            { alertname: "FsbQueueSaturated", component: "fsb", part: "fsb-1", severity: "critical" },
            { status: "resolved", startsAt: "2026-11-28T09:00:00Z", endsAt: "2026-11-28T09:05:00Z" },
          ),
        ]),
      );
    });

    test("quota, certificate and info alerts are accepted but open no incident", async () => {
      const before = await p.count("portal_incidents");
      const res = await postAlerts(
        p.url,
        amPayload([
          amAlert({ alertname: "QuotaNearlyUsed", component: "quota", part: "activations" }),
          amAlert({ alertname: "DatabaseMonitoringDown", component: "database", part: "db-1", severity: "info" }),
        ]),
      );
      expect(res.body).toMatchObject({ ignored: 2, opened: 0 });
      expect(await p.count("portal_incidents")).toBe(before);
    });

    const badPosts: Array<[string, () => Promise<{ status: number; body: any }>, number, string | undefined]> = [
      ["no token", () => postAlerts(p.url, amPayload([amAlert({})]), null), 401, "authorization"],
      ["a wrong token", () => postAlerts(p.url, amPayload([amAlert({})]), "wrong-token-0123456789abcdef"), 401, "authorization"],
      ["the admin token", () => postAlerts(p.url, amPayload([amAlert({})]), ADMIN_TOKEN), 401, "authorization"],
      ["malformed JSON", () => postAlerts(p.url, null, AM_TOKEN, { body: '{"version": "4", "alerts": [', contentType: "application/json" }), 400, "body"],
      ["text/plain", () => postAlerts(p.url, null, AM_TOKEN, { body: "hello", contentType: "text/plain" }), 415, "body"],
      ["payload version 3", () => postAlerts(p.url, { ...amPayload([amAlert({})]), version: "3" }), 400, "version"],
      [
        "an alert without a customer label",
        () => postAlerts(p.url, amPayload([{ ...amAlert({}), labels: { alertname: "LineDown", severity: "warning", component: "line", part: "line-1" } }])),
        400,
        "alerts[0].labels.customer",
      ],
      ["a bad start time", () => postAlerts(p.url, amPayload([amAlert({}, { startsAt: "yesterday" })])), 400, "alerts[0].startsAt"],
      ["no alerts", () => postAlerts(p.url, { ...amPayload([amAlert({})]), alerts: [] }), 400, "alerts"],
    ];
    test.each(badPosts)("a post with %s is refused (%#) and stores nothing", async (_what, send, status, field) => {
      const before = [await p.count("portal_incidents"), await p.count("portal_incident_updates")];
      const res = await send();
      expect(res.status).toBe(status);
      if (field) expect(res.body.field).toBe(field);
      expect([await p.count("portal_incidents"), await p.count("portal_incident_updates")]).toEqual(before);
    });
  });

  describe("one customer never sees another's", () => {
    let globexIncident: string;
    let fleetIncident: string;
    beforeAll(async () => {
      await postAlerts(
        p.url,
        amPayload([
          amAlert(
            { customer: "globex", edition: "dedicated", alertname: "LineDown", severity: "critical", part: "line-1" },
            { startsAt: "2026-11-28T10:00:00Z" },
          ),
        ]),
      );
      globexIncident = (await p.store.openIncidents({ customer: "globex" }))[0].id;
      const fleet = await admin(p.url, "POST", "/v1/admin/incidents", {
        fleet: true,
        title: "Network trouble in the data centre",
        message: "Our provider is on it.",
        severity: "warning",
      });
      fleetIncident = fleet.body.id;
    });

    const routes = (target: string, incident: () => string): Array<[string, string, Record<string, string>?]> => [
      ["GET", `/c/${target}`],
      ["GET", `/c/${target}?lang=de`],
      ["GET", `/c/${target}/incidents/${incident()}`],
      ["GET", `/c/${target}/feed.atom`],
      ["POST", `/c/${target}/settings`, { timeZone: "UTC" }],
    ];

    test("every route of globex with acme's session answers 404, the same page as a customer that does not exist", async () => {
      const c = await loggedIn("acme");
      const page = await c.get("/c/acme");
      const csrf = PortalClient.csrfOf(page);
      const notFound = await c.get("/c/nosuchcustomer");
      expect(notFound.status).toBe(404);
      for (const [method, url, form] of routes("globex", () => globexIncident)) {
        const res = await c.request(method, url, form ? { form: { ...form, csrf } } : {});
        expect({ url, status: res.status }).toEqual({ url, status: 404 });
        // byte for byte the page of a customer that does not exist (in the language the request chose)
        expect(res.text).toBe((await c.get(url.includes("?lang=") ? "/c/nosuchcustomer?lang=de" : "/c/nosuchcustomer")).text);
        expect(res.text).not.toContain("globex");
      }
      // nothing was changed by the refused settings post
      expect((await p.store.customer("globex"))!.timeZone).toBe("America/New_York");
    });

    test("acme's own URL with globex's or a fleet incident id answers 404", async () => {
      const c = await loggedIn("acme");
      expect((await c.get(`/c/acme/incidents/${globexIncident}`)).status).toBe(404);
      expect((await c.get(`/c/acme/incidents/${fleetIncident}`)).status).toBe(404);
      expect((await c.get(`/c/acme/incidents/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    });

    test("the feed with acme's Basic credentials for globex's feed answers 404; for acme's own 200", async () => {
      const auth = { authorization: `Basic ${Buffer.from(`acme:${PASSWORDS.acme}`).toString("base64")}` };
      const other = await new PortalClient(p.url).get("/c/globex/feed.atom", auth);
      expect(other.status).toBe(404);
      const own = await new PortalClient(p.url).get("/c/acme/feed.atom", auth);
      expect(own.status).toBe(200);
      expect(own.text).not.toContain("globex");
    });

    test("acme's page and feed never name globex or its incidents", async () => {
      const c = await loggedIn("acme");
      for (const url of ["/c/acme", "/c/acme/feed.atom"]) {
        const res = await c.get(url);
        expect(res.status).toBe(200);
        expect(res.text).not.toContain("globex");
        expect(res.text).not.toContain(globexIncident);
      }
    });
  });

  describe("the public page", () => {
    test("shows the overall state and fleet-wide incidents, never a customer's name or alert summary", async () => {
      // a shared server's database: every tenant's alert carries shared_server, and the public page gets one incident for it
      for (const tenant of ["initech", "acme"]) {
        await postAlerts(
          p.url,
          amPayload([
            amAlert(
              {
                customer: tenant,
                edition: "datacenter",
                alertname: "DatabaseDown",
                component: "database",
                part: "db-1",
                severity: "critical",
                shared_server: "shared-dc1",
              },
              { startsAt: "2026-11-28T11:00:00Z", annotations: { summary: `The database of License Central of ${tenant} does not answer.` } },
            ),
          ]),
        );
      }
      const fleet = await p.store.openIncidents({ fleet: true });
      expect(fleet.filter((i) => i.alertname === "DatabaseDown")).toHaveLength(1);
      const res = await new PortalClient(p.url, { "accept-language": "en" }).get("/");
      expect(res.status).toBe(200);
      expect(res.text).toContain("Shared Datacenter platform – Database: disruption");
      expect(res.text).toContain("Network trouble in the data centre");
      expect(res.text).toContain("There is a disruption.");
      for (const name of ["acme", "globex", "initech", "shared-dc1"]) expect(res.text).not.toContain(name);
      // the fleet incident closes when the last tenant's alert resolves
      const resolved = (tenant: string) =>
        amPayload([
          amAlert(
            {
              customer: tenant,
              edition: "datacenter",
              alertname: "DatabaseDown",
              component: "database",
              part: "db-1",
              severity: "critical",
              shared_server: "shared-dc1",
            },
            { status: "resolved", startsAt: "2026-11-28T11:00:00Z", endsAt: "2026-11-28T11:20:00Z" },
          ),
        ]);
      await postAlerts(p.url, resolved("initech"));
      expect((await p.store.openIncidents({ fleet: true })).filter((i) => i.alertname === "DatabaseDown")).toHaveLength(1);
      await postAlerts(p.url, resolved("acme"));
      expect((await p.store.openIncidents({ fleet: true })).filter((i) => i.alertname === "DatabaseDown")).toHaveLength(0);
    });
  });

  describe("the public page's second", () => {
    test("is built at most once a second per language, and anew at once after a write through the portal", async () => {
      const built = jest.spyOn(p.store, "fleetIncidents");
      const en = new PortalClient(p.url, { "accept-language": "en" });
      try {
        const posted = await admin(p.url, "POST", "/v1/admin/incidents", { fleet: true, title: "Cached-page check one", message: "x", severity: "warning" });
        expect(posted.status).toBe(201);
        built.mockClear();
        const first = await en.get("/");
        expect(first.text).toContain("Cached-page check one");
        expect((await en.get("/")).text).toBe(first.text);
        expect(built).toHaveBeenCalledTimes(1);
        expect((await new PortalClient(p.url, { "accept-language": "de" }).get("/")).text).toContain('lang="de"');
        expect(built).toHaveBeenCalledTimes(2);
        // a write through the portal: the next view is built anew and shows it
        const second = await admin(p.url, "POST", "/v1/admin/incidents", { fleet: true, title: "Cached-page check two", message: "y", severity: "warning" });
        expect((await en.get("/")).text).toContain("Cached-page check two");
        expect(built).toHaveBeenCalledTimes(3);
        // a second later on the portal's clock: built anew without any write
        clock = new Date(NOW.getTime() + 1500);
        await en.get("/");
        expect(built).toHaveBeenCalledTimes(4);
        for (const id of [posted.body.id, second.body.id])
          expect((await admin(p.url, "POST", `/v1/admin/incidents/${id}/resolve`, { message: "Done." })).status).toBe(200);
      } finally {
        clock = NOW;
        built.mockRestore();
      }
    });
  });

  describe("languages and time zones", () => {
    test("Accept-Language de gives German; ?lang=en switches to English and the cookie keeps it", async () => {
      const c = await loggedIn("acme", { "accept-language": "de-DE,de;q=0.9,en;q=0.5" });
      let page = await c.get("/c/acme");
      expect(page.text).toContain('<html lang="de">');
      expect(page.text).toContain("Teile Ihres Dienstes");
      expect(page.text).toContain("Zugesichert: 99,9 %");
      page = await c.get("/c/acme?lang=en");
      expect(page.text).toContain('<html lang="en">');
      expect(page.text).toContain("Parts of your service");
      expect(page.text).toContain("Guaranteed: 99.9 %");
      page = await c.get("/c/acme");
      expect(page.text).toContain("Parts of your service");
    });

    test("the page of a customer says what each part does in plain words, this month against the guarantee, 90 day bars, how to subscribe", async () => {
      const c = await loggedIn("globex");
      const page = await c.get("/c/globex");
      for (const s of ["HTTPS entry works normally.", "License Central line 1 is disrupted.", "Database works normally.", "FSB signing box works normally."])
        expect(page.text).toContain(s);
      expect(page.text).toContain("Guaranteed: 99.5 %");
      expect(page.text).toContain("Not measured yet for this month.");
      expect(page.text.match(/class="day[^"]*" role="listitem"/g)).toHaveLength(90);
      expect(page.text).toContain('href="/c/globex/feed.atom"');
      expect(page.text).toContain("Edition: Dedicated Server");
    });

    test("dates are shown in the customer's time zone (stored in UTC); the settings change it, a bad zone is refused", async () => {
      const c = await loggedIn("acme", { "accept-language": "de" });
      await admin(p.url, "POST", "/v1/admin/maintenance", {
        customer: "acme",
        from: "2026-12-01T21:00:00Z",
        to: "2026-12-01T23:00:00Z",
        reason: "Datenbank-Update",
        language: "de",
      });
      let page = await c.get("/c/acme");
      expect(page.text).toContain("01.12.2026, 22:00 MEZ bis 02.12.2026, 00:00 MEZ");
      const csrf = PortalClient.csrfOf(page);
      const bad = await c.request("POST", "/c/acme/settings", { form: { csrf, timeZone: "Mars/Olympus" } });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain("„Mars/Olympus“ ist keine Zeitzone");
      const forged = await c.request("POST", "/c/acme/settings", { form: { csrf: "not-the-token", timeZone: "UTC" } });
      expect(forged.status).toBe(403);
      const ok = await c.request("POST", "/c/acme/settings", { form: { csrf, timeZone: "America/New_York" } });
      expect(ok.status).toBe(303);
      page = await c.get("/c/acme");
      expect(page.text).toContain("01.12.2026, 16:00 GMT-5 bis 01.12.2026, 18:00 GMT-5");
      expect(page.text).toContain("Zeiten werden in America/New_York angezeigt.");
      await c.request("POST", "/c/acme/settings", { form: { csrf, timeZone: "Europe/Berlin" } });
    });
  });

  describe("the Atom feed", () => {
    test("is well-formed Atom (xmllint) with the customer's incidents and maintenance", async () => {
      const auth = { authorization: `Basic ${Buffer.from(`acme:${PASSWORDS.acme}`).toString("base64")}`, "accept-language": "en" };
      const res = await new PortalClient(p.url).get("/c/acme/feed.atom", auth);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "portal-feed-")), "feed.xml");
      fs.writeFileSync(file, res.text);
      execFileSync("xmllint", ["--noout", file]);
      const q = (xpath: string) => execFileSync("xmllint", ["--xpath", xpath, file], { encoding: "utf8" }).trim();
      const ns = (p: string) => p.replace(/(^|\/)([a-z]+)/g, "$1*[local-name()='$2']");
      expect(q(`count(${ns("/feed/entry")})`)).not.toBe("0");
      expect(q(`string(${ns("/feed/id")})`)).toBe("urn:lchost:status:customer:acme");
      // RFC 4287: every entry has exactly one id, title and updated
      for (const el of ["id", "title", "updated"]) expect(q(`count(${ns("/feed/entry")}[count(*[local-name()='${el}']) != 1])`)).toBe("0");
      expect(res.text).toContain("Database: disruption (resolved)");
      expect(res.text).toContain("urn:lchost:status:maintenance:");
    });
  });

  describe("the hosting team's admin API", () => {
    test("post, update and resolve a manual incident; the customer sees the team's words in its timeline", async () => {
      const posted = await admin(p.url, "POST", "/v1/admin/incidents", {
        customer: "globex",
        title: "Slow activations",
        message: "We are looking into slow activations.",
        severity: "warning",
        parts: ["line-1"],
      });
      expect(posted.status).toBe(201);
      expect(posted.body).toMatchObject({ customer: "globex", scope: "customer", source: "manual", status: "open", title: "Slow activations" });
      const upd = await admin(p.url, "POST", `/v1/admin/incidents/${posted.body.id}/updates`, { message: "Cause found: a slow disk." });
      expect(upd.status).toBe(200);
      const res = await admin(p.url, "POST", `/v1/admin/incidents/${posted.body.id}/resolve`, { message: "Disk replaced." });
      expect(res.body).toMatchObject({ status: "resolved" });
      const c = await loggedIn("globex");
      const page = await c.get(`/c/globex/incidents/${posted.body.id}`);
      expect(page.text).toContain("Cause found: a slow disk.");
      expect(textOf(page.text)).toContain("Resolved: Disk replaced.");
      const list = await admin(p.url, "GET", "/v1/admin/incidents?customer=globex");
      expect(list.body.incidents.map((i: any) => i.id)).not.toContain(posted.body.id);
    });

    test("the customer page shows the timelines of its own incidents and no word of another customer's", async () => {
      const post = async (customer: string, message: string) =>
        (await admin(p.url, "POST", "/v1/admin/incidents", { customer, title: `Timeline of ${customer}`, message, severity: "warning", parts: ["entry"] })).body
          .id;
      const own = await post("acme", "Acme-note-1: looking into it.");
      expect((await admin(p.url, "POST", `/v1/admin/incidents/${own}/updates`, { message: "Acme-note-2: cause found." })).status).toBe(200);
      const other = await post("globex", "Globex-note-1: not for acme.");
      const page = textOf((await loggedIn("acme").then((c) => c.get("/c/acme"))).text);
      expect(page).toContain("Acme-note-1: looking into it.");
      expect(page).toContain("Acme-note-2: cause found.");
      expect(page).not.toContain("Globex-note-1");
      for (const id of [own, other]) expect((await admin(p.url, "POST", `/v1/admin/incidents/${id}/resolve`, { message: "Done." })).status).toBe(200);
    });

    test("refuses without the admin token, an unknown customer, a bad body (naming the field) and an unknown incident", async () => {
      expect((await admin(p.url, "POST", "/v1/admin/incidents", { customer: "globex", title: "x", message: "y", severity: "warning" }, null)).status).toBe(401);
      expect((await admin(p.url, "POST", "/v1/admin/incidents", { customer: "globex", title: "x", message: "y", severity: "warning" }, AM_TOKEN)).status).toBe(
        401,
      );
      const unknown = await admin(p.url, "POST", "/v1/admin/incidents", { customer: "umbrella", title: "x", message: "y", severity: "warning" });
      expect(unknown).toMatchObject({ status: 404, body: { field: "customer" } });
      const sev = await admin(p.url, "POST", "/v1/admin/incidents", { customer: "globex", title: "x", message: "y", severity: "minor" });
      expect(sev).toMatchObject({ status: 400, body: { field: "severity" } });
      const both = await admin(p.url, "POST", "/v1/admin/incidents", { customer: "globex", fleet: true, title: "x", message: "y", severity: "warning" });
      expect(both).toMatchObject({ status: 400, body: { field: "customer" } });
      const none = await admin(p.url, "POST", "/v1/admin/incidents/11111111-1111-1111-1111-111111111111/updates", { message: "hello" });
      expect(none).toMatchObject({ status: 404, body: { field: "id" } });
      const past = await admin(p.url, "POST", "/v1/admin/maintenance", { from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z", reason: "old" });
      expect(past).toMatchObject({ status: 400, body: { field: "to" } });
    });
  });

  test("behind a trusted proxy the login throttle keys on X-Forwarded-For: one noisy client does not lock out the others", async () => {
    const proxied = await startPortal({ config: { trustedProxies: ["127.0.0.1"] } });
    try {
      const from = (addr: string) => new PortalClient(proxied.url, { "x-forwarded-for": addr });
      for (let i = 0; i < 20; i++) expect((await from("203.0.113.7").login(`nosuch${i}`, "wrong-password-x")).status).toBe(401);
      expect((await from("203.0.113.7").login("acme", PASSWORDS.acme)).status).toBe(429);
      expect((await from("198.51.100.9").login("acme", PASSWORDS.acme)).status).toBe(303);
    } finally {
      await proxied.stop();
    }
  });

  describe("this month's availability, as the SLA accounting publishes it", () => {
    const figures = { availabilityPercent: 99.42, minutesDown: 250, minutesMaintenance: 30, met: false, creditPercent: 10 };

    test("published figures replace 'not measured yet' on that customer's page only", async () => {
      expect(await admin(p.url, "PUT", "/v1/admin/availability/initech/2026-11", figures)).toMatchObject({ status: 200, body: { saved: true } });
      // a past month is stored but not this month's
      expect((await admin(p.url, "PUT", "/v1/admin/availability/acme/2026-10", { ...figures, availabilityPercent: 97 })).status).toBe(200);
      // initech's figures of this month and acme's of last month do not show on acme's page of this month
      const acme = await loggedIn("acme");
      const page = textOf((await acme.get("/c/acme")).text);
      expect(page).toContain("Not measured yet for this month.");
      expect(page).not.toContain("97 %");
      await admin(p.url, "PUT", "/v1/admin/availability/acme/2026-11", figures);
      const now = textOf((await acme.get("/c/acme")).text);
      expect(now).toContain("Measured so far: 99.42 %");
      expect(now).toContain("The guarantee is missed.");
      expect(now).toContain("250 minutes unavailable");
      expect(now).toContain("30 minutes of announced maintenance (not counted)");
      expect(now).toContain("Credit: 10 % of the monthly fee");
      const globex = textOf((await (await loggedIn("globex")).get("/c/globex")).text);
      expect(globex).toContain("Not measured yet for this month.");
      expect(globex).not.toContain("99.42");
    });

    test("an unknown month (no data) stays 'not measured yet', never 100 %", async () => {
      await admin(p.url, "PUT", "/v1/admin/availability/acme/2026-11", {
        availabilityPercent: null,
        minutesDown: 0,
        minutesMaintenance: 0,
        met: null,
        creditPercent: null,
      });
      const page = textOf((await (await loggedIn("acme")).get("/c/acme")).text);
      expect(page).toContain("Not measured yet for this month.");
      expect(page).not.toContain("100 %");
    });

    test.each([
      ["/v1/admin/availability/acme/2026-13", figures, 404, "month"],
      ["/v1/admin/availability/umbrella/2026-11", figures, 404, "customer"],
      ["/v1/admin/availability/acme/2026-11", { ...figures, availabilityPercent: 101 }, 400, "availabilityPercent"],
      ["/v1/admin/availability/acme/2026-11", { ...figures, minutesDown: -1 }, 400, "minutesDown"],
      ["/v1/admin/availability/acme/2026-11", { ...figures, met: null }, 400, "met"],
      ["/v1/admin/availability/acme/2026-11", { ...figures, creditPercent: undefined }, 400, "creditPercent"],
    ])("PUT %s with %j is refused (%i, naming %s)", async (url, body, status, field) => {
      const before = await p.count("portal_month_availability");
      expect(await admin(p.url, "PUT", url, body)).toMatchObject({ status, body: { field } });
      expect(await p.count("portal_month_availability")).toBe(before);
    });

    test("only the admin token may publish", async () => {
      expect((await admin(p.url, "PUT", "/v1/admin/availability/acme/2026-11", figures, AM_TOKEN)).status).toBe(401);
    });
  });

  test("no password, session id, CSRF token or bearer token reaches the logs", async () => {
    const c = await loggedIn("acme");
    await c.get("/c/acme");
    const text = p.logs.text;
    expect(text).toContain("customer logged in");
    for (const secret of [PASSWORDS.acme, PASSWORDS.globex, c.cookies.get("portal_session")!, AM_TOKEN, ADMIN_TOKEN]) expect(text).not.toContain(secret);
    const csrf = PortalClient.csrfOf(await c.get("/c/acme"));
    expect(text).not.toContain(csrf);
  });
});
