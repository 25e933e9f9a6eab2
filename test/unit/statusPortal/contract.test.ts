import { parsePortalConfig } from "../../../status-portal/src/config";
import { CustomersFileError, parsePortalCustomers } from "../../../status-portal/src/env";
import { LoginThrottle } from "../../../status-portal/src/loginThrottle";
import { html } from "../../../status-portal/src/pages/html";
import { customerPage } from "../../../status-portal/src/pages/render";
import { hashPortalPassword, verifyPortalPassword } from "../../../status-portal/src/passwordHash";

const FAST = { N: 1024, r: 8, p: 1 };
const HASH = hashPortalPassword("correct-horse-battery", FAST);
const customer = (change: Record<string, unknown> = {}) => ({
  edition: "dedicated",
  guaranteePercent: 99.5,
  parts: ["entry", "line-1", "database", "fsb"],
  passwordHash: HASH,
  ...change,
});

describe("the customers file", () => {
  test("a valid file, with the defaults for time zone (Europe/Berlin) and language (de)", () => {
    expect(parsePortalCustomers({ customers: { acme: customer() } }).customers.acme).toMatchObject({
      timeZone: "Europe/Berlin",
      language: "de",
      parts: ["entry", "line-1", "database", "fsb"],
    });
  });

  test.each([
    [{ customers: { Acme: customer() } }, "customers.Acme"],
    [{ customers: { acme: customer({ guaranteePercent: 100 }) } }, "customers.acme.guaranteePercent"],
    [{ customers: { acme: customer({ parts: ["entry", "line"] }) } }, "customers.acme.parts[1]"],
    [{ customers: { acme: customer({ parts: ["entry", "entry"] }) } }, "customers.acme.parts[1]"],
    [{ customers: { acme: customer({ timeZone: "Mars/Olympus" }) } }, "customers.acme.timeZone"],
    [{ customers: { acme: customer({ language: "fr" }) } }, "customers.acme.language"],
    [{ customers: { acme: customer({ passwordHash: "plaintext-password" }) } }, "customers.acme.passwordHash"],
    [{ customers: { acme: customer({ colour: "red" }) } }, "customers.acme.colour"],
  ])("%j is refused naming %s", (value, field) => {
    let err: unknown;
    try {
      parsePortalCustomers(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CustomersFileError);
    expect((err as CustomersFileError).field).toBe(field);
    expect((err as Error).message).not.toContain("plaintext-password");
  });
});

describe("portal passwords", () => {
  test("the right password matches its scrypt hash, any other does not", async () => {
    expect(HASH).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPortalPassword("correct-horse-battery", HASH)).toBe(true);
    expect(await verifyPortalPassword("correct-horse-batterY", HASH)).toBe(false);
  });

  test("a malformed hash or absurd parameters never match (and never throw)", async () => {
    expect(await verifyPortalPassword("x", "plain")).toBe(false);
    expect(await verifyPortalPassword("correct-horse-battery", HASH.replace("$1024$", "$1048576000$"))).toBe(false);
  });

  test("two hashes of one password differ (random salt)", () => {
    expect(hashPortalPassword("correct-horse-battery", FAST)).not.toBe(hashPortalPassword("correct-horse-battery", FAST));
  });
});

describe("login throttling", () => {
  test("the 6th attempt of a user name within 15 minutes waits; a success or the window's end clears it", () => {
    let t = 0;
    const th = new LoginThrottle(5, 15 * 60_000, () => t);
    for (let i = 0; i < 5; i++) {
      expect(th.retryAfterSeconds("acme", "10.0.0.1")).toBe(0);
      th.failed("acme", "10.0.0.1");
      t += 1000;
    }
    expect(th.retryAfterSeconds("ACME", "10.0.0.2")).toBeGreaterThan(800);
    expect(th.retryAfterSeconds("globex", "10.0.0.2")).toBe(0);
    t += 15 * 60_000;
    expect(th.retryAfterSeconds("acme", "10.0.0.1")).toBe(0);
  });

  test("one address trying many user names is stopped after 4 × the allowance", () => {
    const th = new LoginThrottle(5, 15 * 60_000, () => 0);
    for (let i = 0; i < 20; i++) th.failed(`user${i}`, "10.0.0.9");
    expect(th.retryAfterSeconds("someone-new", "10.0.0.9")).toBeGreaterThan(0);
    expect(th.retryAfterSeconds("someone-new", "10.0.0.8")).toBe(0);
  });
});

