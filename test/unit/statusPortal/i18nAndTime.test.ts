import { languageFromAcceptLanguage, MESSAGES, pickLanguage } from "../../../status-portal/src/i18n";
import { addDays, formatDateTime, formatDuration, startOfZonedDay, zonedDate } from "../../../status-portal/src/timeFormat";

describe("which language a request gets", () => {
  test.each([
    ["de-DE,de;q=0.9,en;q=0.8", "de"],
    ["en-US,en;q=0.9", "en"],
    ["fr-FR,fr;q=0.9,en;q=0.5,de;q=0.4", "en"],
    ["de;q=0.2, en;q=0.7", "en"],
    ["de-AT", "de"],
    ["en;q=0, de;q=0.1", "de"],
    ["fr, it", undefined],
    ["", undefined],
  ])("Accept-Language %j → %s", (header, expected) => {
    expect(languageFromAcceptLanguage(header)).toBe(expected);
  });

  test("the switch (?lang=) wins over the cookie, the cookie over the browser, the browser over the customer's default", () => {
    expect(pickLanguage({ query: "en", cookie: "de", acceptLanguage: "de", fallback: "de" })).toBe("en");
    expect(pickLanguage({ query: "fr", cookie: "en", acceptLanguage: "de", fallback: "de" })).toBe("en");
    expect(pickLanguage({ cookie: "xx", acceptLanguage: "en-GB", fallback: "de" })).toBe("en");
    expect(pickLanguage({ acceptLanguage: "fr", fallback: "en" })).toBe("en");
    expect(pickLanguage({})).toBe("de");
  });

  test("both languages name every part in plain words", () => {
    expect(MESSAGES.de.partSentence(MESSAGES.de.part("line-2"), "disrupted")).toBe("Lizenzserver-Linie 2 ist gestört.");
    expect(MESSAGES.en.partSentence(MESSAGES.en.part("fsb-1"), "degraded")).toBe("FSB signing box 1 is impaired; the service still answers.");
    expect(MESSAGES.en.part("entry")).toBe("HTTPS entry");
    expect(MESSAGES.de.part("database")).toBe("Datenbank");
  });
});

describe("times in the customer's time zone", () => {
  const at = new Date("2026-11-28T07:41:00Z");
  test.each([
    ["de", "Europe/Berlin", "28.11.2026, 08:41 MEZ"],
    ["en", "Europe/Berlin", "28 Nov 2026, 08:41 CET"],
    ["en", "UTC", "28 Nov 2026, 07:41 UTC"],
    ["en", "America/New_York", "28 Nov 2026, 02:41 GMT-5"],
    ["de", "Asia/Tokyo", "28.11.2026, 16:41 GMT+9"],
  ] as const)("%s in %s: %s", (lang, tz, expected) => {
    expect(formatDateTime(at, lang, tz)).toBe(expected);
  });

  test("summer time is shown as such (MESZ)", () => {
    expect(formatDateTime(new Date("2026-07-01T10:00:00Z"), "de", "Europe/Berlin")).toBe("01.07.2026, 12:00 MESZ");
  });

  test("a calendar day starts at the zone's midnight, also on the days the clocks change (23 and 25 hours)", () => {
    expect(startOfZonedDay("2026-11-28", "Europe/Berlin").toISOString()).toBe("2026-11-27T23:00:00.000Z");
    expect(startOfZonedDay("2026-07-01", "Europe/Berlin").toISOString()).toBe("2026-06-30T22:00:00.000Z");
    const spring = startOfZonedDay("2026-03-29", "Europe/Berlin").getTime();
    expect(startOfZonedDay("2026-03-30", "Europe/Berlin").getTime() - spring).toBe(23 * 3600_000);
    const autumn = startOfZonedDay("2026-10-25", "Europe/Berlin").getTime();
    expect(startOfZonedDay("2026-10-26", "Europe/Berlin").getTime() - autumn).toBe(25 * 3600_000);
    expect(startOfZonedDay("2026-11-28", "America/New_York").toISOString()).toBe("2026-11-28T05:00:00.000Z");
  });

  test("remembered day starts and formatters answer per zone and language, and a caller cannot change what is remembered", () => {
    for (let round = 0; round < 2; round++) {
      expect(startOfZonedDay("2026-11-28", "Europe/Berlin").toISOString()).toBe("2026-11-27T23:00:00.000Z");
      expect(startOfZonedDay("2026-11-28", "Asia/Tokyo").toISOString()).toBe("2026-11-27T15:00:00.000Z");
      expect(startOfZonedDay("2026-11-28", "America/New_York").toISOString()).toBe("2026-11-28T05:00:00.000Z");
    }
    startOfZonedDay("2026-11-28", "Europe/Berlin").setTime(0);
    expect(startOfZonedDay("2026-11-28", "Europe/Berlin").toISOString()).toBe("2026-11-27T23:00:00.000Z");
    const late = new Date("2026-11-28T23:30:00Z");
    expect(formatDateTime(late, "en", "Europe/Berlin")).toBe("29 Nov 2026, 00:30 CET");
    expect(formatDateTime(late, "en", "UTC")).toBe("28 Nov 2026, 23:30 UTC");
    expect(formatDateTime(late, "de", "Europe/Berlin")).toBe("29.11.2026, 00:30 MEZ");
  });

  test("the date of an instant depends on the zone", () => {
    const late = new Date("2026-11-28T23:30:00Z");
    expect(zonedDate(late, "UTC")).toBe("2026-11-28");
    expect(zonedDate(late, "Europe/Berlin")).toBe("2026-11-29");
    expect(zonedDate(late, "America/New_York")).toBe("2026-11-28");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  test("durations in plain words", () => {
    expect(formatDuration(8 * 60_000 + 10_000, "en")).toBe("8 min");
    expect(formatDuration(192 * 60_000, "de")).toBe("3 h 12 min");
    expect(formatDuration(52 * 3600_000, "de")).toBe("2 T 4 h");
    expect(formatDuration(52 * 3600_000, "en")).toBe("2 d 4 h");
  });
});