describe("rendering", () => {
  test("interpolated text is escaped", () => {
    expect(html`<p>${'<script>alert("x")</script>'}</p>`.value).toBe("<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>");
  });

  test("a team note with markup on the customer page stays text", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const incident = {
      id: "11111111-1111-1111-1111-111111111111",
      scope: "customer" as const,
      customer: "acme",
      source: "manual" as const,
      alertname: null,
      component: null,
      parts: ["entry"],
      severity: "warning" as const,
      title: "<img src=x onerror=alert(1)>",
      titleLanguage: "en" as const,
      summary: null,
      startedAt: now,
      resolvedAt: null,
      updatedAt: now,
    };
    const page = customerPage(
      {
        customer: { name: "acme", edition: "dedicated", guaranteePercent: 99.5, parts: ["entry"], timeZone: "UTC", language: "en", createdAt: now },
        now,
        parts: [{ part: "entry", state: "degraded" }],
        overall: "degraded",
        open: [incident],
        recent: [incident],
        updates: new Map([[incident.id, [{ at: now, kind: "detected" as const, author: "team" as const, message: "<b>bold</b>", language: "en" as const }]]]),
        maintenance: [],
        availability: { known: true, availabilityPercent: 99.42, minutesDown: 250, maintenanceMinutes: 30, met: false, creditPercent: 10 },
        history: [],
      },
      { language: "en", path: "/c/acme", session: { customer: "acme", csrf: "tok" } },
    );
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(page).toContain("Measured so far: 99.42 %");
    expect(page).toContain("The guarantee is missed.");
    expect(page).toContain("Credit: 10 % of the monthly fee");
  });
});

describe("the portal's environment", () => {
  const env = { DB_HOST: "db", DB_NAME: "portal", DB_USER: "portal", DB_PASSWORD: "secret-db-password" };
  test("defaults: port 9096, Secure cookies, no trusted proxy", () => {
    expect(parsePortalConfig(env)).toMatchObject({ port: 9096, cookieSecure: true, trustedProxies: [], sessionIdleMinutes: 60, loginFailuresAllowed: 5 });
  });
  test.each([
    [{ PORTAL_TRUSTED_PROXIES: "172.18.0.0/16, 10.0.0.5" }, undefined],
    [{ PORTAL_TRUSTED_PROXIES: "proxy.example" }, "PORTAL_TRUSTED_PROXIES"],
    [{ PORTAL_CUSTOMERS_FILE: "customers.json" }, "PORTAL_CUSTOMERS_FILE"],
    [{ PORTAL_COOKIE_SECURE: "yes" }, "PORTAL_COOKIE_SECURE"],
    [{ DB_PASSWORD: "" }, "DB_PASSWORD"],
  ])("%j → error naming %s", (change, variable) => {
    const parse = () => parsePortalConfig({ ...env, ...change });
    if (variable === undefined) expect(parse().trustedProxies).toEqual(["172.18.0.0/16", "10.0.0.5"]);
    else expect(parse).toThrow(new RegExp(`^${variable}=`));
  });
  test("the database password is never echoed", () => {
    expect(() => parsePortalConfig({ ...env, DB_NAME: "bad name!" })).toThrow(/DB_NAME/);
    expect(() => parsePortalConfig({ ...env, DB_PASSWORD: "" })).toThrow(/^DB_PASSWORD=<redacted> is invalid: required$/);
  });
});
